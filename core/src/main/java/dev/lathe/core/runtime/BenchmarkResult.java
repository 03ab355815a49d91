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
}
