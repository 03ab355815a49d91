package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ONNX graph being built from a TensorFlow graph: nodes, initializers and unique names, the ONNX value
 * behind each TensorFlow tensor, and the layout changes between them (each made once per value).
 */
final class ConversionGraph {
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, TfValue> values = new HashMap<>();
    private final Map<String, String> transposed = new HashMap<>();

    /** The nodes emitted so far, in order. */
    List<NodeProto> nodes() {
        return nodes;
    }

    /** The initializers emitted so far. */
    List<TensorProto> initializers() {
        return initializers;
    }

    /** A name not used yet, derived from {@code base} (TensorFlow's scope slashes kept). */
    String unique(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Reserves a name that must stay exactly as given (graph inputs and outputs). */
    void reserve(String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("ONNX name '" + name + "' is used twice");
        }
    }

    /** Records the value of a TensorFlow tensor ({@code node:index}). */
    void put(String tensor, TfValue value) {
        values.put(tensor, value);
    }

    /** The value of a TensorFlow tensor, if converted. */
    Optional<TfValue> value(String tensor) {
        return Optional.ofNullable(values.get(tensor));
    }

    /** Adds a node with one output named after {@code base}; returns the output's name. */
    String emit(String base, Node node) {
        String output = unique(base);
        nodes.add(node.named(output).out(output).build());
        return output;
    }

    /** Adds a node whose outputs are already named. */
    void emitNamed(String name, Node node) {
        nodes.add(node.named(unique(name)).build());
    }

    /** Adds an initializer named after {@code base}; returns its name. */
    String constant(String base, TensorData data) {
        String name = unique(base);
        initializers.add(TensorCodec.encode(name, data));
        return name;
    }

    /** An int64 vector initializer. */
    String int64s(String base, long... values) {
        return constant(base, TensorData.ofLongs(new long[] {values.length}, values));
    }

    /** The value's ONNX name in TensorFlow's own layout, transposing (once) a value held as NCHW. */
    String plain(TfValue value) {
        if (value.layout() == Layout.AS_IN_TENSORFLOW) {
            return value.onnxName();
        }
        return transposed.computeIfAbsent(value.onnxName() + "->nhwc", key -> emit(value.onnxName() + "_nhwc",
                Node.op("Transpose").in(value.onnxName()).ints("perm", Layout.TO_NHWC)));
    }

    /** The value's ONNX name as NCHW (the value must be a rank-4 NHWC tensor), transposing once if needed. */
    String nchw(TfValue value) {
        if (value.layout() == Layout.NCHW) {
            return value.onnxName();
        }
        if (value.isConstant()) {
            TensorData data = value.constant().get();
            return transposed.computeIfAbsent(value.onnxName() + "->nchw", key -> constant(value.onnxName() + "_nchw",
                    Tensors.transpose(data, Layout.TO_NCHW)));
        }
        return transposed.computeIfAbsent(value.onnxName() + "->nchw", key -> emit(value.onnxName() + "_nchw",
                Node.op("Transpose").in(value.onnxName()).ints("perm", Layout.TO_NCHW)));
    }

    /** Casts a value to {@code type} unless it has it already. */
    String cast(String onnxName, DataType from, DataType to) {
        if (from == to) {
            return onnxName;
        }
        return emit(onnxName + "_" + to.name().toLowerCase(java.util.Locale.ROOT), Node.op("Cast").in(onnxName).attr("to", to));
    }
}
