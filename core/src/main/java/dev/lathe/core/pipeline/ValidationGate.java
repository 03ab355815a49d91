package dev.lathe.core.pipeline;

import dev.lathe.core.model.TensorData;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.OutputFidelity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The thresholds an optimized model must meet against the original, on the same validation inputs:
 * minimum mean cosine similarity and maximum absolute error (for all outputs or per output), and user
 * {@link Evaluator}s with the drop each tolerates. Without thresholds the gate only measures. Immutable;
 * the {@code with*} methods return new gates.
 */
public final class ValidationGate {
    /** Validation samples generated when no inputs are given. */
    public static final int DEFAULT_SAMPLES = 8;

    private final Map<String, Double> minCosine;
    private final Map<String, Double> maxAbsError;
    private final List<EvaluatorCheck> evaluators;
    private final int samples;
    private final List<Map<String, TensorData>> inputs;

    /** A user metric and how much it may drop (in the metric's units). */
    public record EvaluatorCheck(Evaluator evaluator, double toleratedDrop) {
    }

    private ValidationGate(Map<String, Double> minCosine, Map<String, Double> maxAbsError, List<EvaluatorCheck> evaluators,
            int samples, List<Map<String, TensorData>> inputs) {
        this.minCosine = minCosine;
        this.maxAbsError = maxAbsError;
        this.evaluators = evaluators;
        this.samples = samples;
        this.inputs = inputs;
    }

    /** No thresholds: fidelity is measured on {@link #DEFAULT_SAMPLES} generated samples and reported. */
    public static ValidationGate measureOnly() {
        return new ValidationGate(Map.of(), Map.of(), List.of(), DEFAULT_SAMPLES, List.of());
    }

    /**
     * A gate from text such as {@code min-cosine=0.99,max-abs-error=0.05,samples=16}; a threshold for
     * one output is written {@code min-cosine:OUTPUT=0.995}.
     *
     * @throws IllegalArgumentException naming the valid keys when the text is not such a list
     */
    public static ValidationGate parse(String spec) {
        ValidationGate gate = measureOnly();
        for (String part : spec.split(",")) {
            String[] keyValue = part.split("=", 2);
            if (keyValue.length != 2 || keyValue[1].isBlank()) {
                throw new IllegalArgumentException("validation setting '" + part + "' is not key=value; valid keys: "
                        + "min-cosine, min-cosine:OUTPUT, max-abs-error, max-abs-error:OUTPUT, samples");
            }
            String key = keyValue[0].trim();
            String output = key.contains(":") ? key.substring(key.indexOf(':') + 1) : "";
            String base = key.contains(":") ? key.substring(0, key.indexOf(':')) : key;
            double value;
            try {
                value = Double.parseDouble(keyValue[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("validation setting " + key + " must be a number, got '" + keyValue[1] + "'");
            }
            gate = switch (base) {
                case "min-cosine" -> gate.withMinCosine(output, value);
                case "max-abs-error" -> gate.withMaxAbsError(output, value);
                case "samples" -> gate.withSamples((int) value);
                default -> throw new IllegalArgumentException("unknown validation setting '" + key
                        + "'; valid keys: min-cosine, min-cosine:OUTPUT, max-abs-error, max-abs-error:OUTPUT, samples");
            };
        }
        return gate;
    }

    /** This gate plus a minimum mean cosine for one output, or for every output when {@code output} is "". */
    public ValidationGate withMinCosine(String output, double value) {
        if (!(value >= -1 && value <= 1)) {
            throw new IllegalArgumentException("min-cosine must be in [-1, 1], got " + value);
        }
        Map<String, Double> copy = new LinkedHashMap<>(minCosine);
        copy.put(output, value);
        return new ValidationGate(copy, maxAbsError, evaluators, samples, inputs);
    }

    /** This gate plus a maximum absolute error for one output, or for every output when {@code output} is "". */
    public ValidationGate withMaxAbsError(String output, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException("max-abs-error must be >= 0, got " + value);
        }
        Map<String, Double> copy = new LinkedHashMap<>(maxAbsError);
        copy.put(output, value);
        return new ValidationGate(minCosine, copy, evaluators, samples, inputs);
    }

    /** This gate plus a user metric that may drop by at most {@code toleratedDrop}. */
    public ValidationGate withEvaluator(Evaluator evaluator, double toleratedDrop) {
        List<EvaluatorCheck> copy = new ArrayList<>(evaluators);
        copy.add(new EvaluatorCheck(evaluator, toleratedDrop));
        return new ValidationGate(minCosine, maxAbsError, copy, samples, inputs);
    }

    /** This gate with another number of generated samples. */
    public ValidationGate withSamples(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("validation needs at least one sample, got " + count);
        }
        return new ValidationGate(minCosine, maxAbsError, evaluators, count, inputs);
    }

    /** This gate validating on the given inputs instead of generated ones. */
    public ValidationGate withInputs(List<Map<String, TensorData>> given) {
        if (given.isEmpty()) {
            throw new IllegalArgumentException("validation inputs must not be empty");
        }
        return new ValidationGate(minCosine, maxAbsError, evaluators, given.size(), List.copyOf(given));
    }

    /** Generated samples to use when no inputs were given. */
    public int samples() {
        return samples;
    }

    /** The given validation inputs; empty means generate {@link #samples()} samples. */
    public List<Map<String, TensorData>> inputs() {
        return inputs;
    }

    /** The user metrics to run. */
    public List<EvaluatorCheck> evaluators() {
        return evaluators;
    }

    /**
     * Checks measured fidelity and metrics against the thresholds.
     *
     * @param metrics evaluator results by name, {@code [original, optimized]}
     * @throws IllegalArgumentException if a threshold names an output the model does not have
     */
    public ValidationOutcome check(Fidelity fidelity, Map<String, double[]> metrics) {
        List<String> failures = new ArrayList<>();
        List<String> outputs = fidelity.outputs().stream().map(OutputFidelity::output).toList();
        for (String named : concat(minCosine.keySet(), maxAbsError.keySet())) {
            if (!named.isEmpty() && !outputs.contains(named)) {
                throw new IllegalArgumentException("validation threshold names output '" + named + "'; the outputs are " + outputs);
            }
        }
        for (OutputFidelity output : fidelity.outputs()) {
            Double cosine = minCosine.getOrDefault(output.output(), minCosine.get(""));
            if (cosine != null && !(output.cosineMean() >= cosine)) {
                failures.add(String.format(Locale.ROOT, "output %s: mean cosine %.6f is below the minimum %.6f",
                        output.output(), output.cosineMean(), cosine));
            }
            Double error = maxAbsError.getOrDefault(output.output(), maxAbsError.get(""));
            if (error != null && !(output.maxAbsError() <= error)) {
                failures.add(String.format(Locale.ROOT, "output %s: max absolute error %.6g is above the maximum %.6g",
                        output.output(), output.maxAbsError(), error));
            }
        }
        for (EvaluatorCheck check : evaluators) {
            double[] values = metrics.get(check.evaluator().name());
            if (values != null && !(values[0] - values[1] <= check.toleratedDrop())) {
                failures.add(String.format(Locale.ROOT, "metric %s dropped from %.6g to %.6g, more than the tolerated %.6g",
                        check.evaluator().name(), values[0], values[1], check.toleratedDrop()));
            }
        }
        return new ValidationOutcome(failures.isEmpty(), failures, fidelity, metrics, false);
    }

    private static List<String> concat(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
