package dev.lathe.quantize.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.task.TaskMetrics;
import dev.lathe.core.testing.RealModels;
import dev.lathe.djl.testing.HeldOutSentences;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sentence encoders exported from PyTorch (all-MiniLM-L6-v2, 6 layers; bge-small-en-v1.5, 12 layers) through
 * {@code fuse} and through {@code quantize.int8} (which fuses first), judged on 100 real sentences held out from
 * calibration, each tokenized by the model's own tokenizer: every layer's attention and residual layer norms fuse,
 * the fused fp32 model computes the same embeddings, and int8 runs attention as QAttention and stays as close as
 * the README says (floors just under its figures).
 */
@Tag("slow")
class EncoderFusedInt8Test {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"all-MiniLM-L6-v2, /all-minilm-l6-v2-tokenizer.json, 6, 0.9975, 0.94",
        "bge-small-en-v1.5, /bge-small-en-v1.5-tokenizer.json, 12, 0.9985, 0.95"})
    void fusedAndQuantizedEncodersKeepTheirRealSentenceEmbeddings(String name, String tokenizer, int layers,
            double minCosine, double minOverlap, @TempDir Path folder) throws Exception {
        OnnxModel fp32 = OnnxModel.load(layers == 6 ? RealModels.miniLm(folder) : RealModels.bgeSmall(folder));
        try (HeldOutSentences sentences = HeldOutSentences.forModel(fp32, tokenizer)) {
            PassResult fused = PassRegistry.load().create("fuse").apply(fp32, sentences.context(32));
            PassResult int8 = PassRegistry.load().create("quantize.int8").apply(fp32, sentences.context(32));
            Map<String, Double> fusedMetrics = sentences.judge(fp32, fused.model());
            Map<String, Double> int8Metrics = sentences.judge(fp32, int8.model());

            System.out.printf(Locale.ROOT, "%s fused: %s; int8 (fused): %s%n", name, fusedMetrics, int8Metrics);
            assertThat(fused.details().get("fused")).isEqualTo(Map.of("Attention", layers, "SkipLayerNormalization", 2 * layers,
                    "EmbedLayerNormalization", 1));
            assertThat(fusedMetrics.get(TaskMetrics.EMBEDDING_COSINE)).isGreaterThan(0.99999);
            assertThat(int8.details()).containsEntry("attentionsQuantized", layers).containsEntry("matMulsQuantized", 3 * layers);
            assertThat(int8.model().proto().getGraph().getNodeList().stream().map(NodeProto::getOpType))
                    .contains("QAttention", "SkipLayerNormalization", "DynamicQuantizeMatMul")
                    .doesNotContain("Attention", "Softmax", "MatMul");
            assertThat(int8Metrics.get(TaskMetrics.EMBEDDING_COSINE)).isGreaterThan(minCosine);
            assertThat(int8Metrics.get(TaskMetrics.OVERLAP)).isGreaterThan(minOverlap);
        }
    }
}
