package dev.lathe.core.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fuse pass on transformer pieces built in code: what it fuses, that the fused model computes the same, what it leaves. */
class TransformerFusionTest {
    private static final Map<String, long[]> BLOCK_SHAPES = Map.of("input_ids", new long[] {2, 6}, "attention_mask",
            new long[] {2, 6});

    @Test
    void attentionIsFusedWithItsMaskAndComputesTheSameOnAPaddedBatch() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        PassContext context = context(InputGenerator.samples(block, BLOCK_SHAPES, 3, 5));

        PassResult result = fuse(FusionSettings.builder().build(), block, context);

        assertThat(result.details().get("fused")).isEqualTo(Map.of("Attention", 1));
        assertThat(result.details().get("check").toString()).contains("3 calibration samples and 1 with padding masked");
        NodeProto attention = only(result.model(), "Attention");
        assertThat(attention.getDomain()).isEqualTo("com.microsoft");
        assertThat(NodeAttributes.getInt(attention, "num_heads", 0)).isEqualTo(2);
        assertThat(NodeAttributes.getFloat(attention, "scale", 0)).isEqualTo(0.5f);
        assertThat(NodeAttributes.getFloat(attention, "mask_filter_value", 0)).isEqualTo(-10000f);
        assertThat(ops(result.model())).doesNotContain("Softmax", "Transpose", "Reshape");
        // Row 1 has its last two positions padded: the fused mask must hide them exactly as the additive mask does.
        Map<String, TensorData> padded = Map.of("input_ids", TensorData.ofLongs(new long[] {2, 6}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0),
                "attention_mask", TensorData.ofLongs(new long[] {2, 6}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0));
        assertClose(run(block, padded), run(result.model(), padded), 1e-5);
    }

    @Test
    void aResidualLayerNormBecomesSkipLayerNormalizationWithTheSublayerBiasFolded() throws Exception {
        OnnxModel model = residualLayerNorm(false, false);
        PassResult result = fuse(FusionSettings.builder().build(), model, context(samples(model)));

        assertThat(result.details().get("fused")).isEqualTo(Map.of("SkipLayerNormalization", 1));
        NodeProto skip = only(result.model(), "SkipLayerNormalization");
        assertThat(skip.getInputList()).containsExactly("product", "x", "gamma", "beta", "bias");
        assertThat(NodeAttributes.getFloat(skip, "epsilon", 0)).isEqualTo(1e-6f);
        assertThat(ops(result.model())).containsExactlyInAnyOrder("MatMul", "SkipLayerNormalization");
        Map<String, TensorData> input = samples(model).get(0);
        assertClose(run(model, input), run(result.model(), input), 1e-5);
    }

    @Test
    void layerNormalizationNodesAreFusedToo() throws Exception {
        OnnxModel model = residualLayerNorm(true, false);
        PassResult result = fuse(FusionSettings.builder().build(), model, context(samples(model)));

        assertThat(result.details().get("fused")).isEqualTo(Map.of("SkipLayerNormalization", 1));
        Map<String, TensorData> input = samples(model).get(0);
        assertClose(run(model, input), run(result.model(), input), 1e-5);
    }

    @Test
    void aPatternThatDoesNotMatchExactlyIsLeftAloneWithTheReason() throws Exception {
        OnnxModel model = residualLayerNorm(false, true);
        PassResult result = fuse(FusionSettings.builder().build(), model, context(samples(model)));

        assertThat(result.model()).isSameAs(model);
        assertThat(result.details().get("fused")).isEqualTo(Map.of());
        assertThat(result.details().get("skipped")).isEqualTo(Map.of("ln_shift",
                "SkipLayerNormalization: the Add has a constant operand; EmbedLayerNormalization: addend residual is not a "
                        + "Gather (axis 0) read only by the sum"));
    }

    @Test
    void theEmbeddingLayerBecomesEmbedLayerNormalizationWithInt32Ids() throws Exception {
        OnnxModel model = TestModels.bertEmbeddings(0, false);
        List<Map<String, TensorData>> samples = embeddingSamples(2);
        PassResult result = fuse(FusionSettings.builder().build(), model, context(samples));

        assertThat(result.details().get("fused")).isEqualTo(Map.of("EmbedLayerNormalization", 1));
        NodeProto embed = only(result.model(), "EmbedLayerNormalization");
        assertThat(embed.getDomain()).isEqualTo("com.microsoft");
        assertThat(embed.getInputList().subList(2, 7)).containsExactly("words", "positions", "segments", "gamma", "beta");
        assertThat(ops(result.model())).containsExactlyInAnyOrder("Cast", "Cast", "EmbedLayerNormalization");
        assertClose(run(model, samples.get(0)), run(result.model(), samples.get(0)), 1e-5);
        assertThat(fuse(FusionSettings.builder().embedLayerNorm(false).build(), model, context(samples)).model())
                .isSameAs(model);
    }

    @Test
    void positionsThatDoNotCountFromZeroAreNotFused() throws Exception {
        // RoBERTa-style exports offset the positions (padding index + 1): not the fused op's default positions.
        OnnxModel model = TestModels.bertEmbeddings(2, false);
        PassResult result = fuse(FusionSettings.builder().build(), model, context(embeddingSamples(2)));

        assertThat(result.model()).isSameAs(model);
        assertThat(result.details().get("skipped").toString()).contains("EmbedLayerNormalization: ",
                "is indexed neither by a graph input nor by positions 0, 1, 2, ...");
    }

    @Test
    void aKindOnnxRuntimeRefusesIsUndoneAndTheOtherKindsAreKept() throws Exception {
        // Segment ids of shape [1, seq] broadcast in the exported Add, but EmbedLayerNormalization wants them shaped
        // as the word ids: with a batch of 2 ONNX Runtime fails the fused op, while the residual layer norm is fine.
        OnnxModel model = TestModels.bertEmbeddings(0, true);
        PassResult result = fuse(FusionSettings.builder().build(), model, context(embeddingSamples(1)));

        assertThat(result.details().get("fused")).isEqualTo(Map.of("SkipLayerNormalization", 1));
        assertThat(result.details().get("undone").toString()).contains(
                "EmbedLayerNormalization: the fused model failed in ONNX Runtime");
        assertClose(run(model, embeddingSamples(1).get(0)), run(result.model(), embeddingSamples(1).get(0)), 1e-5);
    }

    @Test
    void onRequestTheErfGeluBecomesFastGeluWithTheBiasOfItsMatMul() throws Exception {
        for (int order = 0; order < 3; order++) {
            OnnxModel model = gelu(order);
            List<Map<String, TensorData>> samples = samples(model);

            assertThat(fuse(FusionSettings.builder().build(), model, context(samples)).model()).isSameAs(model);
            PassResult result = fuse(FusionSettings.builder().fastGelu(true).build(), model, context(samples));

            assertThat(result.details().get("fused")).isEqualTo(Map.of("FastGelu", 1));
            NodeProto fast = only(result.model(), "FastGelu");
            assertThat(fast.getInputList()).containsExactly("product", "bias");
            assertThat(ops(result.model())).containsExactlyInAnyOrder("MatMul", "FastGelu");
            // The tanh approximation is within 5e-4 of the exact Gelu.
            assertClose(run(model, samples.get(0)), run(result.model(), samples.get(0)), 5e-4);
        }
    }

    @Test
    void optionsSwitchFusionsOffAndTheCheckUndoesFusionsTheDataContradicts() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        PassContext context = context(InputGenerator.samples(block, BLOCK_SHAPES, 2, 5));

        assertThat(fuse(FusionSettings.builder().attention(false).build(), block, context).model()).isSameAs(block);
        // Attention keeps every position whose mask is above 0; the exported arithmetic (1 - mask) · c gives a mask of
        // 2 a bonus of -c instead. A mask the fusion does not hold for: the check must catch it and undo the fusion.
        Map<String, TensorData> unusual = Map.of("input_ids", TensorData.ofLongs(new long[] {2, 6}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
                "attention_mask", TensorData.ofLongs(new long[] {2, 6}, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        PassResult checked = fuse(FusionSettings.builder().build(), block, context(List.of(unusual)));

        assertThat(checked.model()).isSameAs(block);
        assertThat(checked.details().get("fused")).isEqualTo(Map.of());
        assertThat((Map<?, ?>) checked.details().get("undone")).hasSize(1);
        assertThat(checked.details().get("undone").toString()).contains("Attention: relative error", "above the tolerance 0.001");
        assertThat(checked.details().get("check")).isEqualTo("no fusion kept on 1 calibration samples and 1 with padding masked");
    }

    @Test
    void nothingIsFusedForTensorRt() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        PassContext tensorRt = new PassContext(ShapeBinding.none(), Optional.empty(), PassContext.DEFAULT_CALIBRATION_LIMIT,
                Optional.of(ProviderConfig.defaults(Provider.TENSORRT)), ProgressListener.none());

        PassResult result = fuse(FusionSettings.builder().build(), block, tensorRt);

        assertThat(result.model()).isSameAs(block);
        assertThat(result.details().get("provider").toString()).startsWith("tensorrt: nothing fused");
    }

    @Test
    void isRegisteredAsFuseAndRoundTripsItsOptions() {
        assertThat(PassRegistry.load().factories()).containsKey("fuse");
        FusionSettings settings = FusionSettings.builder().skipLayerNorm(false).fastGelu(true).tolerance(1e-4)
                .checkSamples(3).build();
        assertThat(FusionSettings.from(settings.options())).isEqualTo(settings);
    }

    /**
     * y = LayerNorm(x + (x · W + bias)) with the layer norm decomposed as PyTorch exports it before opset 17, or as a
     * LayerNormalization node (opset 17); {@code constantResidual} adds a constant instead of x.
     */
    private static OnnxModel residualLayerNorm(boolean layerNormalizationNode, boolean constantResidual) {
        TestModels.Builder g = TestModels.builder("residual_layer_norm");
        if (layerNormalizationNode) {
            g.opset("", 17);
        }
        String x = g.input("x", DataType.FLOAT, "batch", "seq", 8);
        String product = g.node("MatMul", x, g.weight("w", 8, 8)).output("product");
        String sum = g.node("Add", g.weight("bias", 8), product).output();
        String residual = g.node("Add", sum, constantResidual ? g.weight("residual", 8) : x).output("residual_sum");
        String gamma = g.positiveWeight("gamma", 8);
        String beta = g.weight("beta", 8);
        if (layerNormalizationNode) {
            g.node("LayerNormalization", residual, gamma, beta).intAttr("axis", -1).floatAttr("epsilon", 1e-6f).output("y");
        } else {
            long[] last = {-1};
            String mean = g.node("ReduceMean", residual).intsAttr("axes", last).output();
            String centered = g.node("Sub", residual, mean).output();
            String squared = g.node("Pow", centered, g.scalar("two", 2f)).output();
            String variance = g.node("ReduceMean", squared).intsAttr("axes", last).output();
            String std = g.node("Sqrt", g.node("Add", variance, g.scalar("eps", 1e-6f)).output()).output();
            String normalized = g.node("Div", centered, std).output();
            g.node("Add", g.node("Mul", normalized, gamma).output(), beta).named("ln_shift").output("y");
        }
        g.output("y", DataType.FLOAT, "batch", "seq", 8);
        return TestModels.model(g.build());
    }

    /**
     * One sample for {@link TestModels#bertEmbeddings}: 2 rows of 5 token ids, and segment ids of one row for each
     * ({@code segmentRows} 2) or one row for both (1).
     */
    private static List<Map<String, TensorData>> embeddingSamples(int segmentRows) {
        long[] ids = new long[2 * 5];
        long[] segments = new long[segmentRows * 5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % 16;
        }
        for (int i = 0; i < segments.length; i++) {
            segments[i] = i % 5 < 2 ? 0 : 1;
        }
        return List.of(Map.of("input_ids", TensorData.ofLongs(new long[] {2, 5}, ids), "token_type_ids",
                TensorData.ofLongs(new long[] {segmentRows, 5}, segments)));
    }

    /**
     * y = Gelu(x · W + bias) as PyTorch exports the exact Gelu: 0.5 · x · (1 + erf(x / √2)), the product written as
     * (x · (1 + erf)) · 0.5 ({@code order} 0), (x · 0.5) · (1 + erf) (1) or ((1 + erf) · 0.5) · x (2).
     */
    private static OnnxModel gelu(int order) {
        TestModels.Builder g = TestModels.builder("gelu");
        String x = g.input("x", DataType.FLOAT, "batch", "seq", 8);
        String product = g.node("MatMul", x, g.weight("w", 8, 8)).output("product");
        String biased = g.node("Add", g.weight("bias", 8), product).output();
        String erf = g.node("Erf", g.node("Div", biased, g.scalar("sqrt_2", 1.4142135f)).output()).output();
        String onePlusErf = g.node("Add", erf, g.scalar("one", 1f)).output();
        String half = g.scalar("half", 0.5f);
        switch (order) {
            case 0 -> g.node("Mul", g.node("Mul", biased, onePlusErf).output(), half).output("y");
            case 1 -> g.node("Mul", g.node("Mul", biased, half).output(), onePlusErf).output("y");
            default -> g.node("Mul", g.node("Mul", onePlusErf, half).output(), biased).output("y");
        }
        g.output("y", DataType.FLOAT, "batch", "seq", 8);
        return TestModels.model(g.build());
    }

    private static List<Map<String, TensorData>> samples(OnnxModel model) {
        Random random = new Random(3);
        float[] values = new float[2 * 5 * 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return List.of(Map.of("x", TensorData.ofFloats(new long[] {2, 5, 8}, values)));
    }

    private static PassContext context(List<Map<String, TensorData>> samples) {
        return new PassContext(ShapeBinding.none(), samples, ProgressListener.none());
    }

    private static PassResult fuse(FusionSettings settings, OnnxModel model, PassContext context) throws Exception {
        return new TransformerFusion(settings).apply(model, context);
    }

    private static NodeProto only(OnnxModel model, String opType) {
        List<NodeProto> nodes = model.proto().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).toList();
        assertThat(nodes).hasSize(1);
        return nodes.get(0);
    }

    private static List<String> ops(OnnxModel model) {
        return model.proto().getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    private static Map<String, TensorData> run(OnnxModel model, Map<String, TensorData> inputs) throws Exception {
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            return session.run(inputs);
        }
    }

    private static void assertClose(Map<String, TensorData> expected, Map<String, TensorData> actual, double tolerance) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String name : expected.keySet()) {
            float[] a = expected.get(name).toFloatArray();
            float[] b = actual.get(name).toFloatArray();
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.length; i++) {
                assertThat((double) b[i]).as("%s[%d]", name, i).isCloseTo(a[i], within(tolerance));
            }
        }
    }
}
