package dev.lathe.prune.unstructured;

import static dev.lathe.prune.unstructured.PruningFixtures.NO_CALIBRATION;
import static dev.lathe.prune.unstructured.PruningFixtures.prune;
import static dev.lathe.prune.unstructured.PruningFixtures.run;
import static dev.lathe.prune.unstructured.PruningFixtures.weight;
import static dev.lathe.prune.unstructured.PruningFixtures.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prune.magnitude on hand-made weights (exact zeros), Conv, Constant-node and subgraph weights, and PP-OCR. */
class MagnitudePruningTest {
    private static final float[] W1 = {1, -8, 3, -4, 5, 0.5f, 7, -2, 6, -9, 10, -11};
    private static final float[] W2 = {0.1f, 0.2f, 0.3f, 3, 2, 1};

    /** y = Gemm(MatMul(x, w1 [4, 3]), w2 [2, 3], transB=1): x [2, 4], y [2, 2]. */
    private static OnnxModel handMade() {
        TestModels.Builder g = TestModels.builder("hand_made");
        String x = g.input("x", DataType.FLOAT, 2, 4);
        String h = g.node("MatMul", x, g.floatInitializer("w1", new long[] {4, 3}, W1)).named("first").output();
        g.node("Gemm", h, g.floatInitializer("w2", new long[] {2, 3}, W2)).named("second").intAttr("transB", 1).output("y");
        g.output("y", DataType.FLOAT, 2, 2);
        return TestModels.model(g.build());
    }

    private static Map<String, TensorData> handMadeInput() {
        return Map.of("x", TensorData.ofFloats(new long[] {2, 4}, 1, 2, 3, 4, -1, 0.5f, 2, 1));
    }

    @Test
    void eachLayerReachesTheSparsityWithItsSmallestWeightsZeroed() throws Exception {
        PassResult result = prune(handMade(), "prune.magnitude:sparsity=0.5", NO_CALIBRATION);

        assertThat(weight(result.model(), "w1")).containsExactly(0, -8, 0, 0, 0, 0, 7, 0, 6, -9, 10, -11);
        assertThat(weight(result.model(), "w2")).containsExactly(0, 0, 0, 3, 2, 1);
        assertThat(result.details()).containsEntry("pattern", "50.0% per layer").containsEntry("importance", "magnitude")
                .containsEntry("weights", 2).containsEntry("elements", 18L).containsEntry("zeros", 9L)
                .containsEntry("sparsity", 0.5).containsEntry("layers", Map.of("first", 0.5, "second", 0.5));
        assertThat(run(result.model(), handMadeInput()).get("y").shape()).containsExactly(2, 2);
    }

    /**
     * An oracle independent of the pass: the original with each layer's smallest half of weights zeroed by
     * hand (sorting |w|, ties to the lower index) must compute exactly what the pruned model computes.
     */
    @Test
    void thePrunedModelComputesWhatTheOriginalWithItsSmallestWeightsMaskedComputes() throws Exception {
        OnnxModel original = TestModels.mlp();
        PassResult result = prune(original, "prune.magnitude:sparsity=0.5", NO_CALIBRATION);

        ModelEditor reference = original.edit();
        for (String name : List.of("w1", "w2")) {
            float[] values = weight(original, name);
            Integer[] order = new Integer[values.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingDouble(i -> Math.abs(values[i]))
                    .thenComparingInt(i -> i));
            float[] masked = values.clone();
            for (int i = 0; i < values.length / 2; i++) {
                masked[order[i]] = 0;
            }
            long[] shape = dev.lathe.core.model.TensorCodec.shapeOf(original.graph().proto().getInitializerList().stream()
                    .filter(t -> t.getName().equals(name)).findFirst().orElseThrow());
            reference.putInitializer(name, TensorData.ofFloats(shape, masked));
            assertThat(weight(result.model(), name)).as(name).containsExactly(masked);
        }
        Map<String, TensorData> input = Map.of("x", TensorData.ofFloats(new long[] {3, 4},
                0.3f, -1.2f, 2.5f, 0.7f, -0.4f, 1.9f, -2.2f, 0.1f, 1.1f, 1.3f, -0.6f, -1.7f));
        assertThat(run(result.model(), input).get("y").toFloatArray())
                .containsExactly(run(reference.build(), input).get("y").toFloatArray());
    }

