package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-channel statistics of intermediate values on calibration samples, with the channel on any axis: sums
 * and sums of squares per channel and, where asked for, the Gram matrix of the channels (the sum over all
 * positions of the outer product of the channel vector with itself), which is all a least-squares re-fit of a
 * consumer needs.
 *
 * <p>The statistics are computed inside ONNX Runtime, so that large activations never travel to the Java
 * heap: the model gets, for each value, nodes that lay it out as a [channels, positions] matrix X
 * (Transpose and Reshape), then {@code ReduceSum}, {@code ReduceSumSquare} and, for Gram matrices,
 * {@code MatMul(X, Xᵀ)}; those small results are exposed as outputs (with the value's {@code Shape}, which
 * gives the number of positions) and summed over samples in double precision. The model runs on the CPU
 * with graph optimizations off.
 */
final class ChannelActivations {
    private ChannelActivations() {
    }

    /**
     * What to gather for one value.
     *
     * @param value    the value name
     * @param axis     its channel axis, counted from the end (-1: last axis)
     * @param rank     its rank, needed when the axis is not the last one (0 when unknown)
     * @param channels its number of channels
     * @param gram     whether the Gram matrix is needed
     */
    record Request(String value, int axis, int rank, int channels, boolean gram) {
    }

    /**
     * Statistics of one value.
     *
     * @param sums       per channel, the sum over all samples and positions
     * @param sumSquares per channel, the sum of squares
     * @param rows       how many positions contributed (samples times positions per sample)
     * @param gram       the channels' Gram matrix (symmetric), or null when not requested
     */
    record Statistics(double[] sums, double[] sumSquares, long rows, double[][] gram) {
        /** Per channel, the L2 norm over all positions. */
        double[] norms() {
            double[] norms = new double[sumSquares.length];
            for (int i = 0; i < norms.length; i++) {
                norms[i] = Math.sqrt(sumSquares[i]);
            }
            return norms;
        }

        /** Per channel, the mean over all positions. */
        double[] means() {
            double[] means = new double[sums.length];
            for (int i = 0; i < means.length; i++) {
                means[i] = rows == 0 ? 0 : sums[i] / rows;
            }
            return means;
        }
    }

    /** The output names of the statistics of one value in the probe model. */
    private record Outputs(Request request, String sums, String squares, String gram, String shape) {
    }

    /**
     * Runs the model on every sample and gathers the requested statistics.
     *
     * @throws RuntimeFailureException if ONNX Runtime cannot run the model
     */
    static Map<String, Statistics> collect(OnnxModel model, List<Request> requests, List<Map<String, TensorData>> samples)
            throws RuntimeFailureException {
        ModelEditor editor = model.edit();
        long opset = model.opsetVersion("").orElse(1L);
        List<Outputs> outputs = new ArrayList<>();
        for (Request request : requests) {
            outputs.add(addStatistics(editor.mainGraph(), request, opset));
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, double[]> squares = new LinkedHashMap<>();
        Map<String, double[][]> grams = new LinkedHashMap<>();
        Map<String, Long> rows = new LinkedHashMap<>();
        try (ModelSession session = ModelSession.open(probe(editor, outputs), SessionSettings.cpu().withOptimization(false))) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> results = session.run(sample);
                for (Outputs output : outputs) {
                    String value = output.request().value();
                    add(sums.computeIfAbsent(value, v -> new double[output.request().channels()]), results.get(output.sums()));
                    add(squares.computeIfAbsent(value, v -> new double[output.request().channels()]),
                            results.get(output.squares()));
                    long[] shape = results.get(output.shape()).toLongArray();
                    long elements = 1;
                    for (long dim : shape) {
                        elements *= dim;
                    }
                    rows.merge(value, elements / output.request().channels(), Long::sum);
                    if (output.gram() != null) {
                        int channels = output.request().channels();
                        double[][] gram = grams.computeIfAbsent(value, v -> new double[channels][channels]);
                        float[] sampleGram = results.get(output.gram()).toFloatArray();
                        for (int a = 0; a < channels; a++) {
                            for (int b = 0; b < channels; b++) {
                                gram[a][b] += sampleGram[a * channels + b];
                            }
                        }
                    }
                }
            }
        } catch (InvalidModelException e) {
            throw new IllegalStateException("adding activation statistics broke " + model.source(), e);
        }
        Map<String, Statistics> statistics = new LinkedHashMap<>();
        for (Request request : requests) {
            String value = request.value();
            statistics.put(value, new Statistics(sums.get(value), squares.get(value), rows.get(value), grams.get(value)));
        }
        return statistics;
    }

    private static void add(double[] total, TensorData sample) {
        float[] values = sample.toFloatArray();
        for (int i = 0; i < total.length; i++) {
            total[i] += values[i];
        }
    }

    /** Adds the nodes computing one value's statistics; returns their output names. */
    private static Outputs addStatistics(GraphEditor graph, Request request, long opset) {
        String value = request.value();
        String asFloat = node(graph, "Cast", value + "_float", List.of(value), NodeAttributes.ofInt("to", DataType.FLOAT.code()));
        String matrix;
        if (request.axis() == -1) {
            String shape = constant(graph, value + "_rows_by_channels", -1, request.channels());
            String rowsByChannels = node(graph, "Reshape", value + "_rows_by_channels", List.of(asFloat, shape), null);
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
        String gram = null;
        if (request.gram()) {
            String transposed = node(graph, "Transpose", value + "_rows_by_channels_t", List.of(matrix),
                    intsAttribute("perm", 1, 0));
            gram = node(graph, "MatMul", value + "_gram", List.of(matrix, transposed), null);
        }
        String shape = node(graph, "Shape", value + "_shape", List.of(value), null);
        return new Outputs(request, sums, squares, gram, shape);
    }

    /** A reduction over axis 1 without kept dimensions; axes as an input from the given opset, else an attribute. */
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

    /** The edited model with every statistic as a graph output. */
    private static OnnxModel probe(ModelEditor editor, List<Outputs> outputs) throws InvalidModelException {
        List<String> names = new ArrayList<>();
        for (Outputs output : outputs) {
            for (String name : new String[] {output.sums(), output.squares(), output.gram(), output.shape()}) {
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return editor.build().exposing(names);
    }
}
