package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.TensorProto;

/**
 * A constant tensor of a model, wherever it lives: an initializer or the value of a {@code Constant}
 * node (see {@link Graph#constantNodeValue}), in the main graph or in a subgraph of {@code If}/{@code Loop}/{@code Scan}.
 *
 * @param name      the value name the tensor defines
 * @param origin    where the tensor is stored
 * @param graphPath the graph holding it: "" for the main graph, else the path of node/attribute names
 *                  leading to the subgraph, such as {@code "if_0/then_branch"}
 * @param nodeName  for {@link Origin#CONSTANT_NODE}, the node's name; otherwise empty
 * @param tensor    the stored tensor (its bytes may be external: read them with
 *                  {@link OnnxModel#tensorData(TensorProto)})
 */
public record ConstantTensor(String name, Origin origin, String graphPath, String nodeName, TensorProto tensor) {

    /** Where a constant tensor is stored. */
    public enum Origin {
        /** In the graph's initializer list. */
        INITIALIZER,
        /** In the value attribute of a {@code Constant} node. */
        CONSTANT_NODE
    }

    /** The element type of the tensor (an unknown code was rejected when the model was loaded). */
    public DataType dataType() {
        return DataType.fromCode(tensor.getDataType()).orElseThrow();
    }

    /** The shape of the tensor. */
    public long[] shape() {
        return TensorCodec.shapeOf(tensor);
    }

    /** Number of elements. */
    public long elementCount() {
        return TensorData.elementCount(shape());
    }
}
