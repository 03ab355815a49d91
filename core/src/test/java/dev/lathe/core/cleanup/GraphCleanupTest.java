package dev.lathe.core.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cleanup pass on models built to need it: results stay identical, the graph gets smaller. */
class GraphCleanupTest {
    private static final PassContext CONTEXT = new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none());

    /**
     * z = x · Identity(Transpose(a)) + c, where c comes from a Constant node, plus a dead Relu(x): one dead
     * node, one Identity, one foldable Transpose.
     */
    private static OnnxModel cluttered() {
        TestModels.Builder g = TestModels.builder("cluttered");
        String x = g.input("x", DataType.FLOAT, "batch", 3);
        String a = g.floatInitializer("a", new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
        String transposed = g.node("Transpose", a).intsAttr("perm", 1, 0).output();
        String same = g.node("Identity", transposed).output();
        String y = g.node("MatMul", x, same).output();
        g.node("Relu", x).output();
        g.node("Add", y, g.constant("c", 2)).output("z");
        g.output("z", DataType.FLOAT, "batch", 2);
        return TestModels.model(g.build());
    }

    @Test
    void removesDeadNodesBypassesIdentitiesAndFoldsConstants() throws Exception {
        OnnxModel model = cluttered();

        PassResult result = new GraphCleanup(GraphCleanupSettings.builder().fold(true).build()).apply(model, CONTEXT);

        assertThat(result.details()).containsEntry("deadNodesRemoved", 1).containsEntry("identitiesBypassed", 1)
                .containsEntry("nodesFolded", 1).containsEntry("nodesBefore", 6).containsEntry("nodesAfter", 3);
        assertThat(result.model().graph().nodes()).extracting(NodeProto::getOpType)
                .containsExactly("MatMul", "Constant", "Add");
        assertThat(ModelInvariants.violations(result.model().graph())).isEmpty();
        assertSameOutputs(model, result.model());
    }

    @Test
    void withoutFoldingConstantsStay() throws Exception {
        PassResult result = new GraphCleanup(GraphCleanupSettings.builder().fold(false).build()).apply(cluttered(), CONTEXT);

        assertThat(result.details()).containsEntry("nodesFolded", 0);
        assertThat(result.model().graph().nodes()).extracting(NodeProto::getOpType).contains("Transpose");
    }

    @Test
    void foldingThatWouldGrowTheModelIsSkipped() throws Exception {
        TestModels.Builder g = TestModels.builder("expanding");
        String x = g.input("x", DataType.FLOAT, 256, 256);
        String big = g.node("Expand", g.scalar("one", 1f), g.int64Initializer("shape", new long[] {2}, 256, 256)).output();
        g.node("Add", x, big).output("y");
        g.output("y", DataType.FLOAT, 256, 256);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = new GraphCleanup(GraphCleanupSettings.builder().fold(true).build()).apply(model, CONTEXT);

        assertThat(result.details()).containsEntry("nodesFolded", 0);
        assertThat((String) result.details().get("foldingSkipped")).contains("would add");
        assertThat(result.model().graph().nodes()).extracting(NodeProto::getOpType).contains("Expand");
    }

    @Test
    void cleanModelsComeOutUnchangedInBehaviour() throws Exception {
        for (OnnxModel model : new OnnxModel[] {TestModels.transformerBlock(), TestModels.ifSubgraphWeights()}) {
            PassResult result = new GraphCleanup(GraphCleanupSettings.builder().fold(true).build()).apply(model, CONTEXT);
            assertThat(ModelInvariants.violations(result.model().graph())).isEmpty();
            assertThat(result.details()).containsEntry("deadNodesRemoved", 0);
        }
    }

    @Test
    void exportedHardSwishBecomesHardSigmoidTimesXWithTheSameValues() throws Exception {
        for (int form = 0; form < 3; form++) {
            OnnxModel model = hardSwish(form);
            PassResult result = new GraphCleanup(GraphCleanupSettings.builder().build()).apply(model, CONTEXT);

            assertThat(result.details()).containsEntry("hardSwishesRewritten", 1);
            assertThat(result.model().graph().nodes()).extracting(NodeProto::getOpType)
                    .containsExactly("Conv", "HardSigmoid", "Mul");
            assertThat(ModelInvariants.violations(result.model().graph())).isEmpty();
            float[] values = new float[2 * 9];
            for (int i = 0; i < values.length; i++) {
                values[i] = (i - 9) * 0.9f;
            }
            Map<String, TensorData> input = Map.of("x", TensorData.ofFloats(new long[] {1, 2, 3, 3}, values));
            try (ModelSession a = ModelSession.open(model, SessionSettings.cpu());
                    ModelSession b = ModelSession.open(result.model(), SessionSettings.cpu())) {
                float[] expected = a.run(input).get("y").toFloatArray();
                float[] actual = b.run(input).get("y").toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
        assertThat(new GraphCleanup(GraphCleanupSettings.builder().hardSwish(false).build()).apply(hardSwish(0), CONTEXT)
                .details()).containsEntry("hardSwishesRewritten", 0);
    }

    @Test
    void aHardSwishWhoseIntermediateIsReadElsewhereStays() throws Exception {
        TestModels.Builder g = TestModels.builder("hard_swish_shared");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String clipped = g.node("Clip", g.node("Add", x, g.scalar("three", 3f)).output(), g.scalar("zero", 0f),
                g.scalar("six", 6f)).output("clipped");
        g.node("Div", g.node("Mul", x, clipped).output(), g.scalar("six_divisor", 6f)).output("y");
        g.output("y", DataType.FLOAT, 1, 4).output("clipped", DataType.FLOAT, 1, 4);

        PassResult result = new GraphCleanup(GraphCleanupSettings.builder().build())
                .apply(TestModels.model(g.build()), CONTEXT);

        assertThat(result.details()).containsEntry("hardSwishesRewritten", 0);
    }

    /**
     * y = hard-swish(Conv(x)) as exporters write it: (x · clip(x + 3, 0, 6)) / 6 ({@code form} 0), the same with a
     * product by 1/6 (1), or x · (clip(x + 3, 0, 6) / 6) (2).
     */
    private static OnnxModel hardSwish(int form) {
        TestModels.Builder g = TestModels.builder("hard_swish");
        String input = g.input("x", DataType.FLOAT, 1, 2, 3, 3);
        String x = g.node("Conv", input, g.weight("w", 2, 2, 1, 1)).output();
        String clipped = g.node("Clip", g.node("Add", x, g.scalar("three", 3f)).output(), g.scalar("zero", 0f),
                g.scalar("six", 6f)).output();
        switch (form) {
            case 0 -> g.node("Div", g.node("Mul", x, clipped).output(), g.scalar("six_divisor", 6f)).output("y");
            case 1 -> g.node("Mul", g.node("Mul", clipped, x).output(), g.scalar("sixth", 1f / 6)).output("y");
            default -> g.node("Mul", x, g.node("Div", clipped, g.scalar("six_divisor", 6f)).output()).output("y");
        }
        g.output("y", DataType.FLOAT, 1, 2, 3, 3);
        return TestModels.model(g.build());
    }

    @Test
    void isDeterministic() throws Exception {
        byte[] first = new GraphCleanup(GraphCleanupSettings.builder().fold(true).build()).apply(cluttered(), CONTEXT).model().proto().toByteArray();
        byte[] second = new GraphCleanup(GraphCleanupSettings.builder().fold(true).build()).apply(cluttered(), CONTEXT).model().proto().toByteArray();

        assertThat(second).isEqualTo(first);
    }

    private static void assertSameOutputs(OnnxModel expected, OnnxModel actual) throws Exception {
        Map<String, TensorData> input = Map.of("x", TensorData.ofFloats(new long[] {2, 3}, 1, -2, 3, 0.5f, 4, -1));
        try (ModelSession a = ModelSession.open(expected, SessionSettings.cpu());
                ModelSession b = ModelSession.open(actual, SessionSettings.cpu())) {
            assertThat(b.run(input).get("z").toFloatArray()).containsExactly(a.run(input).get("z").toFloatArray());
        }
    }
}
