package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorData;
import dev.lathe.tensorflow.TfTypes;
import java.util.List;
import java.util.Optional;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/** One TensorFlow node being converted: its inputs as converted values, its attributes, and its outputs. */
final class NodeContext {
    private final NodeDef node;
    private final GraphOperation operation;
    private final List<TfValue> inputs;
    private final ConversionGraph graph;

    NodeContext(NodeDef node, GraphOperation operation, List<TfValue> inputs, ConversionGraph graph) {
        this.node = node;
        this.operation = operation;
        this.inputs = inputs;
        this.graph = graph;
    }

    /** The node's name. */
    String name() {
        return node.getName();
    }

    /** The node's op type. */
    String op() {
        return node.getOp();
    }

    /** The graph being built. */
    ConversionGraph graph() {
        return graph;
    }

    /** Data input {@code i}. */
    TfValue input(int i) {
        if (i >= inputs.size()) {
            throw unsupported("expected at least " + (i + 1) + " inputs, it has " + inputs.size());
        }
        return inputs.get(i);
    }

    /** The number of data inputs. */
    int inputCount() {
        return inputs.size();
    }

    /** The value of input {@code i}, which must be a constant (an axis, a shape, a weight). */
    TensorData constant(int i) {
        return input(i).constant().orElseThrow(() -> unsupported("input " + i + " must be a constant, but it is computed"));
    }

    /** The integers of constant input {@code i}. */
    long[] constantInts(int i) {
        return constant(i).toLongArray();
    }

    /** A string attribute, or {@code fallback} when absent. */
    String string(String attr, String fallback) {
        AttrValue value = node.getAttrMap().get(attr);
        return value == null ? fallback : value.getS().toStringUtf8();
    }

    /** An integer attribute, or {@code fallback} when absent. */
    long integer(String attr, long fallback) {
        AttrValue value = node.getAttrMap().get(attr);
        return value == null ? fallback : value.getI();
    }

    /** A float attribute, or {@code fallback} when absent. */
    float real(String attr, float fallback) {
        AttrValue value = node.getAttrMap().get(attr);
        return value == null ? fallback : value.getF();
    }

    /** A boolean attribute, false when absent. */
    boolean bool(String attr) {
        AttrValue value = node.getAttrMap().get(attr);
        return value != null && value.getB();
    }

    /** An integer-list attribute, empty when absent. */
    long[] ints(String attr) {
        AttrValue value = node.getAttrMap().get(attr);
        return value == null ? new long[0] : value.getList().getIList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A type attribute as an ONNX type. */
    DataType type(String attr) {
        AttrValue value = node.getAttrMap().get(attr);
        if (value == null) {
            throw unsupported("attribute " + attr + " is missing");
        }
        return TfTypes.onnxType(value.getType()).orElseThrow(() -> unsupported("type " + value.getType()
                + " has no ONNX counterpart"));
    }

    /** The ONNX type of output {@code i}, from the TensorFlow graph. */
    DataType outputType(int i) {
        return TfTypes.onnxType(operation.output(i).dataType()).orElseThrow(() -> unsupported("output " + i
                + " has type " + operation.output(i).dataType() + ", which has no ONNX counterpart"));
    }

    /** The rank of output {@code i} from TensorFlow's shape inference; -1 when unknown. */
    int outputRank(int i) {
        return operation.output(i).shape().numDimensions();
    }

    /** The dimensions of output {@code i} from TensorFlow's shape inference; -1 where unknown, empty if the rank is. */
    long[] outputShape(int i) {
        org.tensorflow.ndarray.Shape shape = operation.output(i).shape();
        return shape.isUnknown() ? new long[0] : shape.asArray();
    }

    /** The dimensions of input {@code i} from TensorFlow's shape inference; -1 where unknown, empty if the rank is. */
    long[] inputShape(int i) {
        org.tensorflow.ndarray.Shape shape = operation.input(i).shape();
        return shape.isUnknown() ? new long[0] : shape.asArray();
    }

    /** The rank of input {@code i}: as converted, else from TensorFlow's shape inference; -1 when unknown. */
    int inputRank(int i) {
        TfValue value = input(i);
        if (value.rank() >= 0) {
            return value.rank();
        }
        Optional<TensorData> constant = value.constant();
        return constant.map(c -> c.shape().length).orElse(-1);
    }

    /** Adds a node named after this one; returns its output. */
    String emit(Node onnxNode) {
        return graph.emit(node.getName(), onnxNode);
    }

    /** Records output {@code i} as the ONNX value {@code onnxName} in {@code layout}. */
    void output(int i, String onnxName, Layout layout) {
        graph.put(node.getName() + ":" + i, new TfValue(onnxName, layout, outputType(i), outputRank(i), Optional.empty()));
    }

    /** Records output 0 as {@code onnxName} in TensorFlow's layout. */
    void output(String onnxName) {
        output(0, onnxName, Layout.AS_IN_TENSORFLOW);
    }

    /** An exception naming this node and op, for what the converter cannot express. */
    ConversionProblem unsupported(String why) {
        return new ConversionProblem("op " + node.getOp() + " (node " + node.getName() + "): " + why);
    }

    /** A problem with one node, collected into an {@link UnsupportedOpsException}. */
    static final class ConversionProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConversionProblem(String message) {
            super(message);
        }
    }
}
