package dev.lathe.core.pipeline;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.OutputFidelity;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.core.task.TaskMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The thresholds an optimized model must meet against the original, on the same validation inputs:
 * minimum mean cosine similarity and maximum absolute error (for all outputs or per output), minimums on
 * the task's metrics ({@link TaskMetrics}: {@code min-embedding-cosine}, {@code min-overlap},
 * {@code min-top1}, {@code min-top5}, {@code min-iou}, {@code min-decode-agreement}), and user
 * {@link Evaluator}s with the drop each tolerates. Immutable; the {@code with*} methods return new gates.
 *
 * <p>Three modes: {@link #taskDefaults()} (the default) checks the thresholds of the model's task
 * ({@link #defaultThresholds}) unless thresholds are given; a gate with thresholds checks exactly those;
 * {@link #measureOnly()} checks nothing, and the outcome says "not checked", never "passed".
 */
public final class ValidationGate {
    /** Validation samples generated when no data is given. */
    public static final int DEFAULT_SAMPLES = 8;
    /** Real validation samples used at most, unless {@code samples=} says otherwise. */
    public static final int DEFAULT_REAL_SAMPLES = 200;
    private static final Map<String, String> METRIC_KEYS = Map.of(
            "min-embedding-cosine", TaskMetrics.EMBEDDING_COSINE,
            "min-overlap", TaskMetrics.OVERLAP,
            "min-top1", TaskMetrics.TOP1,
            "min-top5", TaskMetrics.TOP5,
            "min-iou", TaskMetrics.IOU,
            "min-decode-agreement", TaskMetrics.DECODE);
    private static final String VALID_KEYS = "min-cosine, min-cosine:OUTPUT, max-abs-error, max-abs-error:OUTPUT, "
            + "min-embedding-cosine, min-overlap, min-top1, min-top5, min-iou, min-decode-agreement, samples; or none";

    private enum Mode { TASK_DEFAULTS, GIVEN, NONE }

    private final Mode mode;
    private final Map<String, Double> minCosine;
    private final Map<String, Double> maxAbsError;
    private final Map<String, Double> minMetric;
    private final List<EvaluatorCheck> evaluators;
    private final int samples;
    private final List<Map<String, TensorData>> inputs;

    /** A user metric and how much it may drop (in the metric's units). */
    public record EvaluatorCheck(Evaluator evaluator, double toleratedDrop) {
    }

    private ValidationGate(Mode mode, Map<String, Double> minCosine, Map<String, Double> maxAbsError,
            Map<String, Double> minMetric, List<EvaluatorCheck> evaluators, int samples, List<Map<String, TensorData>> inputs) {
        this.mode = mode;
        this.minCosine = minCosine;
        this.maxAbsError = maxAbsError;
        this.minMetric = minMetric;
        this.evaluators = evaluators;
        this.samples = samples;
        this.inputs = inputs;
    }

    /** The default gate: the thresholds of the model's task ({@link #defaultThresholds}). */
    public static ValidationGate taskDefaults() {
        return new ValidationGate(Mode.TASK_DEFAULTS, Map.of(), Map.of(), Map.of(), List.of(), 0, List.of());
    }

    /** No thresholds: fidelity is measured and reported, and the outcome says it was not checked. */
    public static ValidationGate measureOnly() {
        return new ValidationGate(Mode.NONE, Map.of(), Map.of(), Map.of(), List.of(), 0, List.of());
    }

    /**
     * The thresholds checked for a task when none are given: sentence embeddings
     * {@code min-embedding-cosine=0.98,min-overlap=0.8}; classifiers {@code min-top1=0.95}; dense maps
     * {@code min-iou=0.8}; sequences {@code min-decode-agreement=0.9}; anything else {@code min-cosine=0.98}.
     * At these levels a quantized encoder that works passes (MiniLM int8: 0.998 and 0.95 on real sentences)
     * and one that is broken on real inputs does not.
     */
    public static String defaultThresholds(Task task) {
        if (task instanceof Task.SentenceEmbedding) {
            return "min-embedding-cosine=0.98,min-overlap=0.8";
        } else if (task instanceof Task.Classifier) {
            return "min-top1=0.95";
        } else if (task instanceof Task.DenseMap) {
            return "min-iou=0.8";
        } else if (task instanceof Task.SequenceDecode) {
            return "min-decode-agreement=0.9";
        }
        return "min-cosine=0.98";
    }

    /**
     * A gate from text such as {@code min-cosine=0.99,max-abs-error=0.05,samples=16} or
     * {@code min-overlap=0.95,min-embedding-cosine=0.995}; a threshold for one output is written
     * {@code min-cosine:OUTPUT=0.995}; {@code none} checks nothing; {@code samples=N} alone keeps the task's
     * default thresholds.
     *
     * @throws IllegalArgumentException naming the valid keys when the text is not such a list
     */
    public static ValidationGate parse(String spec) {
        if (spec.trim().equals("none")) {
            return measureOnly();
        }
        ValidationGate gate = taskDefaults();
        for (String part : spec.split(",")) {
            String[] keyValue = part.split("=", 2);
            if (keyValue.length != 2 || keyValue[1].isBlank()) {
                throw new IllegalArgumentException("validation setting '" + part + "' is not key=value; valid keys: "
                        + VALID_KEYS);
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
            if (METRIC_KEYS.containsKey(base) && output.isEmpty()) {
                gate = gate.withMinMetric(METRIC_KEYS.get(base), value);
                continue;
            }
            gate = switch (base) {
                case "min-cosine" -> gate.withMinCosine(output, value);
                case "max-abs-error" -> gate.withMaxAbsError(output, value);
                case "samples" -> gate.withSamples((int) value);
                default -> throw new IllegalArgumentException("unknown validation setting '" + key + "'; valid keys: "
                        + VALID_KEYS);
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
        return new ValidationGate(Mode.GIVEN, copy, maxAbsError, minMetric, evaluators, samples, inputs);
    }

    /** This gate plus a maximum absolute error for one output, or for every output when {@code output} is "". */
    public ValidationGate withMaxAbsError(String output, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException("max-abs-error must be >= 0, got " + value);
        }
        Map<String, Double> copy = new LinkedHashMap<>(maxAbsError);
        copy.put(output, value);
        return new ValidationGate(Mode.GIVEN, minCosine, copy, minMetric, evaluators, samples, inputs);
    }

    /**
     * This gate plus a minimum on a task metric ({@link TaskMetrics}' names, such as {@code overlap@10}).
     *
     * @throws IllegalArgumentException if the value is not in [0, 1] (or [-1, 1] for cosines)
     */
    public ValidationGate withMinMetric(String metric, double value) {
        double lowest = metric.contains("cosine") ? -1 : 0;
        if (!(value >= lowest && value <= 1)) {
            throw new IllegalArgumentException("the minimum " + metric + " must be in [" + (int) lowest + ", 1], got " + value);
        }
        Map<String, Double> copy = new LinkedHashMap<>(minMetric);
        copy.put(metric, value);
        return new ValidationGate(Mode.GIVEN, minCosine, maxAbsError, copy, evaluators, samples, inputs);
    }

    /** This gate plus a user metric that may drop by at most {@code toleratedDrop}. */
    public ValidationGate withEvaluator(Evaluator evaluator, double toleratedDrop) {
        List<EvaluatorCheck> copy = new ArrayList<>(evaluators);
        copy.add(new EvaluatorCheck(evaluator, toleratedDrop));
        return new ValidationGate(mode == Mode.NONE ? Mode.GIVEN : mode, minCosine, maxAbsError, minMetric, copy,
                samples, inputs);
    }

    /** This gate with another number of validation samples (generated, or the most real ones read). */
    public ValidationGate withSamples(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("validation needs at least one sample, got " + count);
        }
        return new ValidationGate(mode, minCosine, maxAbsError, minMetric, evaluators, count, inputs);
    }

    /** This gate validating on the given inputs instead of the pipeline's validation data. */
    public ValidationGate withInputs(List<Map<String, TensorData>> given) {
        if (given.isEmpty()) {
            throw new IllegalArgumentException("validation inputs must not be empty");
        }
        return new ValidationGate(mode, minCosine, maxAbsError, minMetric, evaluators, given.size(), List.copyOf(given));
    }

    /** Validation samples to use: as set, else {@link #DEFAULT_REAL_SAMPLES} real or {@link #DEFAULT_SAMPLES} generated. */
    public int samples(boolean real) {
        return samples > 0 ? samples : real ? DEFAULT_REAL_SAMPLES : DEFAULT_SAMPLES;
    }

    /** The given validation inputs; empty means the pipeline's validation data. */
    public List<Map<String, TensorData>> inputs() {
        return inputs;
    }

    /** The user metrics to run. */
    public List<EvaluatorCheck> evaluators() {
        return evaluators;
    }

    /** Whether this gate checks anything (false for {@link #measureOnly()}). */
    public boolean checks() {
        return mode != Mode.NONE;
    }

    /**
     * Runs a reference and a candidate model on the same samples and checks the candidate: output fidelity,
     * the task's metrics and every evaluator of this gate. What the pipeline does on held-out samples, and
     * what passes that choose between candidates (static quantization's fallback, automatic quantization)
     * do on calibration samples.
     *
     * @throws RuntimeFailureException if ONNX Runtime cannot load or run a model
     */
    public ValidationOutcome judge(OnnxModel reference, OnnxModel candidate, SessionSettings settings,
            Iterable<Map<String, TensorData>> samples, Task task) throws LatheException {
        TaskMetrics taskMetrics = TaskMetrics.of(task);
        try (ModelSession original = ModelSession.open(reference, settings);
                ModelSession optimized = ModelSession.open(candidate, settings)) {
            Fidelity fidelity = FidelityMeter.compare(original, optimized, samples, taskMetrics::add);
            Map<String, double[]> metrics = new LinkedHashMap<>();
            for (EvaluatorCheck check : evaluators) {
                metrics.put(check.evaluator().name(), new double[] {check.evaluator().evaluate(original),
                    check.evaluator().evaluate(optimized)});
            }
            return check(fidelity, task, taskMetrics.results(), metrics);
        }
    }

    /**
     * Checks measured fidelity, task metrics and evaluator metrics against the thresholds. A threshold on a
     * task metric that was not measured fails when it was given, and is skipped (and said so) when it is
     * a task default; when none of the task's default metrics could be measured (a detection map that
     * neither model marks anywhere), the outputs' default {@code min-cosine} is checked instead.
     *
     * @param task        the model's task
     * @param taskMetrics the task's metrics by name
     * @param metrics     evaluator results by name, {@code [original, optimized]}
     * @throws IllegalArgumentException if a threshold names an output the model does not have
     */
    public ValidationOutcome check(Fidelity fidelity, Task task, Map<String, Double> taskMetrics,
            Map<String, double[]> metrics) {
        ValidationGate applied = mode == Mode.TASK_DEFAULTS ? parse(defaultThresholds(task)) : this;
        List<String> thresholds = new ArrayList<>();
        if (mode == Mode.TASK_DEFAULTS && !applied.minMetric.isEmpty()
                && applied.minMetric.keySet().stream().noneMatch(taskMetrics::containsKey)) {
            // Nothing the task's gate looks at was measured (a map nobody marks): judge the outputs instead.
            applied = parse(defaultThresholds(new Task.Generic()));
            thresholds.add("no " + task.name() + " metric could be measured on these samples; checking the outputs");
        }
        List<String> failures = new ArrayList<>();
        List<String> outputs = fidelity.outputs().stream().map(OutputFidelity::output).toList();
        for (String named : concat(applied.minCosine.keySet(), applied.maxAbsError.keySet())) {
            if (!named.isEmpty() && !outputs.contains(named)) {
                throw new IllegalArgumentException("validation threshold names output '" + named + "'; the outputs are "
                        + outputs);
            }
        }
        applied.minCosine.forEach((output, value) -> thresholds.add("min-cosine" + (output.isEmpty() ? "" : ":" + output)
                + "=" + value));
        applied.maxAbsError.forEach((output, value) -> thresholds.add("max-abs-error" + (output.isEmpty() ? "" : ":" + output)
                + "=" + value));
        for (OutputFidelity output : fidelity.outputs()) {
            Double cosine = applied.minCosine.getOrDefault(output.output(), applied.minCosine.get(""));
            if (cosine != null && !(output.cosineMean() >= cosine)) {
                failures.add(String.format(Locale.ROOT, "output %s: mean cosine %.6f is below the minimum %.6f",
                        output.output(), output.cosineMean(), cosine));
            }
            Double error = applied.maxAbsError.getOrDefault(output.output(), applied.maxAbsError.get(""));
            if (error != null && !(output.maxAbsError() <= error)) {
                failures.add(String.format(Locale.ROOT, "output %s: max absolute error %.6g is above the maximum %.6g",
                        output.output(), output.maxAbsError(), error));
            }
        }
        applied.minMetric.forEach((metric, minimum) -> {
            Double measured = taskMetrics.get(metric);
            if (measured == null) {
                if (mode == Mode.TASK_DEFAULTS) {
                    thresholds.add(metric + " >= " + minimum + " (skipped: not measured on these samples)");
                } else {
                    thresholds.add(metric + " >= " + minimum);
                    failures.add(metric + " was not measured (task " + task.name() + ", " + fidelity.samples()
                            + " samples), so its minimum " + minimum + " cannot be checked");
                }
                return;
            }
            thresholds.add(metric + " >= " + minimum);
            if (!(measured >= minimum)) {
                failures.add(String.format(Locale.ROOT, "%s %.6f is below the minimum %.6f", metric, measured, minimum));
            }
        });
        for (EvaluatorCheck check : evaluators) {
            thresholds.add(check.evaluator().name() + " drops at most " + check.toleratedDrop());
            double[] values = metrics.get(check.evaluator().name());
            if (values != null && !(values[0] - values[1] <= check.toleratedDrop())) {
                failures.add(String.format(Locale.ROOT, "metric %s dropped from %.6g to %.6g, more than the tolerated %.6g",
                        check.evaluator().name(), values[0], values[1], check.toleratedDrop()));
            }
        }
        return new ValidationOutcome(mode != Mode.NONE, failures.isEmpty(), thresholds, failures, fidelity, task.name(),
                taskMetrics, metrics, false);
    }

    private static List<String> concat(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
