package dev.lathe.core.footprint;

import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.Optional;

/** Typed lookup of node attributes, with the defaults the ONNX operator specifications give. */
final class Attributes {
    private Attributes() {
    }

    static long getInt(NodeProto node, String name, long fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    static Optional<long[]> getInts(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return Optional.of(a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            }
        }
        return Optional.empty();
    }

    static Optional<float[]> getFloats(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                float[] out = new float[a.getFloatsCount()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = a.getFloats(i);
                }
                return Optional.of(out);
            }
        }
        return Optional.empty();
    }

    static Optional<String> getString(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return Optional.of(a.getS().toStringUtf8());
            }
        }
        return Optional.empty();
    }

    static Optional<TensorProto> getTensor(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name) && a.hasT()) {
                return Optional.of(a.getT());
            }
        }
        return Optional.empty();
    }
}
