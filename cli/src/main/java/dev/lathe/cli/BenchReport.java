package dev.lathe.cli;

import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.selection.ProviderDecision;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code lathe bench} reports about one model.
 *
 * @param model       how the report names the model (its path)
 * @param inputShapes the shape of each input the model ran on, in the model's order
 * @param decision    the provider chosen and why
 * @param options     the runs and measurements asked for
 * @param result      what the benchmark measured
 */
record BenchReport(String model, Map<String, long[]> inputShapes, ProviderDecision decision, BenchmarkOptions options,
        BenchmarkResult result) {

    /** Copies the shapes so that the report stays immutable. */
    BenchReport {
        inputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(inputShapes));
    }
}
