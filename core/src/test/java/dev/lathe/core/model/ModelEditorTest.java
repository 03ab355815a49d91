package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.testing.SeededRun;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edits build new, sound models and leave the original alone; broken edits are refused. */
class ModelEditorTest {
    private static final SeededRun RUN = RoundTripTest.RUN;

    @TempDir
    Path folder;

    /** Every successful edit must give a graph that holds all invariants, node names included. */
    private static OnnxModel built(ModelEditor editor) throws InvalidModelException {
        OnnxModel model = editor.build();
        assertThat(ModelInvariants.violations(model.graph())).isEmpty();
        return model;
    }

    private static NodeProto node(String name, String opType, List<String> inputs, String... outputs) {
        return NodeProto.newBuilder().setName(name).setOpType(opType).addAllInput(inputs).addAllOutput(List.of(outputs)).build();
    }

    /** Every value and node name in a model, subgraphs included. */
    private static Set<String> allNames(OnnxModel model) {
        Set<String> names = new HashSet<>();
        for (Graph graph : model.graph().withAllSubgraphs()) {
            graph.proto().getInputList().forEach(v -> names.add(v.getName()));
            graph.proto().getInitializerList().forEach(t -> names.add(t.getName()));
            for (NodeProto node : graph.proto().getNodeList()) {
                names.add(node.getName());
                names.addAll(node.getOutputList());
            }
        }
        return names;
    }

    /** {@link TestModels#mlp()} plus a branch nothing reads: x → MatMul(w_dead) → Relu, listed first. */
    private static OnnxModel mlpWithDeadBranch() {
        ModelProto mlp = TestModels.mlpProto();
        TestModels.Builder g = TestModels.builder("dead_branch");
        String x = g.input("x", DataType.FLOAT, "batch", 4);
        String dead = g.node("MatMul", x, g.weight("w_dead", 4, 4)).named("dead_matmul").output("dead");
        g.node("Relu", dead).named("dead_relu").output("dead_out");
        ModelProto.Builder proto = mlp.toBuilder();
        proto.getGraphBuilder().addAllInitializer(g.buildGraph().getInitializerList()).clearNode()
                .addAllNode(g.buildGraph().getNodeList()).addAllNode(mlp.getGraph().getNodeList());
        return TestModels.model(proto.build());
    }

