package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.Optional;

/**
 * Typed lookup of node attributes (callers pass the default the ONNX operator specification gives for an
 * absent attribute), and making the common ones.
 */
public final class NodeAttributes {
    private NodeAttributes() {
    }

    /** The attribute with this name, if the node has it. */
    public static Optional<AttributeProto> find(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** An INT attribute, or {@code fallback} when absent. */
    public static long getInt(NodeProto node, String name, long fallback) {
        return find(node, name).map(AttributeProto::getI).orElse(fallback);
    }

    /** A FLOAT attribute, or {@code fallback} when absent. */
    public static float getFloat(NodeProto node, String name, float fallback) {
        return find(node, name).map(AttributeProto::getF).orElse(fallback);
    }

    /** An INTS attribute, if present. */
    public static Optional<long[]> getInts(NodeProto node, String name) {
        return find(node, name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray());
    }

    /** A FLOATS attribute, if present. */
    public static Optional<float[]> getFloats(NodeProto node, String name) {
        return find(node, name).map(a -> {
            float[] out = new float[a.getFloatsCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.getFloats(i);
            }
            return out;
        });
    }

    /** A STRING attribute as UTF-8 text, if present. */
    public static Optional<String> getString(NodeProto node, String name) {
        return find(node, name).map(a -> a.getS().toStringUtf8());
    }

    /** A TENSOR attribute, if present. */
    public static Optional<TensorProto> getTensor(NodeProto node, String name) {
        return find(node, name).filter(AttributeProto::hasT).map(AttributeProto::getT);
    }

    /** An INT attribute with this name and value. */
    public static AttributeProto ofInt(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A TENSOR attribute. */
    public static AttributeProto ofTensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ofInts(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }
}
