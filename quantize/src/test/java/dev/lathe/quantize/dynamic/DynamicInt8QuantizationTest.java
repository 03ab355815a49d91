package dev.lathe.quantize.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.provider.CpuFeatures;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic int8 quantization on tiny models (exact structure, ONNX Runtime fidelity) and on MiniLM. */
class DynamicInt8QuantizationTest {
    private static final PassContext NO_CALIBRATION = new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none());

    private static PassResult quantize(OnnxModel model, String spec, PassContext context) throws Exception {
        return PassRegistry.load().create(spec).apply(model, context);
    }

    private static List<String> opTypes(Graph graph) {
        return graph.nodes().stream().map(NodeProto::getOpType).toList();
    }

    private static Fidelity fidelity(OnnxModel reference, OnnxModel candidate, Map<String, long[]> shapes) throws Exception {
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            return FidelityMeter.compare(a, b, InputGenerator.samples(reference, shapes, 4, 9));
        }
    }

    @Test
    void gemmAndMatMulBecomeDynamicQuantizeMatMulWithTheirBiases() throws Exception {
        OnnxModel mlp = TestModels.mlp();

        PassResult result = quantize(mlp, "quantize.int8:min-size=0", NO_CALIBRATION);

        OnnxModel quantized = result.model();
        assertThat(opTypes(quantized.graph())).containsExactly("DynamicQuantizeMatMul", "Relu", "DynamicQuantizeMatMul");
        NodeProto second = quantized.graph().nodes().get(2);
        assertThat(second.getDomain()).isEqualTo("com.microsoft");
        assertThat(second.getOutput(0)).isEqualTo("y");
        assertThat(second.getInput(4)).isEqualTo("b2");
        assertThat(quantized.graph().initializer(second.getInput(1)).orElseThrow().getDataType()).isEqualTo(DataType.INT8.code());
        assertThat(quantized.graph().initializer(second.getInput(2)).orElseThrow().getDimsList()).containsExactly(3L);
        assertThat(second.getInput(3)).isEmpty();
        assertThat(quantized.opsetVersion("com.microsoft")).contains(1L);
        assertThat(result.details()).containsEntry("matMulsQuantized", 2).containsEntry("biasesFolded", 1);
        assertThat(ModelInvariants.violations(quantized.graph())).isEmpty();
        assertThat(fidelity(mlp, quantized, Map.of("x", new long[] {8, 4})).cosineMin()).isGreaterThan(0.999);
    }

    @Test
    void embeddingTablesAreGatheredIn8BitsAndDequantizedPerRow() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        OnnxModel quantized = quantize(block, "quantize.int8:min-size=0", NO_CALIBRATION).model();

        assertThat(opTypes(quantized.graph())).contains("DynamicQuantizeMatMul", "Cast");
        assertThat(quantized.graph().initializers().values()).anySatisfy(t -> {
            assertThat(t.getDataType()).isEqualTo(DataType.INT8.code());
            assertThat(t.getDimsList()).containsExactly(16L, 8L);
        });
        assertThat(quantized.graph().initializer("embedding")).isEmpty();
        Fidelity fidelity = fidelity(block, quantized, Map.of("input_ids", new long[] {2, 6}, "attention_mask", new long[] {2, 6}));
        assertThat(fidelity.cosineMin()).isGreaterThan(0.995);
    }

    @Test
    void theEmbeddingLayerStaysUnfusedSoItsTablesAreQuantizedAndAFusedOneIsReported() throws Exception {
        OnnxModel embeddings = TestModels.bertEmbeddings(0, false);

        PassResult own = quantize(embeddings, "quantize.int8:min-size=0", NO_CALIBRATION);
        assertThat(opTypes(own.model().graph())).doesNotContain("EmbedLayerNormalization");
        assertThat(own.details()).containsEntry("gathersQuantized", 3);

        Map<String, TensorData> tokens = Map.of("input_ids", TensorData.ofLongs(new long[] {1, 4}, 3, 9, 15, 1),
                "token_type_ids", TensorData.ofLongs(new long[] {1, 4}, 0, 0, 1, 1));
        OnnxModel fused = quantize(embeddings, "fuse", new PassContext(ShapeBinding.none(), List.of(tokens),
                ProgressListener.none())).model();
        assertThat(opTypes(fused.graph())).contains("EmbedLayerNormalization");
        PassResult chained = quantize(fused, "quantize.int8:min-size=0", NO_CALIBRATION);
        assertThat(chained.details()).containsEntry("gathersQuantized", 0);
        assertThat(chained.details().get("skipped").toString())
                .contains("embedding tables read by EmbedLayerNormalization, which takes them in float");
    }

    @Test
    void constantNodeAndSubgraphWeightsAreQuantized() throws Exception {
        OnnxModel constants = quantize(TestModels.constantNodeWeights(), "quantize.int8:min-size=0", NO_CALIBRATION).model();
        // The weights' Constant nodes are gone; the biases' stay, read as DynamicQuantizeMatMul bias inputs.
        assertThat(opTypes(constants.graph())).containsExactly("Constant", "DynamicQuantizeMatMul", "Relu", "Constant",
                "DynamicQuantizeMatMul");
        assertThat(constants.constants()).extracting(c -> c.name()).contains("b1", "b2").doesNotContain("w1", "w2");

        OnnxModel branches = quantize(TestModels.ifSubgraphWeights(), "quantize.int8:min-size=0", NO_CALIBRATION).model();
        for (Graph branch : branches.graph().withAllSubgraphs().subList(1, 3)) {
            assertThat(opTypes(branch)).containsExactly("DynamicQuantizeMatMul");
            assertThat(branch.initializers()).hasSize(2);
        }
        try (ModelSession session = ModelSession.open(branches, SessionSettings.cpu())) {
            assertThat(session.run(Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 1, 2, 3, 4),
                    "flag", TensorData.ofBooleans(new long[0], true))).get("y").shape()).containsExactly(1, 4);
        }
    }

    @Test
    void aSharedWeightIsQuantizedOnce() throws Exception {
        TestModels.Builder g = TestModels.builder("shared");
        String x = g.input("x", DataType.FLOAT, 2, 8);
        String w = g.weight("w", 8, 8);
        String h = g.node("MatMul", x, w).output();
        g.node("MatMul", h, w).output("y");
        g.output("y", DataType.FLOAT, 2, 8);

        OnnxModel quantized = quantize(TestModels.model(g.build()), "quantize.int8:min-size=0", NO_CALIBRATION).model();

        assertThat(quantized.graph().initializers().keySet()).containsExactlyInAnyOrder("w_quantized", "w_scale");
    }

    @Test
    void smoothingUsesCalibrationInputsAndKeepsOutputsClose() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        Map<String, long[]> shapes = Map.of("input_ids", new long[] {1, 6}, "attention_mask", new long[] {1, 6});
        PassContext calibrated = new PassContext(ShapeBinding.none(), InputGenerator.samples(block, shapes, 4, 1),
                ProgressListener.none());

        PassResult result = quantize(block, "quantize.int8:min-size=0", calibrated);

        assertThat((String) result.details().get("smoothing")).startsWith("alpha 0.7 on");
        assertThat(opTypes(result.model().graph())).contains("Mul");
        assertThat(fidelity(block, result.model(), shapes).cosineMin()).isGreaterThan(0.995);
        assertThat(quantize(block, "quantize.int8:min-size=0", NO_CALIBRATION).details())
                .containsEntry("smoothing", "off: no calibration data (SmoothQuant needs real inputs; pass --data)");
    }

    @Test
    void fusedAttentionBecomesQAttentionOrAPackedDynamicMatMulWithMultiHeadAttention() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        Map<String, long[]> shapes = Map.of("input_ids", new long[] {1, 6}, "attention_mask", new long[] {1, 6});
        PassContext calibrated = new PassContext(ShapeBinding.none(), InputGenerator.samples(block, shapes, 4, 1),
                ProgressListener.none());

        PassResult qAttention = quantize(block, "quantize.int8:min-size=0", calibrated);
        PassResult matMul = quantize(block, "quantize.int8:min-size=0,attention=matmul", calibrated);
        PassResult unfused = quantize(block, "quantize.int8:min-size=0,fuse=false", calibrated);

        assertThat(qAttention.details()).containsEntry("attentionsQuantized", 1);
        assertThat(opTypes(qAttention.model().graph())).contains("QAttention", "DynamicQuantizeLinear")
                .doesNotContain("Attention", "Softmax", "MultiHeadAttention");
        assertThat(opTypes(matMul.model().graph())).contains("MultiHeadAttention", "Split").doesNotContain("QAttention",
                "Attention", "Softmax");
        assertThat(opTypes(unfused.model().graph())).contains("Softmax").doesNotContain("QAttention", "Attention");
        for (PassResult result : List.of(qAttention, matMul)) {
            assertThat(fidelity(block, result.model(), shapes).cosineMin()).isGreaterThan(0.995);
        }
    }

    @Test
    void forTensorRtTheTransformerGetsStaticQdqInsteadOfDynamicInt8AndNoFusion() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        Map<String, long[]> shapes = Map.of("input_ids", new long[] {1, 6}, "attention_mask", new long[] {1, 6});
        PassContext tensorRt = new PassContext(ShapeBinding.none(),
                Optional.of(SampleSource.of("generated", InputGenerator.samples(block, shapes, 4, 1))), 128,
                Optional.of(ProviderConfig.defaults(Provider.TENSORRT)), ProgressListener.none());

        PassResult result = quantize(block, "quantize.int8:min-size=0", tensorRt);

        assertThat((String) result.details().get("provider")).startsWith("tensorrt: static int8 (QDQ in TensorRT's placement)");
        assertThat(result.details()).containsEntry("placement", "tensorrt");
        assertThat(opTypes(result.model().graph())).contains("QuantizeLinear", "DequantizeLinear", "MatMul", "Softmax")
                .doesNotContain("DynamicQuantizeMatMul", "Attention", "QAttention");
    }

    @Test
    void smallWeightsExcludedNodesAndConvStayFloat() throws Exception {
        PassResult small = quantize(TestModels.mlp(), "quantize.int8", NO_CALIBRATION);
        assertThat(small.details()).containsEntry("matMulsQuantized", 0);
        assertThat(small.details().get("skipped").toString()).contains("below min-size 1024");

        PassResult excluded = quantize(TestModels.mlp(), "quantize.int8:min-size=0,exclude=" + TestModels.mlp().graph()
                .nodes().get(0).getName(), NO_CALIBRATION);
        assertThat(excluded.details()).containsEntry("matMulsQuantized", 1);

        PassResult cnn = quantize(TestModels.cnnWithBatchNorm(), "quantize.int8:min-size=0", NO_CALIBRATION);
        assertThat(cnn.details().get("conv").toString()).contains("ConvInteger");
        assertThat(opTypes(cnn.model().graph())).contains("Conv");
    }

    @Test
    void reduceRangeUsesSevenBitWeightsAndAutoFollowsTheCpu() throws Exception {
        assertThat(maxAbsWeight("quantize.int8:min-size=0,reduce-range=true")).isEqualTo(63);
        assertThat(maxAbsWeight("quantize.int8:min-size=0,reduce-range=false")).isEqualTo(127);
        assertThat(maxAbsWeight("quantize.int8:min-size=0")).isEqualTo(CpuFeatures.fullRangeInt8() ? 127 : 63);
    }

    private static int maxAbsWeight(String spec) throws Exception {
        OnnxModel quantized = quantize(TestModels.mlp(), spec, NO_CALIBRATION).model();
        int max = 0;
        for (var tensor : quantized.graph().initializers().values()) {
            if (tensor.getDataType() == DataType.INT8.code()) {
                for (byte value : quantized.tensorData(tensor).toByteArray()) {
                    max = Math.max(max, Math.abs(value));
                }
            }
        }
        return max;
    }

    @Test
    void isDeterministic() throws Exception {
        byte[] first = quantize(TestModels.transformerBlock(), "quantize.int8:min-size=0", NO_CALIBRATION).model().proto().toByteArray();
        byte[] second = quantize(TestModels.transformerBlock(), "quantize.int8:min-size=0", NO_CALIBRATION).model().proto().toByteArray();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void badOptionsSayWhatIsValid() {
        assertThatThrownBy(() -> PassRegistry.load().create("quantize.int8:per-chanel=true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per-channel");
        assertThatThrownBy(() -> PassRegistry.load().create("quantize.int8:weight-type=int4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int8, uint8");
        assertThatThrownBy(() -> PassRegistry.load().create("quantize.int8:smooth=2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smooth");
    }

    @Test
    @Tag("slow")
    void miniLmIsAQuarterOfItsSizeAndStaysClose(@TempDir Path folder) throws Exception {
        OnnxModel fp32 = OnnxModel.load(RealModels.miniLm(folder));
        Map<String, long[]> shapes = ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", 16)
                .resolve(fp32);
        PassContext calibrated = new PassContext(ShapeBinding.none(), InputGenerator.samples(fp32, shapes, 8, 100),
                ProgressListener.none());

        OnnxModel int8 = quantize(fp32, "quantize.int8", calibrated).model();
        Path saved = folder.resolve("int8.onnx");
        int8.save(saved);

        assertThat((double) Files.size(saved) / Files.size(fp32.file().orElseThrow())).isLessThan(0.26);
        assertThat(fidelity(fp32, OnnxModel.load(saved), shapes).cosineMean()).isGreaterThan(0.99);
    }
}
