package dev.lathe.quantize.weightonly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.task.TaskMetrics;
import dev.lathe.core.testing.RealModels;
import dev.lathe.djl.testing.HeldOutSentences;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * all-MiniLM-L6-v2 through the weight-only passes, judged on 100 real sentences held out from calibration:
 * the saved models load in ONNX Runtime, are a fraction of the size, and keep the mean-pooled sentence
 * embeddings close (floors just under the README's figures); GPTQ calibrates on the given sentences (its
 * step details count their tokens), round-to-nearest runs without any.
 */
@Tag("slow")
class MiniLmWeightOnlyTest {

    @ParameterizedTest(name = "{0}, {1} calibration sentences")
    @CsvSource({"quantize.int4, 0, 0.25, 0.975, 0.955", "quantize.int4, 32, 0.25, 0.984, 0.970",
        "quantize.int8-weights, 0, 0.30, 0.998, 0.996"})
    void miniLmShrinksAndKeepsRealSentenceEmbeddings(String spec, int calibrationSentences, double maxSizeRatio,
            double minCosine, double minWorstCosine, @TempDir Path folder) throws Exception {
        OnnxModel fp32 = OnnxModel.load(RealModels.miniLm(folder));
        try (HeldOutSentences sentences = HeldOutSentences.forMiniLm(fp32)) {
            PassContext context = calibrationSentences == 0
                    ? new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none())
                    : sentences.context(calibrationSentences);

            PassResult result = PassRegistry.load().create(spec).apply(fp32, context);
            Path saved = folder.resolve("quantized.onnx");
            result.model().save(saved);
            Map<String, Double> metrics = sentences.judge(fp32, OnnxModel.load(saved));

            double sizeRatio = (double) Files.size(saved) / Files.size(fp32.file().orElseThrow());
            System.out.printf(Locale.ROOT, "MiniLM %s with %d calibration sentences: size %.3f, %s%n", spec,
                    calibrationSentences, sizeRatio, metrics);
            assertThat(result.details()).containsEntry("nodesQuantized", 36).containsEntry("gathersQuantized", 3)
                    .containsEntry("method", calibrationSentences > 0 ? "gptq" : "rtn");
            if (calibrationSentences > 0) {
                assertThat(context.calibrationRead()).contains(calibrationSentences);
                assertThat(((Number) result.details().get("calibrationTokens")).longValue()).isGreaterThan(
                        10L * calibrationSentences);
            }
            assertThat(sizeRatio).isLessThan(maxSizeRatio);
            assertThat(metrics.get(TaskMetrics.EMBEDDING_COSINE)).isGreaterThan(minCosine);
            assertThat(metrics.get(TaskMetrics.EMBEDDING_COSINE_MIN)).isGreaterThan(minWorstCosine);
        }
    }
}
