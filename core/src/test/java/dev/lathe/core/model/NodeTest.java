package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nodes written with {@link Node}, and the editor's inputs, outputs and value_info edits. */
class NodeTest {

    @Test
    void aNodeIsWrittenInOneChain() {
        NodeProto node = Node.op("MatMulNBits").domain("com.microsoft").named("q").in("a", "b", "", "bias").out("y")
                .attr("K", 64).attr("to", DataType.FLOAT16).attr("alpha", 0.5f).attr("mode", "linear").ints("axes", -1)
                .floats("scales", 1f, 2f).build();

        assertThat(node.getOpType()).isEqualTo("MatMulNBits");
        assertThat(node.getDomain()).isEqualTo("com.microsoft");
        assertThat(node.getInputList()).containsExactly("a", "b", "", "bias");
        assertThat(NodeAttributes.getInt(node, "K", 0)).isEqualTo(64);
        assertThat(NodeAttributes.getInt(node, "to", 0)).isEqualTo(DataType.FLOAT16.code());
        assertThat(NodeAttributes.find(node, "alpha").orElseThrow().getF()).isEqualTo(0.5f);
        assertThat(NodeAttributes.find(node, "mode").orElseThrow().getS().toStringUtf8()).isEqualTo("linear");
        assertThat(NodeAttributes.find(node, "axes").orElseThrow().getIntsList()).containsExactly(-1L);
        assertThat(NodeAttributes.find(node, "scales").orElseThrow().getFloatsList()).containsExactly(1f, 2f);
        assertThatThrownBy(() -> Node.op("Relu").in("x").out("y").build()).hasMessageContaining("no name");
        assertThatThrownBy(() -> Node.op("Relu").named("r").in("x").build()).hasMessageContaining("no output");
        assertThatThrownBy(() -> Node.op(" ")).hasMessageContaining("op type");
    }

    @Test
    void theEditorNamesAddedNodesAndEditsInputsOutputsAndValueInfo() throws Exception {
        ModelEditor editor = TestModels.mlp().edit();
        GraphEditor main = editor.mainGraph();
        String output = main.add(Node.op("Relu").in("y").out("y_relu"));
        main.renameOutput("y", "y_relu");
        main.retype("x", DataType.FLOAT16);

        OnnxModel edited = editor.build();

        assertThat(output).isEqualTo("y_relu");
        assertThat(edited.graph().nodes()).anyMatch(n -> n.getName().equals("y_relu_Relu"));
        assertThat(edited.graph().outputs()).extracting(v -> v.getName()).containsExactly("y_relu");
        assertThat(edited.graph().inputs().get(0).getType().getTensorType().getElemType()).isEqualTo(DataType.FLOAT16.code());
        assertThatThrownBy(() -> main.renameOutput("nope", "x")).hasMessageContaining("'nope'")
                .hasMessageContaining("main graph");

        ModelEditor second = edited.edit();
        second.mainGraph().replaceNode("y_relu_Relu", Node.op("Sigmoid").in("y").out("y_relu"));
        assertThat(second.build().graph().nodes()).filteredOn(n -> n.getOutput(0).equals("y_relu"))
                .extracting(NodeProto::getOpType).containsExactly("Sigmoid");
        assertThat(second.mainGraph().removeValueInfo(List.of("y")).valueInfo()).noneMatch(v -> v.getName().equals("y"));
    }
}
