package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.quantize.WeightQuantizer;
import dev.lathe.quantize.qdq.QdqPlan.Role;
import dev.lathe.quantize.qdq.QdqPlan.Target;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link QdqPlan} into a main graph: a QuantizeLinear → DequantizeLinear pair after every quantized
 * activation (consumers read the dequantized value), weights stored as int8 with one scale per output channel
 * behind a DequantizeLinear, Conv and Gemm biases as int32 with scale {@code inputScale · weightScale[c]}
 * (what ONNX Runtime's integer kernels add to their int32 accumulators), and absorbed Relu/Clip nodes removed.
 * Symmetric weights and biases omit the zero point (DequantizeLinear's default is 0). In TensorRT's placement
 * biases stay float.
 * Shape-only nodes that pass a quantized input through get the input's scale and zero point for their output.
 * A quantized graph output keeps its name on its DequantizeLinear, so that its producer runs in 8 bits too.
 * What the writer adds gets short numbered names: activation pairs {@code Q12}/{@code DQ12} with quantized value
 * {@code q12} and scale {@code s12}, the DequantizeLinear writing the value its readers take ({@code dq7}: those are
 * numbered in plan order, before the pairs are written), all pairs sharing one zero-point initializer per type and
 * value ({@code zp_uint8_0}); weights {@code w3} (scale {@code ws3}, {@code WDQ3} writing {@code wdq3}); biases
 * {@code b3}, {@code bs3}, {@code BDQ3}, {@code bdq3}; constants of Add and Mul {@code c3}, {@code cs3},
 * {@code CDQ3}, {@code cdq3}. On a model of a few megabytes such as PP-OCRv3's detector,
 * names built from the original ones were a tenth of the file.
 * Nodes kept in float for accuracy, and ops that blow up near zero ({@link #SINGULAR}), read their inputs
 * unquantized, except the outputs of absorbed Relu/Clip nodes, which only exist dequantized.
 */
final class QdqWriter {
    /** The largest quantized bias: half the int32 range, leaving the accumulator room for the products. */
    private static final double BIAS_LIMIT = Integer.MAX_VALUE / 2.0;

    /**
     * Ops that blow up near zero: they read their inputs unquantized, since an 8-bit step turns a small
     * variance into 0 and a layer norm's {@code 1 / sqrt(var + eps)} into infinity.
     */
    static final Set<String> SINGULAR = Set.of("Div", "Sqrt", "Reciprocal", "Log");

    private final OnnxModel model;
    private final GraphEditor graph;
    private final StaticInt8Settings settings;
    private final Map<String, QuantParams> params = new LinkedHashMap<>();
    private final Map<String, String> dequantized = new HashMap<>();
    private final Map<String, String> weightsWritten = new HashMap<>();
    private final Map<String, String> constantsWritten = new HashMap<>();
    private final Map<String, float[]> weightScales = new HashMap<>();
    private final Map<String, String> zeroPoints = new HashMap<>();
    private int pairs;
    private int biases;

    private QdqWriter(OnnxModel model, GraphEditor graph, StaticInt8Settings settings) {
        this.model = model;
        this.graph = graph;
        this.settings = settings;
    }

    /**
     * Writes the plan.
     *
     * @param ranges each planned value's calibrated range {@code [low, high]}
     */
    static void write(OnnxModel model, GraphEditor graph, QdqPlan plan, Map<String, float[]> ranges,
            StaticInt8Settings settings) throws InvalidModelException {
        QdqWriter writer = new QdqWriter(model, graph, settings);
        writer.assign(plan, ranges);
        writer.rewrite(plan);
    }

    /**
     * Adds to a float graph, for every target, a quantized copy that reads the float inputs through Q/DQ pairs
     * and writes through one: the copy's output differs from the float node's only by that node's own
     * quantization (inputs, weights, output), whatever the other nodes do. The copies are appended.
     *
     * @return each target's name with its copy's dequantized output
     */
    static Map<String, String> writeProbes(OnnxModel model, GraphEditor graph, QdqPlan plan, Map<String, float[]> ranges,
            StaticInt8Settings settings) throws InvalidModelException {
        QdqWriter writer = new QdqWriter(model, graph, settings);
        writer.assign(plan, ranges);
        Map<String, String> inputCopies = new HashMap<>();
        Map<String, String> probes = new LinkedHashMap<>();
        for (Target target : plan.targets()) {
            NodeProto node = target.node();
            List<NodeProto> added = new ArrayList<>();
            NodeProto.Builder copy = node.toBuilder().setName(graph.uniqueName(node.getName() + "_probe"));
            for (int i : target.inputs()) {
                String value = node.getInput(i);
                String read = inputCopies.get(value);
                if (read == null) {
                    read = graph.uniqueName(value + "_probe_dq");
                    added.addAll(writer.quantizeDequantize(value, writer.params.get(value), read));
                    inputCopies.put(value, read);
                }
                copy.setInput(i, read);
            }
            if (target.role() == Role.WEIGHTED) {
                writer.quantizeWeights(target, copy, added);
            }
            writer.quantizeConstants(target, copy, added);
            String output = graph.uniqueName(target.output() + "_probe");
            if (target.fused().isPresent()) {
                String unclipped = graph.uniqueName(node.getOutput(0) + "_probe");
                copy.setOutput(0, unclipped);
                added.add(copy.build());
                NodeProto fused = target.fused().get();
                added.add(fused.toBuilder().setName(graph.uniqueName(fused.getName() + "_probe")).setInput(0, unclipped)
                        .setOutput(0, output).build());
            } else {
                copy.setOutput(0, output);
                added.add(copy.build());
            }
            String probe = output;
            if (target.quantizedOutput()) {
                probe = graph.uniqueName(target.output() + "_probe_dq");
                added.addAll(writer.quantizeDequantize(output, writer.params.get(target.output()), probe));
            }
            added.forEach(graph::addNode);
            probes.put(target.name(), probe);
        }
        return probes;
    }

    /** Chooses every quantized value's parameters, in graph order, so pass-through outputs inherit theirs. */
    private void assign(QdqPlan plan, Map<String, float[]> ranges) {
        Map<String, Target> byName = new HashMap<>();
        plan.targets().forEach(target -> byName.put(target.name(), target));
        for (NodeProto node : graph.nodes()) {
            Target target = byName.get(node.getName());
            if (target != null) {
                for (int i : target.inputs()) {
                    params.computeIfAbsent(node.getInput(i), value -> calibrated(value, ranges, false));
                }
                if (target.quantizedOutput()) {
                    params.putIfAbsent(target.output(), calibrated(target.output(), ranges, target.fused().isPresent()));
                }
            } else if (plan.passThrough().contains(node.getName()) && params.containsKey(node.getInput(0))) {
                params.putIfAbsent(node.getOutput(0), params.get(node.getInput(0)));
            }
        }
    }

    private QuantParams calibrated(String value, Map<String, float[]> ranges, boolean fromZero) {
        float[] range = ranges.get(value);
        if (range == null) {
            throw new IllegalStateException("no calibrated range for '" + value + "'");
        }
        return QuantParams.covering(fromZero ? 0 : range[0], range[1], settings.activationType());
    }

    private void rewrite(QdqPlan plan) throws InvalidModelException {
        Map<String, Target> byName = new HashMap<>();
        Set<String> absorbed = new java.util.HashSet<>();
        Set<String> clampedByQuantization = new java.util.HashSet<>();
        for (Target target : plan.targets()) {
            byName.put(target.name(), target);
            target.fused().ifPresent(relu -> {
                absorbed.add(relu.getName());
                clampedByQuantization.add(target.output());
            });
        }
        Set<String> graphOutputs = new java.util.HashSet<>();
        graph.outputs().forEach(output -> graphOutputs.add(output.getName()));
        Map<String, String> raw = new HashMap<>();
        for (String value : params.keySet()) {
            if (graphOutputs.contains(value)) {
                // The graph output keeps its name on the DequantizeLinear; its producer writes a new one.
                raw.put(value, graph.uniqueName(value + "_raw"));
                dequantized.put(value, value);
            } else {
                dequantized.put(value, graph.uniqueName("dq" + Integer.toString(dequantized.size(), 36)));
            }
        }
        List<NodeProto> nodes = graph.nodes();
        List<String> stale = new ArrayList<>();
        for (NodeProto node : nodes) {
            if (absorbed.contains(node.getName())) {
                graph.removeNode(node.getName());
                continue;
            }
            List<NodeProto> replacement = new ArrayList<>();
            NodeProto.Builder rewired = node.toBuilder();
            // A node that reads float still reads the dequantized value of an absorbed Relu/Clip: the value
            // before its Q is the producer's, not yet clamped (only the quantization clamps it).
            boolean readsFloat = plan.keptFloat().contains(node.getName()) || SINGULAR.contains(node.getOpType());
            for (int i = 0; i < node.getInputCount(); i++) {
                String dq = dequantized.get(node.getInput(i));
                if (dq != null && (!readsFloat || clampedByQuantization.contains(node.getInput(i)))) {
                    rewired.setInput(i, dq);
                }
            }
            Target target = byName.get(node.getName());
            if (target != null && target.role() == Role.WEIGHTED) {
                quantizeWeights(target, rewired, replacement);
            }
            if (target != null) {
                quantizeConstants(target, rewired, replacement);
            }
            if (target != null && target.fused().isPresent()) {
                stale.add(node.getOutput(0));
                rewired.setOutput(0, target.output());
            }
            for (int i = 0; i < rewired.getOutputCount(); i++) {
                String output = rewired.getOutput(i);
                if (raw.containsKey(output)) {
                    rewired.setOutput(i, raw.get(output));
                }
            }
            NodeProto written = rewired.build();
            replacement.add(written);
            for (String output : node.getOutputList()) {
                String value = target != null && target.fused().isPresent() && output.equals(node.getOutput(0))
                        ? target.output() : output;
                if (params.containsKey(value)) {
                    replacement.addAll(quantizeDequantize(raw.getOrDefault(value, value), params.get(value),
                            dequantized.get(value)));
                }
            }
            graph.replaceNode(node.getName(), replacement.toArray(NodeProto[]::new));
        }
        List<NodeProto> inputPairs = new ArrayList<>();
        graph.inputs().forEach(input -> {
            if (params.containsKey(input.getName())) {
                inputPairs.addAll(quantizeDequantize(input.getName()));
            }
        });
        if (!inputPairs.isEmpty()) {
            NodeProto first = graph.nodes().get(0);
            inputPairs.add(first);
            graph.replaceNode(first.getName(), inputPairs.toArray(NodeProto[]::new));
        }
        graph.removeValueInfo(stale);
    }

    /** The Q and DQ nodes (with their scale and zero-point initializers) of one value. */
    private List<NodeProto> quantizeDequantize(String value) {
        return quantizeDequantize(value, params.get(value), dequantized.get(value));
    }

    /** The Q and DQ nodes of a value with the given parameters, the DQ writing {@code output}. */
    private List<NodeProto> quantizeDequantize(String value, QuantParams p, String output) {
        String id = Integer.toString(pairs++, 36);
        String scale = graph.uniqueName("s" + id);
        graph.putInitializer(scale, p.scaleTensor());
        String zero = zeroPoint(p);
        String quantized = graph.uniqueName("q" + id);
        NodeProto q = Node.op("QuantizeLinear").named(graph.uniqueName("Q" + id)).in(value, scale, zero).out(quantized)
                .build();
        NodeProto dq = Node.op("DequantizeLinear").named(graph.uniqueName("DQ" + id)).in(quantized, scale, zero)
                .out(output).build();
        return List.of(q, dq);
    }

    /** The graph's one scalar initializer holding this zero point, added on first use. */
    private String zeroPoint(QuantParams p) {
        return zeroPoints.computeIfAbsent(p.type() + "_" + p.zeroPoint(), key -> {
            String name = graph.uniqueName("zp_" + key.toLowerCase(Locale.ROOT));
            graph.putInitializer(name, p.zeroPointTensor());
            return name;
        });
    }

    /** Points an Add or Mul at 8-bit copies of its float constant operands, each behind a DequantizeLinear. */
    private void quantizeConstants(Target target, NodeProto.Builder rewired, List<NodeProto> before)
            throws InvalidModelException {
        for (int position : target.constants()) {
            String constant = target.node().getInput(position);
            String output = constantsWritten.get(constant);
            if (output == null) {
                TensorProto tensor = graph.constant(constant).orElseThrow();
                long[] shape = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
                float[] values = model.tensorData(tensor).toFloatArray();
                float low = 0;
                float high = 0;
                for (float v : values) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                }
                QuantParams p = QuantParams.covering(low, high, settings.activationType());
                int[] quantized = new int[values.length];
                int qmin = p.type() == DataType.UINT8 ? 0 : -128;
                for (int i = 0; i < values.length; i++) {
                    long q = Math.round(values[i] / (double) p.scale()) + p.zeroPoint();
                    quantized[i] = (int) Math.max(qmin, Math.min(qmin + 255, q));
                }
                String id = Integer.toString(constantsWritten.size(), 36);
                String stored = graph.uniqueName("c" + id);
                String scale = graph.uniqueName("cs" + id);
                graph.putInitializer(stored, TensorData.ofSmallValues(p.type(), shape, quantized));
                graph.putInitializer(scale, p.scaleTensor());
                output = graph.uniqueName("cdq" + id);
                before.add(Node.op("DequantizeLinear").named(graph.uniqueName("CDQ" + id))
                        .in(stored, scale, zeroPoint(p)).out(output).build());
                constantsWritten.put(constant, output);
            }
            rewired.setInput(position, output);
        }
    }

    /** Points the node at an int8 copy of its weight (and an int32 bias) behind DequantizeLinear nodes. */
    private void quantizeWeights(Target target, NodeProto.Builder rewired, List<NodeProto> before)
            throws InvalidModelException {
        NodeProto node = target.node();
        String weight = node.getInput(1);
        boolean hasBias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
        float inputScale = params.get(node.getInput(0)).scale();
        float[] bias = hasBias ? model.tensorData(graph.constant(node.getInput(2)).orElseThrow()).toFloatArray() : null;
        String key = weight + "@" + target.weightAxis() + (hasBias ? "@" + node.getInput(2) + "@" + inputScale : "");
        String weightDq = weightsWritten.get(key);
        if (weightDq == null) {
            weightDq = quantizeWeight(weight, target.weightAxis(), key, bias, inputScale, before);
            weightsWritten.put(key, weightDq);
        }
        rewired.setInput(1, weightDq);
        if (hasBias && !settings.tensorRt()) {
            rewired.setInput(2, quantizeBias(node.getInput(2), bias, inputScale, weightScales.get(key), before));
        }
    }

    /**
     * Quantizes a weight per output channel. A channel whose bias would not fit an int32 at scale
     * {@code inputScale · weightScale} (a channel that BatchNorm folding all but zeroed, with a bias left) gets
     * a larger weight scale, as ONNX Runtime's quantizer does; its weights are that small anyway.
     */
    private String quantizeWeight(String weight, int axis, String key, float[] bias, float inputScale,
            List<NodeProto> before) throws InvalidModelException {
        TensorProto constant = graph.constant(weight).orElseThrow();
        long[] shape = constant.getDimsList().stream().mapToLong(Long::longValue).toArray();
        float[] values = model.tensorData(constant).toFloatArray();
        int channels = (int) shape[axis];
        int rows = axis == 0 ? channels : (int) (values.length / channels);
        int cols = values.length / rows;
        WeightQuantizer.Grouping grouping = !settings.perChannel() ? WeightQuantizer.Grouping.PER_TENSOR
                : axis == 0 ? WeightQuantizer.Grouping.PER_ROW : WeightQuantizer.Grouping.PER_COLUMN;
        WeightQuantizer.Quantized q = new WeightQuantizer(true, true, settings.reduceRange(), false)
                .quantize(values, rows, cols, grouping);
        float[] scales = q.scales();
        if (bias != null && bias.length == channels) {
            widenForBias(values, q.values(), scales, grouping, cols, bias, inputScale);
        }
        String id = Integer.toString(weightsWritten.size(), 36);
        String quantized = graph.uniqueName("w" + id);
        String scale = graph.uniqueName("ws" + id);
        graph.putInitializer(quantized, TensorData.wrap(DataType.INT8, shape, ByteBuffer.wrap(q.values())));
        long[] paramShape = settings.perChannel() ? new long[] {channels} : new long[0];
        graph.putInitializer(scale, TensorData.ofFloats(paramShape, scales));
        String output = graph.uniqueName("wdq" + id);
        Node dq = Node.op("DequantizeLinear").named(graph.uniqueName("WDQ" + id)).in(quantized, scale).out(output);
        if (settings.perChannel()) {
            dq.attr("axis", axis);
        }
        before.add(dq.build());
        weightScales.put(key, scales);
        return output;
    }

    /** Raises the scale of each group whose bias needs it, and requantizes that group's weights. */
    private void widenForBias(float[] values, byte[] quantized, float[] scales, WeightQuantizer.Grouping grouping, int cols,
            float[] bias, float inputScale) {
        int qmax = WeightQuantizer.signedMax(settings.reduceRange());
        int groupSize = values.length / scales.length;
        for (int g = 0; g < scales.length; g++) {
            double needed = 0;
            for (int c = 0; c < bias.length; c++) {
                if (scales.length == 1 || c == g) {
                    needed = Math.max(needed, Math.abs(bias[c]) / ((double) inputScale * BIAS_LIMIT));
                }
            }
            if (needed <= scales[g]) {
                continue;
            }
            scales[g] = (float) needed;
            for (int i = 0; i < groupSize; i++) {
                int index = switch (grouping) {
                    case PER_ROW -> g * cols + i;
                    case PER_COLUMN -> i * cols + g;
                    case PER_TENSOR -> i;
                };
                long rounded = Math.round(values[index] / (double) scales[g]);
                quantized[index] = (byte) Math.max(-qmax, Math.min(qmax, rounded));
            }
        }
    }

    private String quantizeBias(String bias, float[] values, float inputScale, float[] weightScales,
            List<NodeProto> before) {
        float[] scales = new float[settings.perChannel() ? values.length : 1];
        int[] ints = new int[values.length];
        for (int c = 0; c < values.length; c++) {
            float scale = inputScale * weightScales[settings.perChannel() ? c : 0];
            scales[settings.perChannel() ? c : 0] = scale;
            double q = Math.rint(values[c] / (double) scale);
            ints[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q));
        }
        String id = Integer.toString(biases++, 36);
        String quantized = graph.uniqueName("b" + id);
        String scale = graph.uniqueName("bs" + id);
        long[] paramShape = settings.perChannel() ? new long[] {values.length} : new long[0];
        graph.putInitializer(quantized, TensorData.ofInts(new long[] {values.length}, ints));
        graph.putInitializer(scale, TensorData.ofFloats(paramShape, scales));
        String output = graph.uniqueName("bdq" + id);
        Node dq = Node.op("DequantizeLinear").named(graph.uniqueName("BDQ" + id)).in(quantized, scale).out(output);
        if (settings.perChannel()) {
            dq.attr("axis", 0L);
        }
        before.add(dq.build());
        return output;
    }
}
