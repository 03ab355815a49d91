package dev.lathe.core.report;

import dev.lathe.core.runtime.Fidelity;
import java.util.List;
import java.util.Map;

/**
 * The result of the validation gate: the fidelity measured, the task's metrics, evaluator metrics, the
 * thresholds checked and whether the optimized model met them.
 *
 * @param checked               whether any threshold was checked; when false the model was only measured
 *                              and reports say "not checked", never "passed"
 * @param passed                whether every threshold checked held (true when nothing was checked)
 * @param thresholds            the thresholds checked, as text
 * @param failures              one line per threshold that did not hold
 * @param fidelity              optimized against original on the validation inputs
 * @param task                  the model's task as detected or given (sentence-embedding, classifier, ...)
 * @param taskMetrics           the task's metrics by name (see {@code TaskMetrics})
 * @param metrics               user evaluator results by name: {@code [original, optimized]}
 * @param writtenDespiteFailure whether the model was written although the gate failed (on request)
 */
public record ValidationOutcome(boolean checked, boolean passed, List<String> thresholds, List<String> failures,
        Fidelity fidelity, String task, Map<String, Double> taskMetrics, Map<String, double[]> metrics,
        boolean writtenDespiteFailure) {

    /** Copies the collections. */
    public ValidationOutcome {
        thresholds = List.copyOf(thresholds);
        failures = List.copyOf(failures);
        taskMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(taskMetrics));
        metrics = Map.copyOf(metrics);
    }

    /** The same outcome, marked as written although it failed. */
    public ValidationOutcome markWritten() {
        return new ValidationOutcome(checked, passed, thresholds, failures, fidelity, task, taskMetrics, metrics, true);
    }
}
