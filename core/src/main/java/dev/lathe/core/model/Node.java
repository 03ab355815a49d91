package dev.lathe.core.model;

import com.google.protobuf.ByteString;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;

/**
 * One ONNX node, written in one chain instead of a protobuf builder:
 *
 * <pre>{@code
 * String half = graph.add(Node.op("Cast").in(x).out(graph.uniqueName(x + "_fp16")).attr("to", DataType.FLOAT16));
 * graph.add(Node.op("MatMulNBits").domain("com.microsoft").in(a, b, scales).out(y).attr("K", k).attr("N", n));
 * }</pre>
 *
 * <p>Inputs and outputs keep their order; an empty input name is an omitted optional input. A node without
 * a name is named by {@link GraphEditor#add} after its first output and op type. Mutable until
 * {@link #build()}; build it once.
 */
public final class Node {
    private final NodeProto.Builder node = NodeProto.newBuilder();

    private Node(String opType) {
        node.setOpType(opType);
    }

    /**
     * A node of the given op type, in the ONNX domain unless {@link #domain} says otherwise.
     *
     * @throws IllegalArgumentException if the op type is blank
     */
    public static Node op(String opType) {
        if (opType == null || opType.isBlank()) {
            throw new IllegalArgumentException("a node needs an op type");
        }
        return new Node(opType);
    }

    /** Sets the node's name; it must be unique in its graph (see {@link GraphEditor#uniqueName}). */
    public Node named(String name) {
        node.setName(name);
        return this;
    }

    /** Sets the operator's domain, such as {@code com.microsoft}. */
    public Node domain(String domain) {
        node.setDomain(domain);
        return this;
    }

    /** Appends inputs. */
    public Node in(String... inputs) {
        for (String input : inputs) {
            node.addInput(input);
        }
        return this;
    }

    /** Appends outputs. */
    public Node out(String... outputs) {
        for (String output : outputs) {
            node.addOutput(output);
        }
        return this;
    }

    /** Adds an INT attribute. */
    public Node attr(String name, long value) {
        return add(attribute(name, AttributeProto.AttributeType.INT).setI(value));
    }

    /** Adds an INT attribute holding a data type's ONNX code (Cast's {@code to}, for instance). */
    public Node attr(String name, DataType type) {
        return attr(name, type.code());
    }

    /** Adds a FLOAT attribute. */
    public Node attr(String name, float value) {
        return add(attribute(name, AttributeProto.AttributeType.FLOAT).setF(value));
    }

    /** Adds a STRING attribute (UTF-8). */
    public Node attr(String name, String value) {
        return add(attribute(name, AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(value)));
    }

    /** Adds a TENSOR attribute holding {@code value} (a Constant's {@code value}, for instance). */
    public Node attr(String name, TensorData value) {
        return attr(name, TensorCodec.encode("", value));
    }

    /** Adds a TENSOR attribute. */
    public Node attr(String name, TensorProto value) {
        return add(attribute(name, AttributeProto.AttributeType.TENSOR).setT(value));
    }

    /** Adds an INTS attribute (even of one value). */
    public Node ints(String name, long... values) {
        AttributeProto.Builder attribute = attribute(name, AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return add(attribute);
    }

    /** Adds a FLOATS attribute (even of one value). */
    public Node floats(String name, float... values) {
        AttributeProto.Builder attribute = attribute(name, AttributeProto.AttributeType.FLOATS);
        for (float value : values) {
            attribute.addFloats(value);
        }
        return add(attribute);
    }

    /** Adds an attribute as it is, such as one copied from another node. */
    public Node attr(AttributeProto attribute) {
        node.addAttribute(attribute);
        return this;
    }

    /** Whether the node has been named. */
    boolean hasName() {
        return !node.getName().isEmpty();
    }

    /** The op type. */
    String opType() {
        return node.getOpType();
    }

    /** The first output, or "" when there is none. */
    String firstOutput() {
        return node.getOutputCount() == 0 ? "" : node.getOutput(0);
    }

    /**
     * The node as protobuf.
     *
     * @throws IllegalStateException if it has no name or no output
     */
    public NodeProto build() {
        if (!hasName()) {
            throw new IllegalStateException(node.getOpType() + " node has no name; add it with GraphEditor.add, which "
                    + "names it, or call named()");
        }
        if (node.getOutputCount() == 0) {
            throw new IllegalStateException("node " + node.getName() + " (" + node.getOpType() + ") has no output");
        }
        return node.build();
    }

    private static AttributeProto.Builder attribute(String name, AttributeProto.AttributeType type) {
        return AttributeProto.newBuilder().setName(name).setType(type);
    }

    private Node add(AttributeProto.Builder attribute) {
        node.addAttribute(attribute);
        return this;
    }
}
