package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The changes structured pruning makes to a model's main graph, collected per constant input of a node
 * (a <em>use</em>) and applied at once: slices along axes, whole replacements (re-fitted weights, edited
 * shape constants) and additive corrections (bias corrections; a missing bias input is created). A constant
 * whose every use receives the same edit is rewritten in place, whether it is an initializer or a
 * {@code Constant} node; otherwise each distinct edit gets a new constant of the same kind and the uses are
 * rewired, so that constants shared with other nodes stay intact. A created bias is stored like the node's
 * weight. Unused constants are removed afterwards.
 */
final class GraphSurgery {
    private final OnnxModel model;
    private final MainGraphConstants constants;
    private final Map<Use, Edit> edits = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> intAttributes = new LinkedHashMap<>();

    /** A constant input of a node. */
    private record Use(String node, int input) {
    }

    /** What happens to one use: replacement first, then the correction, then the slices (by ascending axis). */
    private static final class Edit {
        private TensorData replacement;
        private final TreeMap<Integer, int[]> keep = new TreeMap<>();
        private int deltaAxis = -1;
        private double[] delta;
        private long createdLength = -1;
    }

    /** Surgery on the main graph of the constants' model, whose nodes all have unique names. */
    GraphSurgery(MainGraphConstants constants) {
        this.model = constants.model();
        this.constants = constants;
    }

    /**
     * Keeps only {@code kept} (ascending) along {@code axis} of a constant input. A slice of an input the
     * node does not have applies to the input if {@link #addDelta} creates it, and is dropped otherwise.
     */
    void keep(NodeProto node, int input, int axis, int[] kept) {
        int[] previous = edit(node, input).keep.put(axis, kept);
        if (previous != null && !Arrays.equals(previous, kept)) {
            throw new IllegalStateException(ChannelGroups.label(node) + " input " + input + " is sliced twice on axis " + axis);
        }
    }

    /** Drops a slice registered on {@code axis}, for an input whose replacement already has that axis reduced. */
    void forgetKeep(NodeProto node, int input, int axis) {
        edit(node, input).keep.remove(axis);
    }

    /** Replaces a constant input's value before any correction and slicing. */
    void replace(NodeProto node, int input, TensorData data) {
        edit(node, input).replacement = data;
    }

    /**
     * Adds {@code delta} along {@code axis} to a float constant input; if the node has no such input, one of
     * shape [delta.length] filled with zeros is created first (a Conv or Gemm bias).
     */
    void addDelta(NodeProto node, int input, int axis, double[] delta) {
        Edit edit = edit(node, input);
        if (node.getInputCount() <= input || node.getInput(input).isEmpty()) {
            edit.createdLength = delta.length;
        }
        if (edit.delta == null) {
            edit.delta = delta.clone();
            edit.deltaAxis = axis;
        } else {
            for (int i = 0; i < delta.length; i++) {
                edit.delta[i] += delta[i];
            }
        }
    }

    /** Sets an INT attribute of a node. */
    void setIntAttribute(NodeProto node, String name, long value) {
        intAttributes.computeIfAbsent(node.getName(), n -> new LinkedHashMap<>()).put(name, value);
    }

    private Edit edit(NodeProto node, int input) {
        return edits.computeIfAbsent(new Use(node.getName(), input), u -> new Edit());
    }

    /**
     * Applies every edit, removes what became unused and builds the model. Value-info entries of
     * {@code changedValues} (whose shapes changed) are dropped so that no stale shape is left behind.
     *
     * @throws InvalidModelException if the result breaks a graph invariant (a bug)
     */
    OnnxModel apply(Set<String> changedValues) throws InvalidModelException {
        ModelEditor editor = model.edit();
        GraphEditor main = editor.mainGraph();
        Map<String, NodeProto> nodes = new HashMap<>();
        main.nodes().forEach(n -> nodes.put(n.getName(), n));
        Map<String, Map<Integer, String>> rewired = new LinkedHashMap<>();
        Map<String, List<Use>> usesByValue = new LinkedHashMap<>();
        for (Use use : edits.keySet()) {
            Edit edit = edits.get(use);
            NodeProto node = nodes.get(use.node());
            boolean missing = node.getInputCount() <= use.input() || node.getInput(use.input()).isEmpty();
            if (missing && edit.createdLength < 0) {
                continue;
            }
            if (edit.createdLength >= 0) {
                float[] zeros = new float[(int) edit.createdLength];
                TensorData bias = materialize(TensorData.ofFloats(new long[] {zeros.length}, zeros), edit);
                String name = main.uniqueName(use.node() + "_bias");
                Optional<NodeProto> weightNode = constants.constantNode(node.getInput(1));
                if (weightNode.isPresent()) {
                    main.add(constantNode(main.uniqueName(use.node() + "_bias_constant"), name,
                            TensorCodec.encode(name, bias)));
                } else {
                    main.putInitializer(name, bias);
                }
                rewired.computeIfAbsent(use.node(), n -> new TreeMap<>()).put(use.input(), name);
            } else {
                usesByValue.computeIfAbsent(node.getInput(use.input()), v -> new ArrayList<>()).add(use);
            }
        }
        for (Map.Entry<String, List<Use>> entry : usesByValue.entrySet()) {
            String value = entry.getKey();
            List<Use> uses = entry.getValue();
            TensorData original = constants.data(value);
            Map<Use, TensorData> results = new LinkedHashMap<>();
            for (Use use : uses) {
                results.put(use, materialize(original, edits.get(use)));
            }
            boolean uniform = results.values().stream().distinct().count() == 1;
            if (uniform && new HashSet<>(uses).equals(allReads(value))) {
                writeInPlace(main, value, results.values().iterator().next());
                continue;
            }
            Map<TensorData, String> copies = new LinkedHashMap<>();
            for (Map.Entry<Use, TensorData> result : results.entrySet()) {
                String copy = copies.computeIfAbsent(result.getValue(), data -> writeCopy(main, value, data));
                rewired.computeIfAbsent(result.getKey().node(), n -> new TreeMap<>()).put(result.getKey().input(), copy);
            }
        }
        Set<String> patched = new java.util.LinkedHashSet<>(rewired.keySet());
        patched.addAll(intAttributes.keySet());
        for (String name : patched) {
            main.replaceNode(name, patch(nodes.get(name), rewired.getOrDefault(name, Map.of()),
                    intAttributes.getOrDefault(name, Map.of())));
        }
        editor.removeDeadNodes();
        main.removeValueInfo(changedValues);
        return editor.build();
    }

