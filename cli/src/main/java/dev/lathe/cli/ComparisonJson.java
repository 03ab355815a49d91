package dev.lathe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.OutputFidelity;

/**
 * Renders a {@link Comparison} as a JSON object for scripts. Keys: {@code a} and {@code b}, each with
 * {@code model} and the measured figures of {@link BenchJson} ({@code latencyMs}, {@code throughputPerSec},
 * {@code sessionInitMs}, {@code peakMemoryBytes}, {@code memoryMethod}); {@code latencyRatio} (B's median
 * latency over A's); {@code fidelity} ({@code cosineMean}, {@code cosineMin}, {@code maxAbsError},
 * {@code meanAbsError}, {@code samples}, and per output {@code outputs} with {@code top1Agreement} for
 * classifier-shaped outputs); {@code provider}, {@code providerDecision}, {@code inputShapes}, {@code runs}
 * and {@code warmup}.
 */
final class ComparisonJson {
    private ComparisonJson() {
    }

    /** The comparison as pretty-printed JSON text, without a trailing line break. */
    static String render(Comparison comparison) throws JsonProcessingException {
        ObjectNode json = Json.object();
        putModel(json.putObject("a"), comparison.modelA(), comparison.a());
        putModel(json.putObject("b"), comparison.modelB(), comparison.b());
        json.put("latencyRatio", comparison.latencyRatio());
        putFidelity(json.putObject("fidelity"), comparison.fidelity());
        json.put("samples", comparison.samples());
        json.put("task", comparison.task());
        ObjectNode metrics = json.putObject("taskMetrics");
        comparison.taskMetrics().forEach(metrics::put);
        BenchJson.putProvider(json, comparison.decision());
        Json.putShapes(json, "inputShapes", comparison.inputShapes());
        json.put("runs", comparison.options().timedRuns());
        json.put("warmup", comparison.options().warmupRuns());
        return Json.render(json);
    }

    private static void putModel(ObjectNode json, String model, BenchmarkResult result) {
        json.put("model", model);
        BenchJson.putResult(json, result);
    }

    private static void putFidelity(ObjectNode json, Fidelity fidelity) {
        json.put("cosineMean", fidelity.cosineMean());
        json.put("cosineMin", fidelity.cosineMin());
        json.put("maxAbsError", fidelity.maxAbsError());
        json.put("meanAbsError", fidelity.meanAbsError());
        json.put("samples", fidelity.samples());
        ArrayNode outputs = json.putArray("outputs");
        for (OutputFidelity output : fidelity.outputs()) {
            ObjectNode outputJson = outputs.addObject().put("output", output.output())
                    .put("cosineMean", output.cosineMean()).put("cosineMin", output.cosineMin())
                    .put("maxAbsError", output.maxAbsError()).put("meanAbsError", output.meanAbsError());
            output.top1Agreement().ifPresent(agreement -> outputJson.put("top1Agreement", agreement));
        }
    }
}
