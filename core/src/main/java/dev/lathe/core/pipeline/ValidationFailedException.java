package dev.lathe.core.pipeline;

import dev.lathe.core.LatheException;
import dev.lathe.core.report.OptimizationReport;

/**
 * The optimized model missed a validation threshold, so nothing was written. The report says by how much
 * and holds everything else that was measured.
 */
public class ValidationFailedException extends LatheException {
    private static final long serialVersionUID = 1L;

    private final transient OptimizationReport report;

    /** Creates the exception; the message lists the failed thresholds. */
    public ValidationFailedException(String message, OptimizationReport report) {
        super(message);
        this.report = report;
    }

    /** The full report of the run that failed validation. */
    public OptimizationReport report() {
        return report;
    }
}
