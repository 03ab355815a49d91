package dev.lathe.prune.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.PassFailedException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Structured pruning on tiny models: exact surgery, tied channels, constants, MACs, corrections, options. */
class StructuredPruningTest {
    private static final Map<String, long[]> BLOCK_SHAPES = Map.of("input_ids", new long[] {2, 6}, "attention_mask",
            new long[] {2, 6});

    private static PassResult prune(OnnxModel model, String spec, Map<String, long[]> shapes, int samples) throws Exception {
        ShapeBinding binding = ShapeBinding.none();
        for (Map.Entry<String, long[]> input : shapes.entrySet()) {
            binding = binding.withInputShape(input.getKey(), input.getValue());
        }
        List<Map<String, TensorData>> calibration = samples == 0 ? List.of() : InputGenerator.samples(model, shapes, samples, 1);
        return PassRegistry.load().create(spec).apply(model, new PassContext(binding, calibration, ProgressListener.none()));
    }

    private static Fidelity fidelity(OnnxModel reference, OnnxModel candidate, Map<String, long[]> shapes) throws Exception {
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            return FidelityMeter.compare(a, b, InputGenerator.samples(reference, shapes, 4, 100));
        }
    }

    private static long[] shape(OnnxModel model, String constant) {
        return model.constants().stream().filter(c -> c.name().equals(constant)).findFirst().orElseThrow().shape();
    }

    private static float[] values(OnnxModel model, String constant) throws Exception {
        TensorProto tensor = model.constants().stream().filter(c -> c.name().equals(constant)).findFirst().orElseThrow().tensor();
        return model.tensorData(tensor).toFloatArray();
    }

    /** Elements of a row-major tensor of shape {@code shape} at the given indices of {@code axis}. */
    private static float[] slice(float[] values, long[] shape, int axis, int... kept) {
        TensorData data = TensorData.ofFloats(shape, values);
        return GraphSurgery.slice(data, axis, kept).toFloatArray();
    }

    @Test
    void feedForwardNeuronsLeaveTheTransformerBlockAndItsMacs() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        PassResult result = prune(block, "prune.structured:fraction=0.25", BLOCK_SHAPES, 8);

        OnnxModel pruned = result.model();
        assertThat(shape(pruned, "ffn_up_w")).containsExactly(8, 12);
        assertThat(shape(pruned, "ffn_up_b")).containsExactly(12);
        assertThat(shape(pruned, "ffn_down_w")).containsExactly(12, 8);
        assertThat(shape(pruned, "q_w")).containsExactly(8, 8);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        // MatMul MACs for B=2, S=6: 512·B·S + 16·B·S² = 7296 before; the feed-forward layer loses 4 of 16
        // neurons, 64·B·S = 768 MACs.
        assertThat(result.details()).containsEntry("groupsPruned", 1).containsEntry("unitsRemoved", 4)
                .containsEntry("macsBefore", 7296L).containsEntry("macsAfter", 6528L).containsEntry("macsRemoved", 768L);
        @SuppressWarnings("unchecked")
        Map<String, String> skipped = (Map<String, String>) result.details().get("skipped");
        assertThat(skipped).containsEntry("MatMul", "read by Reshape 'Reshape'").hasSize(4);
        assertThat(fidelity(block, pruned, BLOCK_SHAPES).cosineMin()).isGreaterThan(0.99);
    }

    @Test
    void neuronsThatFeedNothingGoFirstAndTheOutputStaysTheSame() throws Exception {
        OnnxModel mlp = StructuredModels.mlpWithDeadNeurons();
        Map<String, long[]> shapes = Map.of("x", new long[] {5, 4});

        OnnxModel pruned = prune(mlp, "prune.structured:fraction=0.25,refit=false", shapes, 4).model();

        long[] w1Shape = {4, 8};
        assertThat(values(pruned, "w1")).containsExactly(slice(values(mlp, "w1"), w1Shape, 1, 0, 1, 3, 4, 6, 7));
        assertThat(values(pruned, "b1")).containsExactly(slice(values(mlp, "b1"), new long[] {8}, 0, 0, 1, 3, 4, 6, 7));
        assertThat(shape(pruned, "w2")).containsExactly(6, 3);
        Fidelity fidelity = fidelity(mlp, pruned, shapes);
        // Bit-identical on the x86 machine tried; another kernel may sum the remaining terms in another order.
        assertThat(fidelity.maxAbsError()).isLessThan(1e-6);
    }

    @Test
    void reconstructionRankingAlsoDropsTheNeuronsThatFeedNothing() throws Exception {
        OnnxModel mlp = StructuredModels.mlpWithDeadNeurons();
        Map<String, long[]> shapes = Map.of("x", new long[] {5, 4});

        PassResult result = prune(mlp, "prune.structured:fraction=0.25,refit=false,importance=reconstruction", shapes, 4);

        assertThat(values(result.model(), "b1")).containsExactly(slice(values(mlp, "b1"), new long[] {8}, 0, 0, 1, 3, 4, 6, 7));
        assertThat(result.details()).containsEntry("importance", "reconstruction");
        assertThat(fidelity(mlp, result.model(), shapes).maxAbsError()).isLessThan(1e-6);
    }

    @Test
    void aReshapeThatKeepsTheNeuronAxisGetsTheNewCount() throws Exception {
        OnnxModel model = StructuredModels.reshapedFeedForward();
        Map<String, long[]> shapes = Map.of("x", new long[] {2, 3, 4});

        OnnxModel pruned = prune(model, "prune.structured:fraction=0.25", shapes, 8).model();

        assertThat(shape(pruned, "w1")).containsExactly(4, 6);
        assertThat(shape(pruned, "w2")).containsExactly(6, 4);
        TensorProto flatShape = pruned.graph().initializer("flat_shape").orElseThrow();
        assertThat(pruned.tensorData(flatShape).toLongArray()).containsExactly(-1, 6);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        assertThat(fidelity(model, pruned, shapes).cosineMean()).isGreaterThan(0.9);
    }

    @Test
    void withoutRefitTheKeptChannelsComputeExactlyWhatTheyDid() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 8, 8});

        PassResult result = prune(cnn, "prune.structured:fraction=0.25,refit=false,importance=magnitude", shapes, 2);

        OnnxModel pruned = result.model();
        int[] kept = keptRows(values(cnn, "conv1_w"), values(pruned, "conv1_w"), 4, 27);
        assertThat(kept).hasSize(3);
        assertThat(values(pruned, "bn_scale")).containsExactly(slice(values(cnn, "bn_scale"), new long[] {4}, 0, kept));
        assertThat(values(pruned, "conv2_w")).containsExactly(slice(values(cnn, "conv2_w"), new long[] {2, 4, 1, 1}, 1, kept));
        // Conv MACs at 8×8: 108·64 + 8·64 = 7424 before; one of 4 channels less: 81·64 + 6·64 = 5568.
        assertThat(result.details()).containsEntry("macsBefore", 7424L).containsEntry("macsAfter", 5568L);
        assertThat(result.details()).containsEntry("importance", "magnitude").containsEntry("refit", "off");

        // Oracle independent of the surgery: the original with the removed channel's weights into conv2 zeroed
        // must compute what the pruned model computes (up to float rounding of one fewer addend).
        int removed = java.util.stream.IntStream.range(0, 4).filter(c -> Arrays.stream(kept).noneMatch(k -> k == c))
                .findFirst().orElseThrow();
        float[] conv2 = values(cnn, "conv2_w").clone();
        for (int out = 0; out < 2; out++) {
            conv2[out * 4 + removed] = 0;
        }
        dev.lathe.core.model.ModelEditor masked = cnn.edit();
        masked.putInitializer("conv2_w", TensorData.ofFloats(new long[] {2, 4, 1, 1}, conv2));
        Map<String, TensorData> input = InputGenerator.generate(cnn, shapes, 11);
        try (ModelSession a = ModelSession.open(masked.build(), SessionSettings.cpu());
                ModelSession b = ModelSession.open(pruned, SessionSettings.cpu())) {
            float[] expected = a.run(input).get("logits").toFloatArray();
            float[] actual = b.run(input).get("logits").toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    /** Which rows of {@code original} (rows of {@code width} elements) {@code pruned} holds, in order. */
    private static int[] keptRows(float[] original, float[] pruned, int rows, int width) {
        int[] kept = new int[pruned.length / width];
        for (int k = 0; k < kept.length; k++) {
            float[] row = Arrays.copyOfRange(pruned, k * width, (k + 1) * width);
            kept[k] = -1;
            for (int r = 0; r < rows; r++) {
                if (Arrays.equals(row, Arrays.copyOfRange(original, r * width, (r + 1) * width))) {
                    kept[k] = r;
                }
            }
            assertThat(kept[k]).as("row %d of the pruned weight is a row of the original", k).isNotNegative();
        }
        return kept;
    }

    @Test
    void residualTiedChannelsAreRemovedTogether() throws Exception {
        OnnxModel cnn = StructuredModels.residualCnn();
        Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 8, 8});

        PassResult result = prune(cnn, "prune.structured:fraction=0.25,refit=false", shapes, 4);

        OnnxModel pruned = result.model();
        int[] kept = keptRows(values(cnn, "conv_a_w"), values(pruned, "conv_a_w"), 8, 27);
        assertThat(kept).hasSize(6);
        long[] squareShape = {8, 8, 1, 1};
        float[] convB = slice(slice(values(cnn, "conv_b_w"), squareShape, 0, kept), new long[] {6, 8, 1, 1}, 1, kept);
        assertThat(values(pruned, "conv_b_w")).containsExactly(convB);
        assertThat(values(pruned, "bn_b_mean")).containsExactly(slice(values(cnn, "bn_b_mean"), new long[] {8}, 0, kept));
        assertThat(values(pruned, "conv_c_w")).containsExactly(slice(values(cnn, "conv_c_w"), new long[] {4, 8, 1, 1}, 1, kept));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) result.details().get("groups");
        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g).containsEntry("units", 8).containsEntry("removed", 2);
            assertThat(g.get("producers")).isEqualTo(List.of("conv_a", "conv_b"));
            assertThat(g.get("consumers")).isEqualTo(List.of("conv_b", "conv_c"));
        });
        // conv_a 8·27·64 + conv_b 8·8·64 + conv_c 4·8·64 = 19968 MACs; with 6 of 8 channels:
        // 6·27·64 + 6·6·64 + 4·6·64 = 14208.
        assertThat(result.details()).containsEntry("macsBefore", 19968L).containsEntry("macsAfter", 14208L);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        assertThat(fidelity(cnn, pruned, shapes).cosineMin()).isGreaterThan(0.9);
    }

    @Test
    void aBiasCreatedForACorrectionShrinksWithTheOutputsOfItsNode() throws Exception {
        OnnxModel cnn = StructuredModels.residualCnn();
        Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 8, 8});

        PassResult result = prune(cnn, "prune.structured:fraction=0.25", shapes, 8);

        OnnxModel pruned = result.model();
        assertThat(result.details().get("consumersCorrected")).isEqualTo(Map.of("least_squares", 2));
        assertThat(shape(pruned, "conv_b_bias")).containsExactly(6);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        assertThat(fidelity(cnn, pruned, shapes).cosineMin()).isGreaterThan(0.9);
    }

    @Test
    void depthwiseSqueezeExciteConcatAndResizeShrinkTogether() throws Exception {
        OnnxModel block = StructuredModels.mobileBlock();
        Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 8, 8});

        PassResult result = prune(block, "prune.structured:fraction=0.25,allocation=uniform", shapes, 4);

        OnnxModel pruned = result.model();
        assertThat(shape(pruned, "conv0_w")).containsExactly(6, 3, 3, 3);
        assertThat(shape(pruned, "dw_w")).containsExactly(6, 1, 3, 3);
        assertThat(pruned.graph().nodes().stream().filter(n -> n.getName().equals("dw")).findFirst().orElseThrow()
                .getAttributeList().stream().filter(a -> a.getName().equals("group")).findFirst().orElseThrow().getI())
                .isEqualTo(6);
        assertThat(shape(pruned, "se_reduce_w")).containsExactly(3, 6, 1, 1);
        assertThat(shape(pruned, "se_expand_w")).containsExactly(6, 3, 1, 1);
        assertThat(shape(pruned, "se_expand_b")).containsExactly(6);
        assertThat(pruned.constants().stream().filter(c -> c.name().equals("se_expand_b_shape")).findFirst()
                .orElseThrow()).satisfies(c ->
                        assertThat(pruned.tensorData(c.tensor()).toLongArray()).containsExactly(1, 6, 1, 1));
        assertThat(shape(pruned, "side_w")).containsExactly(3, 3, 3, 3);
        int[] main = keptRows(values(block, "conv0_w"), values(pruned, "conv0_w"), 8, 27);
        int[] side = keptRows(values(block, "side_w"), values(pruned, "side_w"), 4, 27);
        int[] concatenated = java.util.stream.IntStream.concat(Arrays.stream(main), Arrays.stream(side).map(c -> 8 + c))
                .toArray();
        // The head is a 3×3 convolution: bias compensation changes its bias, its weights are only sliced.
        assertThat(values(pruned, "head_w"))
                .containsExactly(slice(values(block, "head_w"), new long[] {2, 12, 3, 3}, 1, concatenated));
        // Conv MACs: conv0 13824 → 6·27·64 = 10368, dw 4608 → 3456, se_reduce 32 → 18, se_expand 32 → 18,
        // side 6912 → 5184, head 55296 → 2·81·256 = 41472.
        assertThat(result.details()).containsEntry("macsBefore", 80704L).containsEntry("macsAfter", 60516L)
                .containsEntry("groupsPruned", 3);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        Fidelity fidelity = fidelity(block, pruned, shapes);
        assertThat(fidelity.outputs()).singleElement().satisfies(o -> assertThat(o.cosineMin()).isGreaterThan(0.5));
    }

    @Test
    void constantNodeWeightsAreRewrittenWhereTheyLive() throws Exception {
        OnnxModel model = TestModels.constantNodeWeights();
        Map<String, long[]> shapes = Map.of("x", new long[] {3, 4});

        OnnxModel pruned = prune(model, "prune.structured:fraction=0.25", shapes, 16).model();

        assertThat(pruned.graph().initializers()).isEmpty();
        assertThat(pruned.constants()).allSatisfy(c -> assertThat(c.origin()).isEqualTo(ConstantTensor.Origin.CONSTANT_NODE));
        assertThat(shape(pruned, "w1")).containsExactly(4, 6);
        assertThat(shape(pruned, "b1")).containsExactly(6);
        assertThat(shape(pruned, "w2")).containsExactly(6, 3);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        assertThat(fidelity(model, pruned, shapes).cosineMean()).isGreaterThan(0.9);
    }

    @Test
    void aConstantSharedWithAnUnprunedNodeIsCopied() throws Exception {
        OnnxModel model = StructuredModels.sharedBias();
        Map<String, long[]> shapes = Map.of("x", new long[] {2, 4}, "z", new long[] {2, 8});

        OnnxModel pruned = prune(model, "prune.structured:fraction=0.25", shapes, 4).model();

        assertThat(shape(pruned, "shared")).containsExactly(8);
        assertThat(shape(pruned, "shared_pruned")).containsExactly(6);
        assertThat(values(pruned, "shared")).containsExactly(values(model, "shared"));
        Fidelity fidelity = fidelity(model, pruned, shapes);
        assertThat(fidelity.outputs()).anySatisfy(o -> {
            assertThat(o.output()).isEqualTo("y2");
            assertThat(o.maxAbsError()).isZero();
        });
    }

    @Test
    void leastSquaresRefitLowersTheOutputError() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        OnnxModel refitted = prune(block, "prune.structured:fraction=0.25", BLOCK_SHAPES, 16).model();
        OnnxModel surgeryOnly = prune(block, "prune.structured:fraction=0.25,refit=false", BLOCK_SHAPES, 16).model();

        double refitError = fidelity(block, refitted, BLOCK_SHAPES).meanAbsError();
        double surgeryError = fidelity(block, surgeryOnly, BLOCK_SHAPES).meanAbsError();
        assertThat(refitError).isLessThan(surgeryError * 0.8);
    }

    @Test
    void withoutCalibrationItRefusesUnlessTheDataFreeFormIsChosen() throws Exception {
        assertThatThrownBy(() -> prune(TestModels.mlp(), "prune.structured:fraction=0.25", Map.of("x", new long[] {2, 4}), 0))
                .isInstanceOf(PassFailedException.class).hasMessageContaining("needs real calibration data")
                .hasMessageContaining("--data").hasMessageContaining("importance=magnitude");

        PassResult result = prune(TestModels.mlp(), "prune.structured:fraction=0.25,importance=magnitude",
                Map.of("x", new long[] {2, 4}), 0);

        assertThat(result.details()).containsEntry("importance", "magnitude (no calibration inputs)")
                .containsEntry("refit", "off (no calibration inputs)").containsEntry("unitsRemoved", 2);
        assertThat(shape(result.model(), "w1")).containsExactly(6, 4);
    }

    @Test
    void targetsAndFiltersLeaveGroupsWholeAndSayWhy() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        PassResult convOnly = prune(block, "prune.structured:targets=conv", BLOCK_SHAPES, 2);
        PassResult excluded = prune(block, "prune.structured:exclude=MatMul_7", BLOCK_SHAPES, 2);

        assertThat(convOnly.model()).isSameAs(block);
        assertThat(convOnly.details()).containsEntry("groupsPruned", 0);
        assertThat(convOnly.details().get("skipped")).asString().contains("MatMul_6=ffn groups not targeted");
        assertThat(excluded.details().get("skipped")).asString().contains("MatMul_6=MatMul 'MatMul_7' is excluded");
    }

    @Test
    void optionsAreValidated() {
        PassRegistry registry = PassRegistry.load();
        assertThatThrownBy(() -> registry.create("prune.structured:fraction=0.95")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fraction");
        assertThatThrownBy(() -> registry.create("prune.structured:targets=attention"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targets");
        assertThatThrownBy(() -> registry.create("prune.structured:fraction=0.2,sparsity=0.2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("synonyms");
        assertThatThrownBy(() -> registry.create("prune.structured:importance=random"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("importance");
        assertThat(StructuredPruningSettings.from(Map.of("sparsity", "0.5")).fraction()).isEqualTo(0.5);
        assertThat(registry.create("prune.structured:refit=false,fraction=0.3").options())
                .containsExactly(Map.entry("refit", "false"), Map.entry("fraction", "0.3"));
        assertThatThrownBy(() -> registry.create("prune.structured:targets=")).hasMessageContaining("ffn, conv or both");

        StructuredPruningSettings built = StructuredPruningSettings.builder().fraction(0.3).refit(false)
                .targets(java.util.Set.of(StructuredPruningSettings.Target.FFN)).build();
        assertThat(built).isEqualTo(StructuredPruningSettings.from(Map.of("sparsity", "0.3", "refit", "no", "targets", "FFN")))
                .isEqualTo(StructuredPruningSettings.from(built.options()));
        assertThat(new StructuredPruning(built).options()).isEqualTo(built.options()).doesNotContainKey("sparsity");
        assertThat(registry.factories().get("prune.structured").description()).contains("fraction=0..0.9 (default 0.25)",
                "sparsity=0..0.9 (default that of fraction): a synonym of fraction", "targets=ffn+conv (default conv+ffn)",
                "importance=activation|magnitude|reconstruction (default activation)", "ridge=0..1000000 (default 0.1)",
                "ops=Op1+Op2 (default Conv+ConvTranspose+Gemm+MatMul)");
    }

    @Test
    void theLeastSensitiveGroupsThatReachTheBudgetArePruned() {
        ChannelGroups.Group a = new ChannelGroups.Group();
        ChannelGroups.Group b = new ChannelGroups.Group();
        ChannelGroups.Group c = new ChannelGroups.Group();
        Map<ChannelGroups.Group, Double> sensitivity = new java.util.IdentityHashMap<>(Map.of(a, 1.0, b, 0.3, c, 0.3));
        Map<ChannelGroups.Group, Long> saved = new java.util.IdentityHashMap<>(Map.of(a, 100L, b, 60L, c, 50L));

        assertThat(GroupAllocation.leastSensitiveCover(List.of(a, b, c), sensitivity, saved, 100)).containsExactly(b, c);
        assertThat(GroupAllocation.leastSensitiveCover(List.of(a, b, c), sensitivity, saved, 55)).containsExactly(b);
        assertThat(GroupAllocation.leastSensitiveCover(List.of(a, b, c), sensitivity, saved, 500)).containsExactly(a, b, c);
    }

    @Test
    void sensitivityAllocationStopsAtTheMacsBudget() throws Exception {
        OnnxModel block = StructuredModels.mobileBlock();
        Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 8, 8});

        PassResult result = prune(block, "prune.structured:fraction=0.25", shapes, 4);

        @SuppressWarnings("unchecked")
        Map<String, Object> allocation = (Map<String, Object>) result.details().get("allocation");
        assertThat(allocation).containsKeys("sensitivity", "macsBudget");
        @SuppressWarnings("unchecked")
        Map<String, Double> sensitivity = (Map<String, Double>) allocation.get("sensitivity");
        assertThat(sensitivity).containsOnlyKeys("conv0", "se_reduce", "side");
        assertThat((Long) allocation.get("macsRemovedEstimate")).isGreaterThanOrEqualTo((Long) allocation.get("macsBudget"));
        assertThat((Long) result.details().get("macsRemoved")).isGreaterThanOrEqualTo((Long) allocation.get("macsBudget"));
        assertThat(ModelInvariants.violations(result.model().graph())).isEmpty();
    }

    @Test
    void pruningIsDeterministic() throws Exception {
        OnnxModel block = StructuredModels.mobileBlock();
        Map<String, long[]> shapes = Map.of("image", new long[] {1, 3, 8, 8});

        OnnxModel first = prune(block, "prune.structured:fraction=0.25", shapes, 4).model();
        OnnxModel second = prune(block, "prune.structured:fraction=0.25", shapes, 4).model();

        assertThat(first.proto().toByteArray()).isEqualTo(second.proto().toByteArray());
    }
}