    @Test
    void replacingInitializersChangesOutputsAsExpectedAndLeavesTheOriginalAlone() throws Exception {
        OnnxModel original = TestModels.mlp();
        ModelEditor editor = original.edit();
        for (String name : List.of("w2", "b2")) {
            float[] values = original.tensorData(editor.initializer(name).orElseThrow()).toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] *= 2;
            }
            editor.putInitializer(name, TensorData.ofFloats(TensorCodec.shapeOf(editor.initializer(name).orElseThrow()), values));
        }

        OnnxModel doubled = built(editor);

        float[] before = RUN.outputs(original.proto().toByteArray()).get("y");
        float[] after = RUN.outputs(doubled.proto().toByteArray()).get("y");
        for (int i = 0; i < before.length; i++) {
            assertThat(after[i]).isEqualTo(2 * before[i]);
        }
        assertThat(original.proto()).isEqualTo(TestModels.mlpProto());
        assertThat(doubled.graph().initializers()).containsOnlyKeys("w1", "b1", "w2", "b2");
    }

    @Test
    void addingAndReplacingNodesRewiresTheGraph() throws Exception {
        OnnxModel original = TestModels.mlp();
        ModelEditor editor = original.edit();
        NodeProto relu = editor.nodes().stream().filter(n -> n.getOpType().equals("Relu")).findFirst().orElseThrow();
        NodeProto matMul = editor.nodes().stream().filter(n -> n.getOpType().equals("MatMul")).findFirst().orElseThrow();
        String one = editor.uniqueName("one");
        String scaled = editor.uniqueName("scaled");
        editor.putInitializer(one, TensorData.ofFloats(new long[0], 1f));
        editor.addNode(node(editor.uniqueName("scale"), "Mul", List.of(relu.getOutput(0), one), scaled));
        editor.replaceNode(matMul.getName(), matMul.toBuilder().setInput(0, scaled).build());

        OnnxModel edited = built(editor);

        // The Mul was appended last but must run before the MatMul that now reads it.
        List<String> order = edited.proto().getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertThat(order).containsExactly("Gemm", "Relu", "Mul", "MatMul", "Add");
        assertThat(edited.proto().getGraph().getNodeList()).containsExactlyElementsOf(edited.graph().nodes());
        SeededRun.assertIdentical(RUN.outputs(original.proto().toByteArray()), RUN.outputs(edited.proto().toByteArray()));
    }

    @Test
    void replacingOneNodeByTwoKeepsThemInPlace() throws Exception {
        ModelEditor editor = TestModels.mlp().edit();
        NodeProto relu = editor.node("Relu").orElseThrow();
        String middle = editor.uniqueName("middle");
        editor.replaceNode("Relu",
                node("Relu", "Relu", relu.getInputList(), middle),
                node(editor.uniqueName("Identity"), "Identity", List.of(middle), relu.getOutput(0)));

        OnnxModel edited = built(editor);

        assertThat(edited.graph().nodes()).extracting(NodeProto::getOpType).containsExactly("Gemm", "Relu", "Identity", "MatMul", "Add");
        assertThat(editor.node("Identity")).isPresent();
    }

    @Test
    void uniqueNamesNeverCollideWithAnythingInTheModel() {
        OnnxModel model = TestModels.ifSubgraphWeights();
        Set<String> taken = allNames(model);
        ModelEditor editor = model.edit();

        assertThat(editor.uniqueName("x")).isEqualTo("x_1");
        assertThat(editor.uniqueName("x")).isEqualTo("x_2");
        assertThat(editor.uniqueName("w_then")).isEqualTo("w_then_1");
        assertThat(editor.uniqueName("fresh")).isEqualTo("fresh");
        Set<String> handedOut = new HashSet<>();
        for (String base : taken) {
            for (int i = 0; i < 20; i++) {
                String name = editor.uniqueName(base);
                assertThat(taken).doesNotContain(name);
                assertThat(handedOut.add(name)).as(name).isTrue();
            }
        }
        assertThatThrownBy(() -> editor.uniqueName("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesOfAddedNodesAndInitializersAreTakenToo() {
        ModelEditor editor = TestModels.mlp().edit();
        editor.addNode(node("added", "Relu", List.of("y"), "added_out"));
        editor.putInitializer("table", TensorData.ofFloats(new long[] {1}, 1f));

        assertThat(editor.uniqueName("added")).isEqualTo("added_1");
        assertThat(editor.uniqueName("added_out")).isEqualTo("added_out_1");
        assertThat(editor.uniqueName("table")).isEqualTo("table_1");
    }

    @Test
    void unnamedAndDuplicateNodesGetUniqueNames() throws Exception {
        ModelProto.Builder proto = TestModels.transformerBlockProto().toBuilder();
        for (int i = 0; i < proto.getGraph().getNodeCount(); i++) {
            NodeProto.Builder node = proto.getGraphBuilder().getNodeBuilder(i);
            if (i % 2 == 0) {
                node.clearName();
            } else {
                node.setName("same");
            }
        }
        OnnxModel model = TestModels.model(proto.build());
        Graph file = Graph.of(model.proto().getGraph());
        assertThat(ModelInvariants.violations(file)).isNotEmpty();
        assertThat(ModelInvariants.structuralViolations(file)).isEmpty();
        assertThat(ModelInvariants.violations(model.graph())).as("the view names every node").isEmpty();

        OnnxModel renamed = built(model.edit());

        assertThat(renamed.graph().nodes()).extracting(NodeProto::getName).doesNotHaveDuplicates().doesNotContain("");
        SeededRun.assertIdentical(RUN.outputs(TestModels.transformerBlockProto().toByteArray()),
                RUN.outputs(renamed.proto().toByteArray()));
    }

    @Test
    void unnamedAndDuplicateNodesInSubgraphsGetUniqueNamesToo() throws Exception {
        ModelProto.Builder proto = TestModels.ifSubgraphWeightsProto().toBuilder();
        proto.getGraphBuilder().getNodeBuilder(0).getAttributeBuilder(0).getGBuilder().getNodeBuilder(0).clearName();
        proto.getGraphBuilder().getNodeBuilder(0).getAttributeBuilder(1).getGBuilder().getNodeBuilder(0).setName("if_flag");
        OnnxModel model = TestModels.model(proto.build());

        OnnxModel edited = built(model.edit().putMetadata("edited", "yes"));

        List<Graph> branches = edited.graph().subgraphs(edited.graph().nodes().get(0));
        assertThat(branches).extracting(branch -> branch.nodes().get(0).getName()).doesNotContain("", "if_flag");
        assertThat(edited.graph().nodes().get(0).getName()).isEqualTo("if_flag");
        SeededRun.assertIdentical(RUN.outputs(model.proto().toByteArray()), RUN.outputs(edited.proto().toByteArray()));
    }

    @Test
    void removeDeadNodesDropsAnUnusedBranchAndItsWeights() throws Exception {
        OnnxModel model = mlpWithDeadBranch();
        ModelEditor editor = model.edit();

        assertThat(editor.removeDeadNodes()).isEqualTo(2);
        OnnxModel pruned = built(editor);

        assertThat(pruned.graph().nodes()).extracting(NodeProto::getName).doesNotContain("dead_matmul", "dead_relu");
        assertThat(pruned.graph().initializers()).containsOnlyKeys("w1", "b1", "w2", "b2");
        assertThat(pruned.proto().getGraph().getNodeList()).containsExactlyElementsOf(TestModels.mlpProto().getGraph().getNodeList());
        SeededRun.assertIdentical(RUN.outputs(model.proto().toByteArray()), RUN.outputs(pruned.proto().toByteArray()));
        assertThat(pruned.edit().removeDeadNodes()).isZero();
    }

    @Test
    void removeDeadNodesKeepsWhatSubgraphsReadAndInitializersThatAreInputs() throws Exception {
        ModelEditor branches = TestModels.ifSubgraphWeights().edit();
        assertThat(branches.removeDeadNodes()).isZero();
        assertThat(built(branches).proto()).isEqualTo(TestModels.ifSubgraphWeightsProto());

        ModelProto.Builder proto = TestModels.mlpProto().toBuilder();
        proto.getGraphBuilder().addInitializer(TensorCodec.encode("override", TensorData.ofFloats(new long[] {1}, 0f)))
                .addInput(proto.getGraph().getInput(0).toBuilder().setName("override"));
        ModelEditor editor = TestModels.model(proto.build()).edit();
        editor.putInitializer("unused", TensorData.ofFloats(new long[] {1}, 0f));
        editor.removeDeadNodes();
        assertThat(built(editor).graph().initializers()).containsOnlyKeys("w1", "b1", "w2", "b2", "override");
    }

    @Test
    void removingANodeThatOthersReadIsRefused() {
        ModelEditor editor = TestModels.mlp().edit();
        editor.removeNode("Relu");

        assertThatThrownBy(editor::build).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("mlp")
                .hasMessageContaining("'MatMul'")
                .hasMessageContaining("reads undefined value 'relu'");
    }

    @Test
    void readingAnUndefinedValueIsRefused() {
        ModelEditor editor = TestModels.mlp().edit();
        editor.addNode(node("reader", "Relu", List.of("missing"), "reader_out"));

        assertThatThrownBy(editor::build).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("'reader'")
                .hasMessageContaining("'missing'");
    }

    @Test
    void producingAValueTwiceIsRefused() {
        ModelEditor editor = TestModels.mlp().edit();
        editor.addNode(node("second_y", "Relu", List.of("x"), "y"));

        assertThatThrownBy(editor::build).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("'y' is produced more than once")
                .hasMessageContaining("'second_y'");
    }

    @Test
    void producingAnInitializerIsRefused() {
        ModelEditor editor = TestModels.mlp().edit();
        editor.addNode(node("shadow", "Relu", List.of("x"), "w1"));

        assertThatThrownBy(editor::build).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("'w1' is produced more than once");
    }

    @Test
    void aCycleIsRefused() {
        ModelEditor editor = TestModels.mlp().edit();
        NodeProto gemm = editor.node("Gemm").orElseThrow();
        editor.replaceNode("Gemm", gemm.toBuilder().setInput(0, "y").build());

        assertThatThrownBy(editor::build).isInstanceOf(InvalidModelException.class).hasMessageContaining("cycle");
    }

    @Test
    void nodeNamesAreChecked() {
        ModelEditor editor = TestModels.mlp().edit();

        assertThatThrownBy(() -> editor.addNode(node("", "Relu", List.of("x"), "r"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uniqueName");
        assertThatThrownBy(() -> editor.addNode(node("Relu", "Relu", List.of("x"), "r"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Relu' already exists");
        assertThatThrownBy(() -> editor.removeNode("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> editor.replaceNode("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> editor.putInitializer(TensorProto.newBuilder().build())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void removingAnInitializerStillReadIsRefused() {
        ModelEditor editor = TestModels.mlp().edit().removeInitializer("b2");

        assertThatThrownBy(editor::build).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("undefined value 'b2'");
    }

    @Test
    void metadataAndOpsetsAreEditable() throws Exception {
        OnnxModel edited = built(TestModels.mlp().edit()
                .putMetadata("lathe.pass", "prune")
                .requireOpset("", 13)
                .requireOpset("com.microsoft", 1)
                .requireOpset("com.microsoft", 1));

        assertThat(edited.metadata()).containsExactly(Map.entry("lathe.pass", "prune"));
        assertThat(edited.opsets()).containsExactly(Map.entry("", 17L), Map.entry("com.microsoft", 1L));
        assertThat(built(edited.edit().requireOpset("", 18)).opsetVersion("")).contains(18L);
        assertThat(edited.proto().getIrVersion()).isEqualTo(TestModels.IR_VERSION);
    }

    @Test
    void anEditedModelStillReadsTheExternalDataOfItsSource() throws Exception {
        Path file = folder.resolve("model.onnx");
        TestModels.transformerBlock().save(file, SaveOptions.external(256));
        OnnxModel loaded = OnnxModel.load(file);

        OnnxModel edited = built(loaded.edit().putMetadata("edited", "yes"));

        TensorProto embedding = edited.graph().initializer("embedding").orElseThrow();
        assertThat(OnnxModel.isExternal(embedding)).isTrue();
        assertThat(edited.tensorData(embedding)).isEqualTo(loaded.tensorData(embedding));
        assertThat(edited.file()).isEmpty();
        assertThat(edited.baseDirectory()).contains(folder.toAbsolutePath());
        Path copy = folder.resolve("copy").resolve("edited.onnx");
        edited.save(copy);
        SeededRun.assertIdentical(RUN.outputs(file), RUN.outputs(copy));
    }
}
