package dev.lathe.examples.spark;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.djl.text.EnglishSentences;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.LatheSpark;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * How distributed validation scales: an original and an optimized model over N texts (default 20,000: pairs
 * of two different shipped English sentences), first in one JVM ({@link ValidationGate#judge}), then with
 * {@link LatheSpark#validate} on each Spark master given (e.g. {@code local[1] local[2]}), each timed after
 * a warm-up run on the same session. Prints seconds, the speed-up over one JVM and the per-sample overhead,
 * and checks that the figures equal the one-JVM figures. The task is generic (output fidelity only): a
 * sentence-embedding task's overlap@10 compares all pairs on the driver and would dominate at this size.
 *
 * <pre>
 * java --add-opens ... -cp APP_JAR:SPARK_JARS dev.lathe.examples.spark.ValidationScaling \
 *   original.onnx optimized.onnx tokenizer.json 20000 local[1] local[2]
 * </pre>
 */
public final class ValidationScaling {
    private ValidationScaling() {
    }

    /** Runs it; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        OnnxModel original = OnnxModel.load(Path.of(args[0]));
        OnnxModel optimized = OnnxModel.load(Path.of(args[1]));
        TextEncoding encoding = TextEncoding.of(Path.of(args[2]), 128);
        int count = Integer.parseInt(args[3]);
        List<String> texts = texts(count);
        Task task = new Task.Generic();
        ValidationGate gate = ValidationGate.taskDefaults();

        long start = System.nanoTime();
        ValidationOutcome one;
        try (TextSamples samples = encoding.samples(texts, "sentence pairs", original)) {
            one = gate.judge(original, optimized, SessionSettings.cpu(), samples, task);
        }
        double single = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "one JVM: %d texts in %.1f s (%.2f ms a text)%n", count, single, 1000 * single / count);
        for (int m = 4; m < args.length; m++) {
            SparkSession spark = SparkSession.builder().master(args[m]).appName("lathe validation scaling")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                int partitions = Math.max(2, spark.sparkContext().defaultParallelism() * 2);
                SparkTextSamples samples = LatheSpark.texts(spark.createDataset(JavaSparkContext
                        .fromSparkContext(spark.sparkContext()).parallelize(texts, partitions).rdd(), Encoders.STRING())
                        .cache(), encoding, original, "sentence pairs");
                LatheSpark.validate(samples, original, optimized, gate, task, 200);
                start = System.nanoTime();
                ValidationOutcome outcome = LatheSpark.validate(samples, original, optimized, gate, task, count);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "%s (%d partitions): %.1f s, speed-up %.2f over one JVM, overhead %+.2f ms a "
                        + "text against one JVM's per-core time; figures equal one JVM's: %b%n", args[m], partitions, seconds,
                        single / seconds, 1000 * (seconds * spark.sparkContext().defaultParallelism() - single) / count,
                        outcome.fidelity().equals(one.fidelity()) && outcome.taskMetrics().equals(one.taskMetrics()));
            } finally {
                spark.stop();
            }
        }
    }

    /** N texts, each two different shipped English sentences. */
    static List<String> texts(int count) throws java.io.IOException {
        List<String> sentences = EnglishSentences.all();
        int n = sentences.size();
        if (count > n * (n - 1)) {
            throw new IllegalArgumentException("at most " + n * (n - 1) + " distinct pairs, asked for " + count);
        }
        List<String> texts = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int first = k % n;
            int second = (first + 1 + k / n) % n;
            texts.add(sentences.get(first) + " " + sentences.get(second));
        }
        return texts;
    }
}
