package dev.lathe.core.pipeline;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.task.Task;

/**
 * Validation that runs where its samples are: a validation sample source that is itself a
 * {@code ValidationService} (lathe-spark's texts on a cluster) judges the optimized model against the original
 * there, and the pipeline puts its outcome in the report instead of running the models on the samples in this
 * JVM. Implementations must give the outcome {@link ValidationGate#judge} gives on the same samples with CPU
 * sessions: the same sums and counts, merged exactly.
 */
public interface ValidationService {

    /**
     * Judges {@code optimized} against {@code original} on the first {@code maxSamples} samples with the gate.
     *
     * @throws IllegalArgumentException if the gate asks for something this service cannot run (evaluators)
     * @throws LatheException           if the models cannot be run
     */
    ValidationOutcome judge(ValidationGate gate, OnnxModel original, OnnxModel optimized, Task task, long maxSamples)
            throws LatheException;
}
