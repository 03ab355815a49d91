package dev.lathe.quantize.qdq;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accuracy-aware fallback: ranks the quantized nodes by the error each one adds, then returns the most
 * sensitive to float, the smallest number first, until the validation gate holds on calibration samples (the
 * held-out validation samples are never looked at). Nodes are ranked by their own error, measured in
 * isolation by a {@link Probe}. The number kept in float doubles (1, 2, 4 ...) until the gate holds, then a
 * bisection finds the smallest that does.
 */
final class Fallback {
    /** Builds the quantized model with the named nodes left in float. */
    @FunctionalInterface
    interface Build {
        /** The quantized model. */
        OnnxModel apply(Set<String> keepFloat) throws LatheException;
    }

    /**
     * The search's result.
     *
     * @param model       the chosen model
     * @param keptFloat   the nodes returned to float, most sensitive first, with their added error
     * @param checks      how many candidates were checked against the gate
     * @param passed      whether the chosen model met the gate on the calibration samples
     * @param lastFailure why the last failing candidate failed (empty when none failed)
     */
    record Outcome(OnnxModel model, Map<String, Double> keptFloat, int checks, boolean passed, List<String> lastFailure) {
    }

    private final OnnxModel original;
    private final List<Map<String, TensorData>> samples;
    private final ValidationGate gate;
    private final Task task;

    Fallback(OnnxModel original, List<Map<String, TensorData>> samples, ValidationGate gate, Task task) {
        this.original = original;
        this.samples = samples;
        this.gate = gate;
        this.task = task;
    }

    /**
     * Checks the fully quantized model, and returns nodes to float while the gate fails.
     *
     * @param sensitivity each quantized node's own error, largest first ({@link Probe#errors})
     */
    Outcome search(OnnxModel full, Map<String, Double> sensitivity, Build build) throws LatheException {
        int checks = 1;
        ValidationOutcome first = check(full);
        if (first.passed()) {
            return new Outcome(full, Map.of(), checks, true, List.of());
        }
        List<String> lastFailure = first.failures();
        List<String> ranked = new ArrayList<>(sensitivity.keySet());
        int low = 0;
        int high = -1;
        OnnxModel best = null;
        int count = 1;
        while (true) {
            OnnxModel candidate = build.apply(new LinkedHashSet<>(ranked.subList(0, count)));
            checks++;
            ValidationOutcome outcome = check(candidate);
            if (outcome.passed()) {
                high = count;
                best = candidate;
                break;
            }
            lastFailure = outcome.failures();
            low = count;
            if (count == ranked.size()) {
                break;
            }
            count = Math.min(count * 2, ranked.size());
        }
        if (best == null) {
            return new Outcome(full, Map.of(), checks, false, lastFailure);
        }
        while (high - low > 1) {
            int middle = (low + high) / 2;
            OnnxModel candidate = build.apply(new LinkedHashSet<>(ranked.subList(0, middle)));
            checks++;
            ValidationOutcome outcome = check(candidate);
            if (outcome.passed()) {
                high = middle;
                best = candidate;
            } else {
                low = middle;
                lastFailure = outcome.failures();
            }
        }
        Map<String, Double> kept = new LinkedHashMap<>();
        ranked.subList(0, high).forEach(name -> kept.put(name, sensitivity.get(name)));
        return new Outcome(best, kept, checks, true, lastFailure);
    }

    /** The gate's verdict on a candidate over the calibration samples. */
    ValidationOutcome check(OnnxModel candidate) throws LatheException {
        return gate.judge(original, candidate, SessionSettings.cpu(), samples, task);
    }
}
