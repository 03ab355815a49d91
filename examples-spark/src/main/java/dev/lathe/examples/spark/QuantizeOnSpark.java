package dev.lathe.examples.spark;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.task.Task;
import dev.lathe.spark.LatheSpark;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Quantizes a text encoder with a pass whose calibration statistics are computed on the cluster, then
 * validates the result against the original over every held-out text, on the executors:
 *
 * <pre>
 * spark-submit --class dev.lathe.examples.spark.QuantizeOnSpark --master local[2] \
 *   lathe-examples-spark-VERSION-app.jar model.onnx tokenizer.json calibration.txt held-out.txt out.onnx [PASS]
 * </pre>
 *
 * The text files are anything {@code spark.read().textFile} reads (one text a line; HDFS, S3, local). PASS is a
 * pass spec such as {@code quantize.int8} (the default), {@code quantize.static} or {@code quantize.int4}.
 */
public final class QuantizeOnSpark {
    private QuantizeOnSpark() {
    }

    /** Runs it; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: QuantizeOnSpark MODEL TOKENIZER CALIBRATION_TEXTS HELD_OUT_TEXTS OUTPUT [PASS]");
            System.exit(2);
        }
        OnnxModel model = OnnxModel.load(Path.of(args[0]));
        TextEncoding encoding = TextEncoding.of(Path.of(args[1]), 128);
        String pass = args.length > 5 ? args[5] : "quantize.int8";
        SparkSession spark = SparkSession.builder().appName("lathe " + pass).getOrCreate();
        try {
            SparkTextSamples calibration = LatheSpark.texts(spark.read().textFile(args[2]), encoding, model, args[2]);
            PassContext context = new PassContext(ShapeBinding.none(), Optional.of(calibration),
                    PassContext.DEFAULT_CALIBRATION_LIMIT, Optional.empty(), ProgressListener.none());
            PassResult result = PassRegistry.load().create(pass).apply(model, context);
            result.model().save(Path.of(args[4]));
            System.out.println(pass + ": " + result.details());

            SparkTextSamples heldOut = LatheSpark.texts(spark.read().textFile(args[3]), encoding, model, args[3]);
            ValidationOutcome outcome = LatheSpark.validate(heldOut, model, result.model(), ValidationGate.taskDefaults(),
                    Task.detect(model), Long.MAX_VALUE);
            System.out.println("validation on " + outcome.fidelity().samples() + " texts: " + (outcome.passed() ? "passed"
                    : "FAILED " + outcome.failures()) + ", " + outcome.taskMetrics() + ", thresholds " + outcome.thresholds());
        } finally {
            spark.stop();
        }
    }
}
