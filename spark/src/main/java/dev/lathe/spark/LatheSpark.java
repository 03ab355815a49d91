package dev.lathe.spark;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.task.Task;
import dev.lathe.spark.calibration.DistributedCalibration;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import dev.lathe.spark.recipes.RecipeEvaluation;
import dev.lathe.spark.recipes.RecipeScore;
import dev.lathe.spark.validation.DistributedValidation;
import java.util.List;
import org.apache.spark.sql.Dataset;

/**
 * Lathe's Spark entry points. Texts in a {@code Dataset<String>} become {@link SparkTextSamples} for a model;
 * give those to {@code Pipeline.Builder.calibration} and every data-aware pass computes its statistics on the
 * executors, or ask for statistics directly with {@link #calibrate}; {@link #validate} judges an optimized
 * model against its original over all the texts; {@link #evaluateRecipes} scores candidate recipes on the
 * executors, one row each.
 *
 * <pre>{@code
 * SparkTextSamples texts = LatheSpark.texts(spark.read().textFile("s3://bucket/sentences.txt"),
 *         TextEncoding.of(Path.of("tokenizer.json"), 128), model, "sentences.txt");
 * Pipeline.builder().add(int8).calibration(texts).validationData(heldOut).build().run(model, output);
 * }</pre>
 */
public final class LatheSpark {
    private LatheSpark() {
    }

    /**
     * Texts as samples for a model, tokenized on the executors.
     *
     * @param name what the texts are, for reports
     * @throws IllegalArgumentException if the model has an input text cannot feed
     */
    public static SparkTextSamples texts(Dataset<String> texts, TextEncoding encoding, OnnxModel model, String name) {
        return new SparkTextSamples(texts, encoding, model, name);
    }

    /**
     * Per-channel statistics of values of {@code model} over the first {@code maxSamples} texts, computed on the
     * executors and merged exactly: equal, bit for bit, to {@link CalibrationStatistics#collect} on the same
     * texts in one JVM.
     *
     * @throws IllegalArgumentException if there is no text, or a request does not fit the model
     * @throws RuntimeFailureException  if a Spark task fails
     */
    public static CalibrationStatistics calibrate(SparkTextSamples texts, OnnxModel model, List<ChannelRequest> requests,
            int maxSamples) throws RuntimeFailureException {
        return DistributedCalibration.statistics(texts, model, requests, maxSamples);
    }

    /**
     * Validates {@code optimized} against {@code original} on the first {@code maxSamples} texts with CPU
     * sessions on the executors, metrics aggregated exactly: the outcome equals {@link ValidationGate#judge}
     * on the same texts in one JVM with {@code SessionSettings.cpu()}.
     *
     * @param task the models' task ({@link Task#detect} tells it from the original)
     * @throws IllegalArgumentException if the gate has evaluators, or there is no text
     * @throws LatheException           if a Spark task fails
     */
    public static ValidationOutcome validate(SparkTextSamples texts, OnnxModel original, OnnxModel optimized,
            ValidationGate gate, Task task, long maxSamples) throws LatheException {
        return DistributedValidation.validate(texts, original, optimized, gate, task, maxSamples);
    }

    /**
     * Scores candidate recipes (each a list of pass specs, such as {@code ["fuse", "quantize.int8"]}) on the
     * executors, one task and one row per candidate, in order: passes calibrated on the first
     * {@code calibrationTexts} texts, the result judged against the original on the first
     * {@code validationTexts} validation texts with the task's default gate.
     *
     * @throws IllegalArgumentException if a candidate is empty or names an unknown pass
     * @throws LatheException           if a Spark task fails
     */
    public static List<RecipeScore> evaluateRecipes(OnnxModel model, List<List<String>> candidates,
            SparkTextSamples calibration, int calibrationTexts, SparkTextSamples validation, int validationTexts)
            throws LatheException {
        return RecipeEvaluation.evaluate(model, candidates, calibration, calibrationTexts, validation, validationTexts);
    }
}
