package dev.lathe.spark.executor;

import dev.lathe.core.RuntimeFailureException;
import java.util.function.Supplier;

/** Runs a Spark action and turns a failed job into Lathe's runtime failure, with the task's own cause. */
public final class SparkJobs {
    private SparkJobs() {
    }

    /**
     * The action's result.
     *
     * @param what what the job computes, for the message
     * @throws IllegalArgumentException when a task threw one (a model or request that does not fit), unwrapped
     * @throws RuntimeFailureException  when the job failed otherwise
     */
    public static <T> T collect(String what, Supplier<T> action) throws RuntimeFailureException {
        try {
            return action.get();
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root instanceof IllegalArgumentException argument) {
                throw new IllegalArgumentException(argument.getMessage(), e);
            }
            throw new RuntimeFailureException(what + " failed: " + root, e);
        }
    }
}
