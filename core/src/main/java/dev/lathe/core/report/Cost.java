package dev.lathe.core.report;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.runtime.BenchmarkResult;

/**
 * What a million inferences cost before and after optimization, on one instance running them one after
 * another at the measured throughput.
 *
 * @param pricing                the instance price used
 * @param costPerMillionBefore   price of 1,000,000 inferences of the original model
 * @param costPerMillionAfter    price of 1,000,000 inferences of the optimized model
 * @param computeSavedPercent    instance time saved per inference, in percent (negative if it got slower)
 * @param macsSavedPercent       multiply-accumulates saved per inference, in percent
 */
public record Cost(Pricing pricing, double costPerMillionBefore, double costPerMillionAfter, double computeSavedPercent,
        double macsSavedPercent) {

    /** Computes the cost from measured throughputs and static MACs. */
    public static Cost of(Pricing pricing, BenchmarkResult before, BenchmarkResult after, Footprint staticBefore,
            Footprint staticAfter) {
        double costBefore = perMillion(pricing, before.throughputPerSec());
        double costAfter = perMillion(pricing, after.throughputPerSec());
        double macsSaved = staticBefore.macs() == 0 ? 0 : 100.0 * (1 - (double) staticAfter.macs() / staticBefore.macs());
        return new Cost(pricing, costBefore, costAfter, 100.0 * (1 - costAfter / costBefore), macsSaved);
    }

    private static double perMillion(Pricing pricing, double throughputPerSec) {
        return pricing.pricePerInstanceHour() / (throughputPerSec * 3600.0) * 1_000_000;
    }
}
