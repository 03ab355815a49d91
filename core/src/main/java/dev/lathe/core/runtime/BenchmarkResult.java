package dev.lathe.core.runtime;

import java.util.Map;

/**
 * What one benchmark measured.
 *
 * @param provider          the provider configuration the session ran with (e.g. "cpu (4 threads)")
 * @param sessionInitMs     milliseconds to create the session
 * @param latencyMs         latency of the timed runs
 * @param throughputPerSec  inferences per second over the timed runs (one after another)
 * @param peakMemoryBytes   peak resident memory of the measuring process; -1 when not measured
 * @param memoryMethod      how memory was measured: "forked", "in-process" or "none"
 * @param timeByOpTypeMs    mean milliseconds per run spent in each op type (empty without profiling)
 */
public record BenchmarkResult(String provider, double sessionInitMs, LatencyStats latencyMs, double throughputPerSec,
        long peakMemoryBytes, String memoryMethod, Map<String, Double> timeByOpTypeMs) {

    /** Copies the op-type map, keeping its order (slowest op type first). */
    public BenchmarkResult {
        timeByOpTypeMs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(timeByOpTypeMs));
    }

    /**
     * The result of timed runs: their latency statistics, and as throughput the runs per second of their
     * total time.
     */
    public static BenchmarkResult ofRuns(String provider, double sessionInitMs, double[] runMillis, long peakMemoryBytes,
            String memoryMethod, Map<String, Double> timeByOpTypeMs) {
        double total = 0;
        for (double millis : runMillis) {
            total += millis;
        }
        return new BenchmarkResult(provider, sessionInitMs, LatencyStats.of(runMillis), runMillis.length / (total / 1000.0),
                peakMemoryBytes, memoryMethod, timeByOpTypeMs);
    }

    /**
     * This result and another round of the same model on the same provider, as one: times and throughput
     * averaged, latency as {@link LatencyStats#averagedWith}, the larger peak memory, this round's profile.
     */
    public BenchmarkResult averagedWith(BenchmarkResult other) {
        return new BenchmarkResult(provider, (sessionInitMs + other.sessionInitMs) / 2,
                latencyMs.averagedWith(other.latencyMs), (throughputPerSec + other.throughputPerSec) / 2,
                Math.max(peakMemoryBytes, other.peakMemoryBytes), memoryMethod, timeByOpTypeMs);
    }
}
