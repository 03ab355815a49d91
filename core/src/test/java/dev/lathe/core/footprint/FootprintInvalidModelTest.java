package dev.lathe.core.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.testing.TestModels;
import org.junit.jupiter.api.Test;

/**
 * Models that load but whose nodes do not fit their operators: the footprint says so with an
 * {@link InvalidModelException} naming the model and the node, or counts around the node, and never throws
 * an index error. Each case was found by {@code ModelLoaderFuzzTest} (protobuf fields dropped from the
 * test models).
 */
class FootprintInvalidModelTest {

    @Test
    void aGemmInputOfOneDimensionIsAnInvalidModel() throws Exception {
        // x declared [batch] instead of [batch, 4]: MacCounter read a[1] and threw ArrayIndexOutOfBounds.
        ModelProto.Builder proto = TestModels.mlpProto().toBuilder();
        proto.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().removeDim(1);
        OnnxModel model = OnnxModel.of(proto.build(), "rank-one", null);

        assertThatThrownBy(() -> FootprintAnalyzer.analyze(model, ShapeBinding.none().withDimension("batch", 2)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith("rank-one: Gemm node '")
                .hasMessageContaining("cannot take inputs of these shapes: x [2], w1 [8, 4], b1 [8]");
    }

    @Test
    void anIfWithoutConditionIsAnInvalidModel() throws Exception {
        // The If node's only input removed: countIf read getInput(0) and threw IndexOutOfBounds.
        ModelProto.Builder proto = TestModels.ifSubgraphWeightsProto().toBuilder();
        proto.getGraphBuilder().getNodeBuilderList().stream().filter(n -> n.getOpType().equals("If"))
                .forEach(NodeProto.Builder::clearInput);
        OnnxModel model = OnnxModel.of(proto.build(), "no-condition", null);

        assertThatThrownBy(() -> FootprintAnalyzer.analyze(model, ShapeBinding.none()))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("no-condition: If node 'if_flag' has no condition input");
    }

    @Test
    void aMatMulWithoutOutputsIsNotCountedButDoesNotBreakTheFootprint() throws Exception {
        // A MatMul with no outputs: the QDQ-unit scan read getOutput(0) and threw IndexOutOfBounds.
        ModelProto.Builder proto = TestModels.mlpProto().toBuilder();
        NodeProto matMul = proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMul"))
                .findFirst().orElseThrow();
        proto.getGraphBuilder().addNode(matMul.toBuilder().setName("dangling").clearOutput());
        OnnxModel model = OnnxModel.of(proto.build(), "no-output", null);

        Footprint footprint = FootprintAnalyzer.analyze(model, ShapeBinding.none().withDimension("batch", 2));

        assertThat(footprint.macsByOpType()).containsEntry("Gemm", 2L * 4 * 8);
        assertThat(footprint.unresolvedNodes()).contains("dangling");
    }
}
