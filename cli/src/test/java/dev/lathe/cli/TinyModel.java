package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A linear layer as an ONNX file: {@code Y = X · W + B} with X of shape [batch, 4], W [4, 3] holding 3
 * zeros, B [3]. Hand-computed footprint: 15 parameters (3 zero), 60 bytes of FLOAT weights, 2 nodes, and
 * batch × 4 × 3 MatMul MACs. {@link #writeWithDeadNode} adds a node that {@code cleanup} removes;
 * {@link #writeSum} writes a second model with two inputs.
 */
final class TinyModel {
    static final String INPUT = "X";
    static final String SECOND_INPUT = "Z";
    static final String BATCH = "batch";
    static final String METADATA_KEY = "lathe.test";
    static final String DEAD_NODE = "dead";

    private TinyModel() {
    }

    /** Writes the model to {@code file} and returns the file. */
    static Path write(Path file) throws IOException, LatheException {
        return write(file, linear().build());
    }

    /**
     * Writes the model plus one dead node (a {@code Relu} of H whose output nothing reads), which the
     * {@code cleanup} pass removes: 3 nodes before, 2 after.
     */
    static Path writeWithDeadNode(Path file) throws IOException, LatheException {
        return write(file, linear().addNode(NodeProto.newBuilder().setName(DEAD_NODE).setOpType("Relu")
                .addInput("H").addOutput("unused")).build());
    }

    private static GraphProto.Builder linear() {
        TensorProto weights = TensorProto.newBuilder().setName("W").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(4).addDims(3)
                .addFloatData(0).addFloatData(1).addFloatData(2)
                .addFloatData(3).addFloatData(0).addFloatData(5)
                .addFloatData(6).addFloatData(7).addFloatData(0)
                .addFloatData(9).addFloatData(10).addFloatData(11)
                .build();
        TensorProto bias = TensorProto.newBuilder().setName("B").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(3).addFloatData(0.5f).addFloatData(-0.5f).addFloatData(1.5f).build();
        return GraphProto.newBuilder().setName("tiny")
                .addNode(NodeProto.newBuilder().setName("matmul").setOpType("MatMul")
                        .addInput(INPUT).addInput("W").addOutput("H"))
                .addNode(NodeProto.newBuilder().setName("add").setOpType("Add")
                        .addInput("H").addInput("B").addOutput("Y"))
                .addInitializer(weights)
                .addInitializer(bias)
                .addInput(value(INPUT, 4))
                .addOutput(value("Y", 3));
    }

    private static Path write(Path file, GraphProto graph) throws IOException, LatheException {
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).setProducerName("lathe-cli-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(METADATA_KEY).setValue("tiny linear"))
                .setGraph(graph)
                .build();
        OnnxModel.of(model, "tiny", null).save(file);
        return file;
    }

    /** Writes {@code Y = X + Z}, X and Z of shape [batch, 4], to {@code file} and returns the file. */
    static Path writeSum(Path file) throws IOException, LatheException {
        GraphProto graph = GraphProto.newBuilder().setName("sum")
                .addNode(NodeProto.newBuilder().setName("add").setOpType("Add")
                        .addInput(INPUT).addInput(SECOND_INPUT).addOutput("Y"))
                .addInput(value(INPUT, 4))
                .addInput(value(SECOND_INPUT, 4))
                .addOutput(value("Y", 4))
                .build();
        ModelProto model = ModelProto.newBuilder().setIrVersion(8).setProducerName("lathe-cli-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph)
                .build();
        OnnxModel.of(model, "sum", null).save(file);
        return file;
    }

    /** A float tensor value of shape [batch, columns]. */
    private static ValueInfoProto value(String name, long columns) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
                .build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }
}
