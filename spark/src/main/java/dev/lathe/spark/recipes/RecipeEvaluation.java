package dev.lathe.spark.recipes;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import dev.lathe.spark.executor.ShippedModel;
import dev.lathe.spark.executor.SparkJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * Scores candidate recipes on the executors, one task per candidate: the executor applies the candidate's
 * passes to the model with the first calibration texts (streamed in that JVM), validates the result against
 * the original on the first validation texts with the task's default gate and CPU sessions, and returns one
 * {@link RecipeScore}. The texts travel as a broadcast; the passes come from the executors' class path
 * ({@link PassRegistry}), so the application jar must carry them. A row equals what the same recipe scores
 * in one JVM on the same texts.
 */
public final class RecipeEvaluation {
    private RecipeEvaluation() {
    }

    /**
     * One row per candidate, in the candidates' order.
     *
     * @throws IllegalArgumentException if there is no candidate, a candidate has no pass, or a pass spec is unknown
     * @throws LatheException           if a Spark task fails
     */
    public static List<RecipeScore> evaluate(OnnxModel model, List<List<String>> candidates, SparkTextSamples calibration,
            int calibrationTexts, SparkTextSamples validation, int validationTexts) throws LatheException {
        if (candidates.isEmpty() || candidates.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException(model.source() + ": every candidate recipe needs at least one pass, got "
                    + candidates);
        }
        PassRegistry registry = PassRegistry.load();
        candidates.forEach(recipe -> recipe.forEach(registry::create));
        JavaSparkContext context = JavaSparkContext.fromSparkContext(calibration.texts().sparkSession().sparkContext());
        Broadcast<ShippedModel> shipped = context.broadcast(ShippedModel.of(model));
        Broadcast<ArrayList<String>> calibrationList = context.broadcast(new ArrayList<>(
                calibration.firsts(calibrationTexts).collect()));
        Broadcast<ArrayList<String>> validationList = context.broadcast(new ArrayList<>(
                validation.firsts(validationTexts).collect()));
        TextEncoding encoding = calibration.encoding();
        List<List<String>> recipes = new ArrayList<>();
        candidates.forEach(recipe -> recipes.add(new ArrayList<>(recipe)));
        Function<List<String>, RecipeScore> score = recipe -> score(shipped.value(), recipe, calibrationList.value(),
                validationList.value(), encoding);
        try {
            return SparkJobs.collect(model.source() + ": recipe evaluation on Spark",
                    () -> context.parallelize(recipes, recipes.size()).map(score).collect());
        } finally {
            shipped.destroy();
            calibrationList.destroy();
            validationList.destroy();
        }
    }

    /**
     * The row of one recipe, computed in this JVM (what each executor runs).
     *
     * @throws LatheException if a pass fails or a model cannot be run
     */
    public static RecipeScore score(ShippedModel shipped, List<String> recipe, List<String> calibrationTexts,
            List<String> validationTexts, TextEncoding encoding) throws LatheException {
        long start = System.nanoTime();
        OnnxModel original = shipped.load();
        OnnxModel optimized = original;
        PassRegistry registry = PassRegistry.load();
        try (TextSamples calibration = encoding.samples(calibrationTexts, "calibration texts", original);
                TextSamples validation = encoding.samples(validationTexts, "validation texts", original)) {
            PassContext context = new PassContext(ShapeBinding.none(), Optional.of(calibration), calibrationTexts.size(),
                    Optional.empty(), ProgressListener.none());
            for (String spec : recipe) {
                optimized = registry.create(spec).apply(optimized, context).model();
            }
            ValidationOutcome outcome = ValidationGate.taskDefaults().judge(original, optimized, SessionSettings.cpu(),
                    validation, Task.detect(original));
            return new RecipeScore(List.copyOf(recipe), optimized.proto().getSerializedSize(), outcome.passed(),
                    outcome.fidelity().cosineMean(), outcome.taskMetrics(), outcome.failures(),
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
