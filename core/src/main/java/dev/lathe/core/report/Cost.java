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
 * @param macsSavedPercent       multiply-accumulates saved per inference, in percent; NaN when either
 *                               footprint is not {@link dev.lathe.core.footprint.Footprint#complete() complete}
 * @param noisePercent           how far one model's median latency moved between its two measuring rounds, in
 *                               percent (the larger of the two models'); a saving smaller than this is noise
 */
public record Cost(Pricing pricing, double costPerMillionBefore, double costPerMillionAfter, double computeSavedPercent,
        double macsSavedPercent, double noisePercent) {

    /**
     * Computes the cost from measured throughputs and static MACs, and the noise from each model's two
     * measuring rounds.
     */
    public static Cost of(Pricing pricing, BenchmarkResult before, BenchmarkResult after, Footprint staticBefore,
            Footprint staticAfter, double noisePercent) {
        double costBefore = perMillion(pricing, before.throughputPerSec());
        double costAfter = perMillion(pricing, after.throughputPerSec());
        // A footprint that could not be counted fully has no MAC figure to save from.
        double macsSaved = !staticBefore.complete() || !staticAfter.complete() ? Double.NaN
                : staticBefore.macs() == 0 ? 0 : 100.0 * (1 - (double) staticAfter.macs() / staticBefore.macs());
        return new Cost(pricing, costBefore, costAfter, 100.0 * (1 - costAfter / costBefore), macsSaved, noisePercent);
    }

    /**
     * How far two rounds of measuring the same model disagree on its median latency, in percent of their mean.
     */
    public static double roundNoisePercent(BenchmarkResult first, BenchmarkResult second) {
        double a = first.latencyMs().p50();
        double b = second.latencyMs().p50();
        return a + b == 0 ? 0 : 100.0 * Math.abs(a - b) / ((a + b) / 2);
    }

    /** Whether the compute saved is smaller than the measurement noise, so that it may be no saving at all. */
    public boolean withinNoise() {
        return Math.abs(computeSavedPercent) < noisePercent;
    }

    private static double perMillion(Pricing pricing, double throughputPerSec) {
        return pricing.pricePerInstanceHour() / (throughputPerSec * 3600.0) * 1_000_000;
    }
}
