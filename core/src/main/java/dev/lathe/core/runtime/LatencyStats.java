package dev.lathe.core.runtime;

import java.util.Arrays;

/**
 * Summary of timed runs, in milliseconds. Percentiles use the nearest-rank method.
 *
 * @param mean arithmetic mean
 * @param p50  median
 * @param p90  90th percentile
 * @param p99  99th percentile
 * @param min  fastest run
 * @param max  slowest run
 * @param runs number of timed runs
 */
public record LatencyStats(double mean, double p50, double p90, double p99, double min, double max, int runs) {

    /** Summarizes run times given in milliseconds. */
    public static LatencyStats of(double[] millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no timed runs to summarize");
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double value : sorted) {
            sum += value;
        }
        return new LatencyStats(sum / sorted.length, percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted[0], sorted[sorted.length - 1], sorted.length);
    }

    /**
     * The summary of this measurement and another of the same size taken in another round: means and
     * percentiles averaged, extremes kept, runs added.
     */
    public LatencyStats averagedWith(LatencyStats other) {
        return new LatencyStats((mean + other.mean) / 2, (p50 + other.p50) / 2, (p90 + other.p90) / 2,
                (p99 + other.p99) / 2, Math.min(min, other.min), Math.max(max, other.max), runs + other.runs);
    }

    private static double percentile(double[] sorted, double percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