    @Test
    void globalScopeUsesOneThresholdAndBreaksTiesByPosition() throws Exception {
        PassResult result = prune(handMade(), "prune.magnitude:sparsity=0.5,scope=global", NO_CALIBRATION);

        // The 9 smallest of all 18: 0.1 0.2 0.3 0.5 1 1 2 2, and one of the two 3s, the first in graph order (w1's).
        assertThat(weight(result.model(), "w1")).containsExactly(0, -8, 0, -4, 5, 0, 7, 0, 6, -9, 10, -11);
        assertThat(weight(result.model(), "w2")).containsExactly(0, 0, 0, 3, 0, 0);
        assertThat(result.details()).containsEntry("sparsity", 0.5).containsEntry("pattern", "50.0% global")
                .containsEntry("layers", Map.of("first", 0.3333, "second", 0.8333));
    }

    @Test
    void outputScopePrunesEachOutputOnItsOwn() throws Exception {
        PassResult result = prune(handMade(), "prune.magnitude:sparsity=0.5,scope=output,include=second", NO_CALIBRATION);

        // w2 is [2, 3] read with transB=1: each row is an output; round(0.5 * 3) = 2 of each row go.
        assertThat(weight(result.model(), "w2")).containsExactly(0, 0, 0.3f, 3, 0, 0);
        assertThat(weight(result.model(), "w1")).containsExactly(W1);
        assertThat(result.details().get("skipped")).isEqualTo(Map.of("first", "not in the include list"));
    }

    @Test
    void equalWeightsArePrunedFromTheLowestIndex() throws Exception {
        TestModels.Builder g = TestModels.builder("ties");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        g.node("MatMul", x, g.floatInitializer("w", new long[] {4, 2}, 1, -1, 1, -1, 1, -1, 1, -1)).output("y");
        g.output("y", DataType.FLOAT, 1, 2);

        OnnxModel pruned = prune(TestModels.model(g.build()), "prune.magnitude:sparsity=0.25", NO_CALIBRATION).model();

        assertThat(weight(pruned, "w")).containsExactly(0, 0, 1, -1, 1, -1, 1, -1);
    }

    @Test
    void convWeightsArePrunedWhole() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();

        PassResult result = prune(cnn, "prune.magnitude:sparsity=0.5", NO_CALIBRATION);

