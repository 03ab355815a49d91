package dev.lathe.cli;

import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.selection.ProviderDecision;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code lathe compare} reports about a model B against a reference model A.
 *
 * @param modelA      how the report names the reference (its path)
 * @param modelB      how the report names the compared model (its path)
 * @param inputShapes the shape of each input both models ran on, in A's order
 * @param decision    the provider chosen (on A) and why; both models ran on it
 * @param options     the runs and measurements asked for, the same for both models
 * @param fidelity    how closely B's outputs follow A's
 * @param samples     where the compared samples came from (a data file with its count, or "generated ...")
 * @param task        A's task as detected (sentence-embedding, classifier, ...)
 * @param taskMetrics the task's metrics of B against A, by name
 * @param a           A's measurements
 * @param b           B's measurements
 */
record Comparison(String modelA, String modelB, Map<String, long[]> inputShapes, ProviderDecision decision,
        BenchmarkOptions options, Fidelity fidelity, String samples, String task, Map<String, Double> taskMetrics,
        BenchmarkResult a, BenchmarkResult b) {

    /** Copies the maps so that the comparison stays immutable. */
    Comparison {
        inputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(inputShapes));
        taskMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(taskMetrics));
    }

    /** B's median latency over A's: below 1 when B is faster. */
    double latencyRatio() {
        return b.latencyMs().p50() / a.latencyMs().p50();
    }
}
