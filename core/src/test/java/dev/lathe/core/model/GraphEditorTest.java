package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Editing subgraphs through {@link ModelEditor#graphs()}. */
class GraphEditorTest {

    @Test
    void everyGraphHasAnEditorWithItsPath() {
        List<GraphEditor> graphs = TestModels.ifSubgraphWeights().edit().graphs();

        assertThat(graphs).extracting(GraphEditor::path)
                .containsExactly("", "if_flag/then_branch", "if_flag/else_branch");
        assertThat(graphs.get(1).parent()).containsSame(graphs.get(0));
    }

    @Test
    void subgraphEditsAreBuiltIntoTheModel() throws Exception {
        OnnxModel model = TestModels.ifSubgraphWeights();
        ModelEditor editor = model.edit();
        GraphEditor thenBranch = editor.graphs().get(1);
        float[] doubled = model.tensorData(thenBranch.initializer("w_then").orElseThrow()).toFloatArray();
        for (int i = 0; i < doubled.length; i++) {
            doubled[i] *= 2;
        }
        thenBranch.putInitializer("w_then", TensorData.ofFloats(new long[] {4, 4}, doubled));
        NodeProto matMul = thenBranch.nodes().get(0);
        String scaled = thenBranch.uniqueName("then_scaled");
        thenBranch.replaceNode(matMul.getName(), matMul.toBuilder().setOutput(0, scaled).build(),
                NodeProto.newBuilder().setName(thenBranch.uniqueName("then_identity")).setOpType("Identity")
                        .addInput(scaled).addOutput(matMul.getOutput(0)).build());

        OnnxModel edited = editor.build();

        Graph then = edited.graph().withAllSubgraphs().get(1);
        assertThat(then.nodes()).extracting(NodeProto::getOpType).containsExactly("MatMul", "Identity");
        assertThat(edited.tensorData(then.initializer("w_then").orElseThrow()).toFloatArray()).containsExactly(doubled);
        assertThat(ModelInvariants.violations(edited.graph())).isEmpty();
    }

    @Test
    void constantsAreFoundThroughEnclosingScopes() {
        TestModels.Builder g = TestModels.builder("outer_weight");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String flag = g.input("flag", DataType.BOOL);
        String w = g.weight("w_outer", 4, 4);
        TestModels.Builder branch = g.subgraph("branch");
        branch.node("MatMul", x, w).output("branch_y");
        branch.output("branch_y", DataType.FLOAT, 1, 4);
        g.node("If", flag).named("if_node").graphAttr("then_branch", branch.buildGraph())
                .graphAttr("else_branch", branch.buildGraph()).output("y");
        g.output("y", DataType.FLOAT, 1, 4);
        ModelEditor editor = TestModels.model(g.build()).edit();

        GraphEditor inner = editor.graphs().get(1);

        assertThat(inner.constant("w_outer")).isPresent();
        assertThat(inner.constant("x")).isEmpty();
        assertThat(inner.initializer("w_outer")).isEmpty();
    }

    @Test
    void deadNodesAreRemovedInsideSubgraphsToo() throws Exception {
        ModelEditor editor = TestModels.ifSubgraphWeights().edit();
        GraphEditor elseBranch = editor.graphs().get(2);
        String unused = elseBranch.uniqueName("unused");
        elseBranch.addNode(NodeProto.newBuilder().setName(elseBranch.uniqueName("dead_relu")).setOpType("Relu")
                .addInput(elseBranch.nodes().get(0).getOutput(0)).addOutput(unused).build());

        assertThat(editor.removeDeadNodes()).isEqualTo(1);
        assertThat(editor.build().graph().withAllSubgraphs().get(2).nodes()).hasSize(1);
    }
}
