package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ChannelStatistics;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evens out the channels of a ReLU between a Conv and a depthwise Conv before static quantization. One
 * per-tensor activation scale serves all channels of the ReLU's output, so a channel whose values stay a
 * hundredth of its neighbours' keeps a handful of int8 steps and the depthwise Conv after it (often with
 * large BatchNorm-folded weights behind such channels) amplifies the loss. ReLU commutes with positive
 * scaling, so channel {@code c} can be multiplied by {@code s[c]} in the first Conv's weights and bias and
 * divided out of the depthwise Conv's filter {@code c}: the network computes the same function, and since
 * both Convs quantize their weights per output channel, the int8 weights are exactly as precise as before.
 * {@code s[c]} brings each channel's calibration maximum up to the tensor's largest, at most
 * {@value #MAX_SCALE} times; silent channels are left alone.
 */
final class ActivationEqualization {
    /** The most a channel is scaled up. */
    static final double MAX_SCALE = 256;

    /**
     * A Conv, the ReLU after it and the depthwise Conv after that.
     *
     * @param conv      the first Conv (constant weight [C, ...], constant bias [C])
     * @param relu      the ReLU, read only by the depthwise Conv
     * @param depthwise a Conv with {@code group = C} and constant weight [C, 1, ...]
     * @param channels  C
     */
    record Chain(NodeProto conv, NodeProto relu, NodeProto depthwise, int channels) {
    }

    private ActivationEqualization() {
    }

    /** The chains of the editor's main graph that can be equalized. */
    static List<Chain> find(GraphEditor graph) {
        Set<String> outputs = new HashSet<>();
        graph.outputs().forEach(output -> outputs.add(output.getName()));
        List<Chain> chains = new ArrayList<>();
        for (NodeProto relu : graph.nodes()) {
            if (!relu.getOpType().equals("Relu") || outputs.contains(relu.getInput(0)) || outputs.contains(relu.getOutput(0))
                    || graph.consumers(relu.getInput(0)).size() != 1 || graph.consumers(relu.getOutput(0)).size() != 1) {
                continue;
            }
            Optional<NodeProto> conv = graph.nodes().stream()
                    .filter(n -> n.getOpType().equals("Conv") && n.getOutputList().contains(relu.getInput(0))).findFirst();
            NodeProto depthwise = graph.consumers(relu.getOutput(0)).get(0);
            if (conv.isEmpty() || !depthwise.getOpType().equals("Conv") || conv.get().getInputCount() < 3
                    || !depthwise.getInput(0).equals(relu.getOutput(0))) {
                continue;
            }
            Optional<long[]> first = shape(graph, conv.get().getInput(1));
            Optional<long[]> second = shape(graph, depthwise.getInput(1));
            Optional<long[]> bias = shape(graph, conv.get().getInput(2));
            if (first.isEmpty() || second.isEmpty() || bias.isEmpty()) {
                continue;
            }
            long channels = first.get()[0];
            boolean depthwiseShaped = second.get().length >= 2 && second.get()[0] == channels && second.get()[1] == 1
                    && NodeAttributes.getInt(depthwise, "group", 1) == channels;
            if (depthwiseShaped && bias.get().length == 1 && bias.get()[0] == channels && channels > 1) {
                chains.add(new Chain(conv.get(), relu, depthwise, (int) channels));
            }
        }
        return chains;
    }

    /** What the calibration must measure: the largest value of every channel of each ReLU's output. */
    static List<ChannelRequest> requests(List<Chain> chains) {
        List<ChannelRequest> requests = new ArrayList<>();
        for (Chain chain : chains) {
            requests.add(new ChannelRequest(chain.relu().getOutput(0), -3, 4, chain.channels(), false));
        }
        return requests;
    }

    /**
     * Rescales every chain's channels from the measured maxima.
     *
     * @return how many channels were scaled
     */
    static int apply(OnnxModel model, GraphEditor graph, List<Chain> chains, Map<String, ChannelStatistics> maxima)
            throws InvalidModelException {
        int scaled = 0;
        for (Chain chain : chains) {
            float[] max = maxima.get(chain.relu().getOutput(0)).maxAbs();
            double largest = 0;
            for (float m : max) {
                largest = Math.max(largest, m);
            }
            double[] scales = new double[chain.channels()];
            boolean any = false;
            for (int c = 0; c < scales.length; c++) {
                scales[c] = max[c] > 0 ? Math.min(MAX_SCALE, largest / max[c]) : 1;
                any |= scales[c] > 1;
                scaled += scales[c] > 1 ? 1 : 0;
            }
            if (!any) {
                continue;
            }
            // A Conv may close one chain and open the next: edit the nodes as they are now.
            NodeProto conv = graph.node(chain.conv().getName()).orElseThrow();
            NodeProto next = graph.node(chain.depthwise().getName()).orElseThrow();
            String weight = rescaled(model, graph, conv.getInput(1), scales, false);
            String bias = rescaled(model, graph, conv.getInput(2), scales, false);
            String filters = rescaled(model, graph, next.getInput(1), scales, true);
            graph.replaceNode(conv.getName(), conv.toBuilder().setInput(1, weight).setInput(2, bias).build());
            graph.replaceNode(next.getName(), next.toBuilder().setInput(1, filters).build());
        }
        if (scaled > 0) {
            graph.removeDeadNodes();
        }
        return scaled;
    }

    /** A copy of a constant with leading-axis slice {@code c} multiplied (or divided) by {@code scales[c]}. */
    private static String rescaled(OnnxModel model, GraphEditor graph, String name, double[] scales, boolean divide)
            throws InvalidModelException {
        float[] values = FloatConstants.of(model, graph, name).orElseThrow().clone();
        long[] shape = shape(graph, name).orElseThrow();
        int per = values.length / scales.length;
        for (int c = 0; c < scales.length; c++) {
            for (int i = 0; i < per; i++) {
                values[c * per + i] = (float) (divide ? values[c * per + i] / scales[c] : values[c * per + i] * scales[c]);
            }
        }
        String copy = graph.uniqueName(name + "_equalized");
        graph.putInitializer(copy, TensorData.ofFloats(shape, values));
        return copy;
    }

    private static Optional<long[]> shape(GraphEditor graph, String value) {
        return graph.constant(value).filter(t -> t.getDataType() == DataType.FLOAT.code())
                .map(t -> t.getDimsList().stream().mapToLong(Long::longValue).toArray());
    }
}
