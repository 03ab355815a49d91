package dev.lathe.spark;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.testing.RealModels;
import dev.lathe.djl.text.EnglishSentences;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/** A local[2] Spark session (tasks retried as on a cluster) for one test class, and MiniLM with its tokenizer and real English sentences. */
final class SparkTestSession implements AutoCloseable {
    final SparkSession spark;
    final OnnxModel miniLm;
    final TextEncoding encoding;

    SparkTestSession(Path folder) throws Exception {
        // Two cores; a failed task is tried up to 4 times, as on a cluster (plain local[2] gives up at once, and a
        // part's result of ~135 MB was once reported lost by the block manager: TaskResultLost, which Spark retries).
        spark = SparkSession.builder().master("local[2,4]").appName("lathe-spark-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1").getOrCreate();
        miniLm = OnnxModel.load(RealModels.miniLm(folder));
        try (InputStream tokenizer = SparkTestSession.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            encoding = new TextEncoding(tokenizer.readAllBytes(), 128);
        }
    }

    /** The first {@code count} shipped English sentences. */
    static List<String> sentences(int count) throws IOException {
        return EnglishSentences.all().subList(0, count);
    }

    /** The texts in {@code partitions} partitions, in order. */
    Dataset<String> dataset(List<String> texts, int partitions) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataset(context.parallelize(texts, partitions).rdd(), Encoders.STRING());
    }

    SparkTextSamples samples(List<String> texts, int partitions) {
        return new SparkTextSamples(dataset(texts, partitions), encoding, miniLm, "english sentences");
    }

    @Override
    public void close() {
        spark.stop();
    }
}