        for (String name : new String[] {"conv1_w", "conv2_w"}) {
            float[] before = weight(cnn, name);
            float[] after = weight(result.model(), name);
            assertThat(zeros(after)).isEqualTo(before.length / 2);
            assertKeptAreTheLargest(before, after);
        }
        assertThat(weight(result.model(), "conv1_b")).containsExactly(weight(cnn, "conv1_b"));
        assertThat(run(result.model(), Map.of("image", TensorData.ofFloats(new long[] {1, 3, 4, 4}, new float[48])))
                .get("logits").shape()).containsExactly(1, 2);
    }

    @Test
    void constantNodeWeightsStayConstantNodesWithTheirNames() throws Exception {
        OnnxModel model = TestModels.constantNodeWeights();

        OnnxModel pruned = prune(model, "prune.magnitude:sparsity=0.5", NO_CALIBRATION).model();

        assertThat(pruned.graph().initializers()).isEmpty();
        assertThat(pruned.graph().nodes().stream().map(NodeProto::getOpType).toList())
                .isEqualTo(model.graph().nodes().stream().map(NodeProto::getOpType).toList());
        assertThat(zeros(weight(pruned, "w1"))).isEqualTo(16);
        assertThat(zeros(weight(pruned, "w2"))).isEqualTo(12);
        assertKeptAreTheLargest(weight(model, "w1"), weight(pruned, "w1"));
        assertThat(weight(pruned, "b1")).containsExactly(weight(model, "b1"));
        assertThat(run(pruned, Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 1, 2, 3, 4))).get("y").shape())
                .containsExactly(1, 3);
    }

    @Test
    void subgraphWeightsArePrunedInTheirBranches() throws Exception {
        OnnxModel pruned = prune(TestModels.ifSubgraphWeights(), "prune.magnitude:sparsity=0.5", NO_CALIBRATION).model();

        for (Graph branch : pruned.graph().withAllSubgraphs().subList(1, 3)) {
            assertThat(branch.initializers()).hasSize(1);
            String name = branch.initializers().keySet().iterator().next();
            assertThat(zeros(weight(pruned, name))).as(name).isEqualTo(8);
        }
        for (boolean flag : new boolean[] {true, false}) {
            assertThat(run(pruned, Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 1, 2, 3, 4),
                    "flag", TensorData.ofBooleans(new long[0], flag))).get("y").shape()).containsExactly(1, 4);
        }
    }

    @Test
    void aSharedWeightIsPrunedOnceAndKeepsItsName() throws Exception {
        PassResult result = prune(sharedWeight(), "prune.magnitude:sparsity=0.5", NO_CALIBRATION);

        assertThat(result.model().graph().initializers().keySet()).containsExactly("w");
        assertThat(zeros(weight(result.model(), "w"))).isEqualTo(32);
        assertThat(result.details()).containsEntry("weights", 1).containsEntry("layers", Map.of("up", 0.5, "down", 0.5));
    }

    @Test
    void aWeightSharedWithAnExcludedNodeIsLeftAlone() throws Exception {
        OnnxModel model = sharedWeight();

        PassResult result = prune(model, "prune.magnitude:sparsity=0.5,exclude=down", NO_CALIBRATION);

        assertThat(weight(result.model(), "w")).containsExactly(weight(model, "w"));
        assertThat(result.details().get("skipped")).isEqualTo(Map.of("down", "excluded by name",
                "up", "weight 'w' is also read by MatMul node 'down', which is not pruned (excluded by name)"));
        assertThat(result.details()).containsEntry("weights", 0).containsEntry("sparsity", 0.0);
    }

    @Test
    void theFilterSelectsOpsAndSizes() throws Exception {
        PassResult convOnly = prune(TestModels.cnnWithBatchNorm(), "prune.magnitude:ops=Conv,min-size=10", NO_CALIBRATION);

        assertThat(convOnly.details().get("layers")).isEqualTo(Map.of("Conv", 0.5));
        assertThat(convOnly.details().get("skipped")).isEqualTo(Map.of("Conv_1", "weight has 8 elements, below min-size 10"));
    }

    @Test
    void isDeterministic() throws Exception {
        for (String spec : new String[] {"prune.magnitude:sparsity=0.3", "prune.magnitude:sparsity=0.7,scope=global"}) {
            byte[] first = prune(TestModels.transformerBlock(), spec, NO_CALIBRATION).model().proto().toByteArray();
            byte[] second = prune(TestModels.transformerBlock(), spec, NO_CALIBRATION).model().proto().toByteArray();
            assertThat(second).as(spec).isEqualTo(first);
        }
    }

    @Test
    void ppOcrConvWeightsInConstantNodesArePruned(@TempDir Path folder) throws Exception {
        OnnxModel ocr = OnnxModel.load(RealModels.ppOcrV3Detection(folder));

        PassResult result = prune(ocr, "prune.magnitude:sparsity=0.5", NO_CALIBRATION);

        long convs = ocr.graph().nodes().stream().filter(n -> n.getOpType().equals("Conv")).count();
        assertThat(result.details()).containsEntry("weights", (int) convs).containsEntry("sparsity", 0.5);
        assertThat(result.model().graph().initializers().size()).isEqualTo(ocr.graph().initializers().size());
        assertThat(result.model().graph().nodes()).hasSameSizeAs(ocr.graph().nodes());
        assertThat(run(result.model(), Map.of("x", TensorData.ofFloats(new long[] {1, 3, 64, 64}, new float[3 * 64 * 64])))
                .values().iterator().next().shape()).containsExactly(1, 1, 64, 64);
    }

    /** Two MatMuls, {@code up} and {@code down}, reading the same [8, 8] initializer {@code w}. */
    private static OnnxModel sharedWeight() {
        TestModels.Builder g = TestModels.builder("shared");
        String x = g.input("x", DataType.FLOAT, 2, 8);
        String w = g.weight("w", 8, 8);
        String h = g.node("MatMul", x, w).named("up").output();
        g.node("MatMul", h, w).named("down").output("y");
        g.output("y", DataType.FLOAT, 2, 8);
        return TestModels.model(g.build());
    }

    /** Every kept weight is at least as large as every zeroed one, and kept weights are unchanged. */
    static void assertKeptAreTheLargest(float[] before, float[] after) {
        float largestPruned = 0;
        float smallestKept = Float.MAX_VALUE;
        for (int i = 0; i < before.length; i++) {
            if (after[i] == 0) {
                largestPruned = Math.max(largestPruned, Math.abs(before[i]));
            } else {
                assertThat(after[i]).isEqualTo(before[i]);
                smallestKept = Math.min(smallestKept, Math.abs(before[i]));
            }
        }
        assertThat(smallestKept).isGreaterThanOrEqualTo(largestPruned);
    }
}
