package dev.lathe.core.pipeline;

import dev.lathe.core.LatheException;
import dev.lathe.core.runtime.ModelSession;

/**
 * A user-supplied quality metric, such as accuracy on labelled data: a session in, a number out (higher
 * is better). The validation gate runs it on the original and the optimized model and compares.
 */
public interface Evaluator {

    /** The metric's name, for reports ("accuracy", "recall@10"). */
    String name();

    /** Evaluates one model. */
    double evaluate(ModelSession session) throws LatheException;
}
