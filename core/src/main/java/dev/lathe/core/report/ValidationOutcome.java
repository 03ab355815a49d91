package dev.lathe.core.report;

import dev.lathe.core.runtime.Fidelity;
import java.util.List;
import java.util.Map;

/**
 * The result of the validation gate: the fidelity measured, evaluator metrics, and whether the optimized
 * model passed the thresholds.
 *
 * @param passed            whether every threshold held
 * @param failures          one line per threshold that did not hold
 * @param fidelity          optimized against original on the validation inputs
 * @param metrics           user evaluator results by name: {@code [original, optimized]}
 * @param writtenDespiteFailure whether the model was written although the gate failed (on request)
 */
public record ValidationOutcome(boolean passed, List<String> failures, Fidelity fidelity,
        Map<String, double[]> metrics, boolean writtenDespiteFailure) {

    /** Copies the collections. */
    public ValidationOutcome {
        failures = List.copyOf(failures);
        metrics = Map.copyOf(metrics);
    }

    /** The same outcome, marked as written although it failed. */
    public ValidationOutcome markWritten() {
        return new ValidationOutcome(passed, failures, fidelity, metrics, true);
    }
}