    /** Every (node, input) of the main graph that reads a value. */
    private Set<Use> allReads(String value) {
        Set<Use> reads = new HashSet<>();
        for (NodeProto node : model.graph().consumers(value)) {
            boolean direct = false;
            for (int i = 0; i < node.getInputCount(); i++) {
                if (node.getInput(i).equals(value)) {
                    reads.add(new Use(node.getName(), i));
                    direct = true;
                }
            }
            if (!direct) {
                reads.add(new Use(node.getName(), -1));
            }
        }
        if (model.graph().outputs().stream().anyMatch(v -> v.getName().equals(value))) {
            reads.add(new Use("", -1));
        }
        return reads;
    }

    private void writeInPlace(GraphEditor main, String value, TensorData data) {
        Optional<NodeProto> constantNode = constants.constantNode(value);
        if (constantNode.isEmpty()) {
            main.putInitializer(TensorCodec.encode(value, data));
            return;
        }
        main.replaceNode(constantNode.get().getName(), constantNode(constantNode.get().getName(), value,
                TensorCodec.encode(constants.tensor(value).orElseThrow().getName(), data)));
    }

    /** Stores an edited copy of a constant, of the same kind as the original, and returns its value name. */
    private String writeCopy(GraphEditor main, String value, TensorData data) {
        String name = main.uniqueName(value + "_pruned");
        Optional<NodeProto> constantNode = constants.constantNode(value);
        if (constantNode.isPresent()) {
            main.add(constantNode(main.uniqueName(constantNode.get().getName() + "_pruned"), name,
                    TensorCodec.encode(name, data)));
        } else {
            main.putInitializer(name, data);
        }
        return name;
    }

    private static Node constantNode(String name, String output, TensorProto value) {
        return Node.op("Constant").named(name).out(output).attr("value", value);
    }

    private static NodeProto patch(NodeProto node, Map<Integer, String> inputs, Map<String, Long> attributes) {
        NodeProto.Builder builder = node.toBuilder();
        inputs.forEach((index, value) -> {
            while (builder.getInputCount() <= index) {
                builder.addInput("");
            }
            builder.setInput(index, value);
        });
        attributes.forEach((name, value) -> {
            boolean found = false;
            for (AttributeProto.Builder attribute : builder.getAttributeBuilderList()) {
                if (attribute.getName().equals(name)) {
                    attribute.setI(value);
                    found = true;
                }
            }
            if (!found) {
                builder.addAttribute(NodeAttributes.ofInt(name, value));
            }
        });
        return builder.build();
    }

    /** The constant after an edit: replacement, then correction, then slices. */
    private static TensorData materialize(TensorData original, Edit edit) {
        TensorData data = edit.replacement != null ? edit.replacement : original;
        if (edit.delta != null) {
            data = addAlong(data, edit.deltaAxis, edit.delta);
        }
        for (Map.Entry<Integer, int[]> slice : edit.keep.entrySet()) {
            data = slice(data, slice.getKey(), slice.getValue());
        }
        return data;
    }

    /** Keeps the indices {@code kept} along {@code axis}; works on raw bytes, for any type of 8 bits or more. */
    static TensorData slice(TensorData data, int axis, int[] kept) {
        long[] shape = data.shape();
        int width = data.dataType().bits() / 8;
        if (width == 0 || data.dataType().bits() % 8 != 0) {
            throw new IllegalArgumentException("cannot slice a " + data.dataType() + " tensor");
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = width;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int block = Math.toIntExact(inner);
        long dimension = shape[axis];
        ByteBuffer source = data.rawBytes();
        byte[] out = new byte[Math.toIntExact(outer * kept.length * inner)];
        int written = 0;
        for (long o = 0; o < outer; o++) {
            for (int index : kept) {
                source.get(Math.toIntExact((o * dimension + index) * inner), out, written, block);
                written += block;
            }
        }
        shape[axis] = kept.length;
        return TensorData.wrap(data.dataType(), shape, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Adds {@code delta[i]} to every float element with index i on {@code axis}. */
    private static TensorData addAlong(TensorData data, int axis, double[] delta) {
        if (data.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("cannot correct a " + data.dataType() + " tensor");
        }
        long[] shape = data.shape();
        float[] values = data.toFloatArray();
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        for (int i = 0; i < values.length; i++) {
            values[i] += (float) delta[(int) ((i / inner) % shape[axis])];
        }
        return TensorData.ofFloats(shape, values);
    }
}
