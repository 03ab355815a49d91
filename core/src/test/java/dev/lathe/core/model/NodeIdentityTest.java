package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node has one name in the graph view and in the editor, and an untouched model is not renamed. */
class NodeIdentityTest {

    /** The transformer block with every main-graph node's name removed and two subgraph-free duplicates. */
    private static OnnxModel unnamed() {
        ModelProto proto = TestModels.transformerBlockProto();
        GraphProto.Builder graph = proto.getGraph().toBuilder();
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            node.setName("");
        }
        return TestModels.model(proto.toBuilder().setGraph(graph).build());
    }

    @Test
    void viewAndEditorAgreeOnGeneratedNames() throws Exception {
        OnnxModel model = unnamed();

        List<String> viewed = model.graph().nodes().stream().map(NodeProto::getName).toList();
        List<String> edited = model.edit().nodes().stream().map(NodeProto::getName).toList();
        List<String> rebuilt = model.edit().build().graph().nodes().stream().map(NodeProto::getName).toList();

        assertThat(viewed).doesNotContain("").doesNotHaveDuplicates();
        assertThat(edited).containsExactlyInAnyOrderElementsOf(viewed);
        assertThat(rebuilt).containsExactlyInAnyOrderElementsOf(viewed);
        assertThat(viewed).contains("Gather", "MatMul", "MatMul_1");
        assertThat(model.proto().getGraph().getNode(0).getName()).as("the file is not renamed").isEmpty();
    }

    @Test
    void aNamedModelKeepsItsGraph() {
        OnnxModel model = TestModels.transformerBlock();
        assertThat(model.graph().proto()).isSameAs(model.proto().getGraph());
    }

    @Test
    void consumersMeanTheSameInTheViewAndTheEditor() {
        OnnxModel model = TestModels.ifSubgraphWeights();
        GraphEditor main = model.edit().mainGraph();

        assertThat(model.graph().consumers("x")).extracting(NodeProto::getOpType).containsExactly("If");
        assertThat(main.consumers("x")).extracting(NodeProto::getOpType).containsExactly("If");
        assertThat(model.graph().consumers("x", false)).isEmpty();
        assertThat(main.consumers("x", false)).isEmpty();
        assertThat(main.consumers("flag", false)).extracting(NodeProto::getOpType).containsExactly("If");
    }
}
