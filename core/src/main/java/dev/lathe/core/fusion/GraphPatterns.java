package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.List;
import java.util.Optional;

/**
 * Read-only questions the fusions ask of a model's main graph while matching: which node produces a value, who
 * reads it, and what a constant holds. A value that is a graph output counts as read by someone outside.
 */
final class GraphPatterns {
    private final OnnxModel model;
    private final Graph graph;

    GraphPatterns(OnnxModel model) {
        this.model = model;
        this.graph = model.graph();
    }

    Graph graph() {
        return graph;
    }

    /** The node that produces {@code value}, if it is of type {@code opType} in the ONNX domain. */
    Optional<NodeProto> producer(String value, String opType) {
        return graph.producer(value).filter(n -> n.getOpType().equals(opType) && n.getDomain().isEmpty());
    }

    /** The nodes reading {@code value}. */
    List<NodeProto> consumers(String value) {
        return graph.consumers(value);
    }

    /** The single node reading {@code value}, if exactly one node reads it and it is of type {@code opType} (ONNX domain). */
    Optional<NodeProto> soleReader(String value, String opType) {
        return only(graph.consumers(value), opType);
    }

    /** The single node in {@code nodes}, if there is one and it is of type {@code opType} in the ONNX domain. */
    static Optional<NodeProto> only(List<NodeProto> nodes, String opType) {
        return nodes.size() == 1 && nodes.get(0).getOpType().equals(opType) && nodes.get(0).getDomain().isEmpty()
                ? Optional.of(nodes.get(0)) : Optional.empty();
    }

    /** Whether {@code value} is read by exactly the given nodes (by name) and is not a graph output. */
    boolean readOnlyBy(String value, NodeProto... readers) {
        if (graph.outputs().stream().anyMatch(v -> v.getName().equals(value))) {
            return false;
        }
        List<NodeProto> consumers = graph.consumers(value);
        if (consumers.size() != readers.length) {
            return false;
        }
        for (NodeProto reader : readers) {
            if (consumers.stream().noneMatch(c -> c.getName().equals(reader.getName()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value} is a constant (an initializer or a Constant node's output). */
    boolean isConstant(String value) {
        return graph.constant(value).isPresent();
    }

    /** Whether {@code value} is an input of the main graph (not an initializer). */
    boolean isGraphInput(String value) {
        return graph.inputs().stream().anyMatch(v -> v.getName().equals(value)) && graph.initializer(value).isEmpty();
    }

    /** The element type of {@code input}, if it is an input of the main graph declared 2-D with a known type. */
    Optional<DataType> matrixInputType(String input) {
        Optional<ValueInfoProto> info = graph.inputs().stream().filter(v -> v.getName().equals(input)).findFirst();
        if (info.isEmpty() || info.get().getType().getTensorType().getShape().getDimCount() != 2) {
            return Optional.empty();
        }
        return DataType.fromCode(info.get().getType().getTensorType().getElemType());
    }

    /**
     * A MatMul output plus a constant float bias, the two inputs of an Add in either order.
     *
     * @param product   the MatMul output
     * @param bias      the bias constant's name
     * @param biasShape its shape
     */
    record BiasedProduct(String product, String bias, long[] biasShape) {
    }

    /** The MatMul output and constant float bias a two-input {@code add} sums, if that is what it sums. */
    Optional<BiasedProduct> matMulPlusBias(NodeProto add) {
        if (add.getInputCount() != 2) {
            return Optional.empty();
        }
        for (int i = 0; i < 2; i++) {
            String product = add.getInput(i);
            Optional<TensorProto> bias = floatConstant(add.getInput(1 - i));
            if (producer(product, "MatMul").isPresent() && bias.isPresent()) {
                return Optional.of(new BiasedProduct(product, add.getInput(1 - i), shape(bias.get())));
            }
        }
        return Optional.empty();
    }

    /** The constant tensor {@code value} names, if it is a float constant. */
    Optional<TensorProto> floatConstant(String value) {
        return graph.constant(value).filter(t -> t.getDataType() == DataType.FLOAT.code());
    }

    /** The shape of a constant. */
    static long[] shape(TensorProto tensor) {
        return TensorCodec.shapeOf(tensor);
    }

    /** The value of a one-element float constant. */
    Optional<Float> scalar(String value) throws InvalidModelException {
        return floatConstant(value).isEmpty() ? Optional.empty() : model.scalarConstant(value);
    }

    /** The elements of a float constant. */
    float[] floats(TensorProto tensor) throws InvalidModelException {
        return model.tensorData(tensor).toFloatArray();
    }

    /** The elements of an integer constant (int32 or int64), if {@code value} is one. */
    Optional<long[]> longs(String value) throws InvalidModelException {
        Optional<TensorProto> tensor = graph.constant(value).filter(t -> t.getDataType() == DataType.INT64.code()
                || t.getDataType() == DataType.INT32.code());
        return tensor.isEmpty() ? Optional.empty() : Optional.of(model.tensorData(tensor.get()).toLongArray());
    }

    /** The input of a two-input node that is not {@code value}. */
    static String other(NodeProto binary, String value) {
        return binary.getInput(0).equals(value) ? binary.getInput(1) : binary.getInput(0);
    }

    /** The axes of a ReduceMean, Unsqueeze or Squeeze: the attribute (older opsets) or the constant second input. */
    Optional<long[]> axes(NodeProto node) throws InvalidModelException {
        Optional<long[]> attribute = NodeAttributes.getInts(node, "axes");
        if (attribute.isPresent()) {
            return attribute;
        }
        return node.getInputCount() > 1 && !node.getInput(1).isEmpty() ? longs(node.getInput(1)) : Optional.empty();
    }

    /** The {@code perm} of a Transpose. */
    static long[] perm(NodeProto transpose) {
        return NodeAttributes.getInts(transpose, "perm").orElse(new long[0]);
    }
}
