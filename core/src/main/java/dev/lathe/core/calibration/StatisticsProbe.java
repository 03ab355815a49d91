package dev.lathe.core.calibration;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * The probe model: the original model plus, for each requested value, nodes that lay it out as a
 * [channels, positions] matrix X (Cast to float, Transpose and Reshape) and reduce it inside ONNX Runtime
 * ({@code ReduceSum}, {@code ReduceSumSquare}, {@code ReduceMax} of {@code Abs}, and {@code MatMul(X, Xᵀ)}
 * for Gram matrices), so that large activations never travel to the Java heap; those small results and the
 * value's {@code Shape} (which gives the number of positions) are exposed as outputs.
 */
final class StatisticsProbe {
    private final OnnxModel model;
    private final List<Outputs> outputs;

    /**
     * The output names of the statistics of one value in the probe model; {@code gram} is null when no Gram
     * matrix was requested.
     */
    record Outputs(ChannelRequest request, String sums, String squares, String maxAbs, String gram, String shape) {
    }

    private StatisticsProbe(OnnxModel model, List<Outputs> outputs) {
        this.model = model;
        this.outputs = outputs;
    }

    /**
     * The probe for the requests on a model.
     *
     * @throws IllegalArgumentException if a value is requested twice, or is neither a main-graph input nor
     *                                  computed by a main-graph node
     */
    static StatisticsProbe of(OnnxModel model, List<ChannelRequest> requests) {
        java.util.Set<String> known = new java.util.HashSet<>();
        model.graph().inputs().forEach(input -> known.add(input.getName()));
        model.graph().nodes().forEach(node -> known.addAll(node.getOutputList()));
        java.util.Set<String> requested = new java.util.HashSet<>();
        for (ChannelRequest request : requests) {
            if (!requested.add(request.value())) {
                throw new IllegalArgumentException(model.source() + ": statistics of '" + request.value()
                        + "' are requested twice; ask once per value");
            }
            if (!known.contains(request.value())) {
                throw new IllegalArgumentException(model.source() + ": cannot gather statistics of '" + request.value()
                        + "': it is neither an input of the main graph nor computed by one of its nodes");
            }
        }
        ModelEditor editor = model.edit();
        long opset = model.opsetVersion("").orElse(1L);
        List<Outputs> outputs = new ArrayList<>();
        for (ChannelRequest request : requests) {
            outputs.add(addStatistics(editor.mainGraph(), request, opset));
        }
        List<String> names = new ArrayList<>();
        for (Outputs output : outputs) {
            for (String name : new String[] {output.sums(), output.squares(), output.maxAbs(), output.gram(), output.shape()}) {
                if (name != null) {
                    names.add(name);
                }
            }
        }
        try {
            return new StatisticsProbe(editor.build().exposing(names), outputs);
        } catch (InvalidModelException e) {
            throw new IllegalStateException("adding activation statistics broke " + model.source() + ": " + e.getMessage(), e);
        }
    }

    /** The probe model. */
    OnnxModel model() {
        return model;
    }

    /** The outputs of each request, in request order. */
    List<Outputs> outputs() {
        return outputs;
    }

    private static Outputs addStatistics(GraphEditor graph, ChannelRequest request, long opset) {
        String value = request.value();
        String asFloat = node(graph, "Cast", value + "_float", List.of(value), NodeAttributes.ofInt("to", DataType.FLOAT.code()));
        String matrix;
        String rowsByChannels = null;
        if (request.axis() == -1) {
            String shape = constant(graph, value + "_rows_by_channels", -1, request.channels());
            rowsByChannels = node(graph, "Reshape", value + "_rows_by_channels", List.of(asFloat, shape), null);
            matrix = node(graph, "Transpose", value + "_channels_by_rows", List.of(rowsByChannels), intsAttribute("perm", 1, 0));
        } else {
            int position = request.rank() + request.axis();
            long[] perm = new long[request.rank()];
            perm[0] = position;
            for (int i = 0, p = 1; i < request.rank(); i++) {
                if (i != position) {
                    perm[p++] = i;
                }
            }
            String channelsFirst = node(graph, "Transpose", value + "_channels_first", List.of(asFloat),
                    intsAttribute("perm", perm));
            String shape = constant(graph, value + "_channels_by_rows", request.channels(), -1);
            matrix = node(graph, "Reshape", value + "_channels_by_rows", List.of(channelsFirst, shape), null);
        }
        String sums = reduce(graph, "ReduceSum", matrix, value + "_channel_sums", opset >= 13);
        String squares = reduce(graph, "ReduceSumSquare", matrix, value + "_channel_squares", opset >= 18);
        String magnitudes = node(graph, "Abs", value + "_magnitudes", List.of(matrix), null);
        String maxAbs = reduce(graph, "ReduceMax", magnitudes, value + "_channel_max_abs", opset >= 18);
        String gram = null;
        if (request.gram()) {
            String transposed = rowsByChannels != null ? rowsByChannels : node(graph, "Transpose",
                    value + "_rows_by_channels_t", List.of(matrix), intsAttribute("perm", 1, 0));
            gram = node(graph, "MatMul", value + "_gram", List.of(matrix, transposed), null);
        }
        String shape = node(graph, "Shape", value + "_shape", List.of(value), null);
        return new Outputs(request, sums, squares, maxAbs, gram, shape);
    }

    /** A reduction over axis 1 without kept dimensions; axes as an input where the opset says so, else an attribute. */
    private static String reduce(GraphEditor graph, String op, String input, String name, boolean axesAsInput) {
        AttributeProto keepDims = NodeAttributes.ofInt("keepdims", 0);
        if (axesAsInput) {
            String axes = constant(graph, name + "_axes", 1);
            return node(graph, op, name, List.of(input, axes), keepDims, null);
        }
        return node(graph, op, name, List.of(input), keepDims, intsAttribute("axes", 1));
    }

    private static String node(GraphEditor graph, String op, String output, List<String> inputs, AttributeProto attribute) {
        return node(graph, op, output, inputs, attribute, null);
    }

    private static String node(GraphEditor graph, String op, String output, List<String> inputs, AttributeProto first,
            AttributeProto second) {
        String name = graph.uniqueName(output);
        NodeProto.Builder node = NodeProto.newBuilder().setName(graph.uniqueName(name + "_" + op)).setOpType(op)
                .addAllInput(inputs).addOutput(name);
        if (first != null) {
            node.addAttribute(first);
        }
        if (second != null) {
            node.addAttribute(second);
        }
        graph.addNode(node.build());
        return name;
    }

    private static String constant(GraphEditor graph, String base, long... values) {
        String name = graph.uniqueName(base + "_shape");
        graph.putInitializer(name, TensorData.ofLongs(new long[] {values.length}, values));
        return name;
    }

    private static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }
}
