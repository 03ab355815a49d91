package dev.lathe.quantize.qdq;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.core.task.TaskMetrics;
import dev.lathe.quantize.qdq.QdqPlan.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accuracy-aware fallback: ranks the quantized nodes by the error each one adds, then returns the most
 * sensitive to float, the smallest number first, until the validation gate holds on calibration samples (the
 * held-out validation samples are never looked at). A node's own error is measured in isolation, in one run
 * of a probe model that holds the float network plus a quantized copy of every node reading the float inputs
 * ({@link Probe}): the relative squared error of the copy's output against the float output, averaged over
 * the samples. The number kept in float doubles (1, 2, 4 ...) until the gate holds, then a bisection finds the
 * smallest that does.
 */
final class Fallback {
    /** Samples the sensitivities are measured on. */
    static final int SENSITIVITY_SAMPLES = 8;

    /** Builds the quantized model with the named nodes left in float. */
    @FunctionalInterface
    interface Build {
        /** The quantized model. */
        OnnxModel apply(Set<String> keepFloat) throws LatheException;
    }

    /**
     * The float model with a quantized copy of every target ({@link QdqWriter#writeProbes}).
     *
     * @param outputs each target's name with its copy's dequantized output
     */
    record Probe(OnnxModel model, Map<String, String> outputs) {
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

    /** Checks the fully quantized model, and returns nodes to float while the gate fails. */
    Outcome search(QdqPlan plan, OnnxModel full, Build build, Probe probe) throws LatheException {
        int checks = 1;
        ValidationOutcome first = check(full);
        if (first.passed()) {
            return new Outcome(full, Map.of(), checks, true, List.of());
        }
        List<String> lastFailure = first.failures();
        Map<String, Double> sensitivity = sensitivities(plan, probe);
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
        TaskMetrics metrics = TaskMetrics.of(task);
        try (ModelSession reference = ModelSession.open(original, SessionSettings.cpu());
                ModelSession quantized = ModelSession.open(candidate, SessionSettings.cpu())) {
            Fidelity fidelity = FidelityMeter.compare(reference, quantized, samples, metrics::add);
            Map<String, double[]> evaluated = new LinkedHashMap<>();
            for (ValidationGate.EvaluatorCheck evaluator : gate.evaluators()) {
                evaluated.put(evaluator.evaluator().name(), new double[] {evaluator.evaluator().evaluate(reference),
                    evaluator.evaluator().evaluate(quantized)});
            }
            return gate.check(fidelity, task, metrics.results(), evaluated);
        }
    }

    /**
     * Each target's own error, largest first: the relative squared error of its quantized copy's output in
     * the probe model against its float output, averaged over the samples.
     */
    private Map<String, Double> sensitivities(QdqPlan plan, Probe probe) throws RuntimeFailureException {
        List<String> exposed = new ArrayList<>();
        for (Target target : plan.targets()) {
            exposed.add(target.output());
            exposed.add(probe.outputs().get(target.name()));
        }
        Map<String, Double> error = new LinkedHashMap<>();
        int count = Math.min(SENSITIVITY_SAMPLES, samples.size());
        try (ModelSession session = ModelSession.open(probe.model().exposing(exposed), SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples.subList(0, count)) {
                Map<String, TensorData> results = session.run(sample);
                for (Target target : plan.targets()) {
                    error.merge(target.name(), relativeError(results.get(target.output()).toFloatArray(),
                            results.get(probe.outputs().get(target.name())).toFloatArray()) / count, Double::sum);
                }
            }
        }
        Map<String, Double> ranked = new LinkedHashMap<>();
        error.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey())).forEach(e -> ranked.put(e.getKey(), e.getValue()));
        return ranked;
    }

    private static double relativeError(float[] expected, float[] actual) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            difference += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return norm == 0 ? (difference == 0 ? 0 : 1) : difference / norm;
    }
}
