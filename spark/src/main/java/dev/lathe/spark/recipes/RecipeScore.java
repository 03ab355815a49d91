package dev.lathe.spark.recipes;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One candidate recipe's row: what it wrote and how the result compares with the original.
 *
 * @param recipe      the pass specs, in order
 * @param modelBytes  the size of the optimized model's serialized bytes
 * @param passed      whether the optimized model passed the task's default validation gate
 * @param cosineMean  the lowest per-output mean cosine against the original
 * @param taskMetrics the task's metrics by name
 * @param failures    why validation failed; empty when it passed
 * @param seconds     how long the passes and the validation took on the executor
 */
public record RecipeScore(List<String> recipe, long modelBytes, boolean passed, double cosineMean,
        Map<String, Double> taskMetrics, List<String> failures, double seconds) implements Serializable {
}
