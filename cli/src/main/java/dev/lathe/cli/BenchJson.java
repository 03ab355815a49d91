package dev.lathe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.provider.ProviderSpecs;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.LatencyStats;
import dev.lathe.core.selection.ProviderDecision;

/**
 * Renders a {@link BenchReport} as a JSON object for scripts. Keys: {@code model}, {@code provider} (the
 * selected provider's name), {@code providerDecision} ({@code selected}, {@code spec}, {@code policy},
 * {@code candidates}), {@code inputShapes}, {@code runs}, {@code warmup}, {@code latencyMs} ({@code mean},
 * {@code p50}, {@code p90}, {@code p99}, {@code min}, {@code max}), {@code throughputPerSec},
 * {@code sessionInitMs}, {@code peakMemoryBytes} (-1 when not measured), {@code memoryMethod} and, when
 * profiled, {@code timeByOpTypeMs} (mean milliseconds per run, slowest first).
 */
final class BenchJson {
    private BenchJson() {
    }

    /** The report as pretty-printed JSON text, without a trailing line break. */
    static String render(BenchReport report) throws JsonProcessingException {
        ObjectNode json = Json.object();
        json.put("model", report.model());
        putProvider(json, report.decision());
        Json.putShapes(json, "inputShapes", report.inputShapes());
        json.put("runs", report.options().timedRuns());
        json.put("warmup", report.options().warmupRuns());
        putResult(json, report.result());
        if (report.options().profile()) {
            ObjectNode byOpType = json.putObject("timeByOpTypeMs");
            report.result().timeByOpTypeMs().forEach(byOpType::put);
        }
        return Json.render(json);
    }

    /**
     * Puts {@code provider}, the selected provider's name, and {@code providerDecision}: the selected
     * configuration ({@code selected}, and {@code spec} as a {@code --provider} value), the {@code policy}
     * and every candidate ({@code provider}, {@code available}, {@code selected}, {@code reason} and, for the
     * "fastest" policy, {@code medianLatencyMs}).
     */
    static void putProvider(ObjectNode json, ProviderDecision decision) {
        json.put("provider", decision.selected().provider().cliName());
        ObjectNode decisionJson = json.putObject("providerDecision");
        decisionJson.put("selected", decision.selected().describe());
        decisionJson.put("spec", ProviderSpecs.format(decision.selected()));
        decisionJson.put("policy", decision.policy());
        ArrayNode candidates = decisionJson.putArray("candidates");
        for (ProviderDecision.Candidate candidate : decision.candidates()) {
            ObjectNode candidateJson = candidates.addObject().put("provider", candidate.provider())
                    .put("available", candidate.available()).put("selected", candidate.selected())
                    .put("reason", candidate.reason());
            candidate.medianLatencyMs().ifPresent(median -> candidateJson.put("medianLatencyMs", median));
        }
    }

    /**
     * Puts the measured figures: {@code latencyMs}, {@code throughputPerSec}, {@code sessionInitMs},
     * {@code peakMemoryBytes} and {@code memoryMethod}.
     */
    static void putResult(ObjectNode json, BenchmarkResult result) {
        LatencyStats latency = result.latencyMs();
        json.putObject("latencyMs").put("mean", latency.mean()).put("p50", latency.p50()).put("p90", latency.p90())
                .put("p99", latency.p99()).put("min", latency.min()).put("max", latency.max());
        json.put("throughputPerSec", result.throughputPerSec());
        json.put("sessionInitMs", result.sessionInitMs());
        json.put("peakMemoryBytes", result.peakMemoryBytes());
        json.put("memoryMethod", result.memoryMethod());
    }
}
