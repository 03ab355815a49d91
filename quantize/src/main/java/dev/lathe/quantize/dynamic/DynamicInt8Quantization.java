package dev.lathe.quantize.dynamic;

import dev.lathe.core.LatheException;
import dev.lathe.core.fusion.FusionSettings;
import dev.lathe.core.fusion.TransformerFusion;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.provider.CpuFeatures;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.weights.NodeFilter;
import dev.lathe.core.weights.WeightedNodes;
import dev.lathe.core.weights.WeightedNodes.WeightedNode;
import dev.lathe.quantize.WeightQuantizer;
import dev.lathe.quantize.qdq.StaticInt8Quantization;
import dev.lathe.quantize.qdq.StaticInt8Settings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Dynamic int8 quantization ({@code quantize.int8}): weights are quantized offline, activations at run time.
 * Transformer attention and residual layer norms are first fused ({@code fuse=true}, the core {@code fuse} pass);
 * each fused {@code Attention} becomes {@code com.microsoft.QAttention} with its packed weight quantized per column
 * and its input quantized at run time. Every selected MatMul (and Gemm without transposed A or scaling) with a
 * constant float weight becomes ONNX Runtime's {@code com.microsoft.DynamicQuantizeMatMul}, which quantizes its
 * input on the fly and multiplies in int8; a following {@code Add} of a constant bias is folded into the node's
 * bias input. Gather nodes on a constant embedding table read an 8-bit table instead (one scale per row) and
 * dequantize only the rows they gather. With calibration inputs, activation outliers are first migrated into the
 * weights ({@link Smoothing}), which is what makes 8-bit activations faithful on transformers. Conv is left in
 * float: ONNX Runtime's ConvInteger is slower than its float convolution. When the pipeline's provider is
 * TensorRT, which has no dynamic int8 kernels, the pass applies {@code quantize.static} in TensorRT's QDQ
 * placement instead and says so.
 */
public final class DynamicInt8Quantization implements Pass {
    private static final String MICROSOFT = "com.microsoft";
    /** Samples the fusion run before quantization is checked on (plus one with padding masked). */
    private static final int FUSION_CHECK_SAMPLES = 4;

    private final Map<String, String> options;
    private final DynamicInt8Settings settings;

    /** A pass with these settings; {@link #options()} gives every setting. */
    public DynamicInt8Quantization(DynamicInt8Settings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given, in order. */
    DynamicInt8Quantization(Map<String, String> options, DynamicInt8Settings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return DynamicInt8Settings.PASS;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** The settings this pass quantizes with. */
    public DynamicInt8Settings settings() {
        return settings;
    }

    @Override
    public PassResult apply(OnnxModel original, PassContext context) throws LatheException {
        Map<String, Object> details = new LinkedHashMap<>();
        if (context.provider().filter(p -> p.provider() == Provider.TENSORRT).isPresent()) {
            // TensorRT has no dynamic int8 kernels: it runs explicitly quantized graphs, so it gets static QDQ.
            PassResult qdq = new StaticInt8Quantization(StaticInt8Settings.builder().build()).apply(original, context);
            details.put("provider", "tensorrt: static int8 (QDQ in TensorRT's placement) instead of dynamic int8, which "
                    + "TensorRT cannot run");
            details.putAll(qdq.details());
            return new PassResult(qdq.model(), details);
        }
        OnnxModel model = original;
        if (settings.fuse()) {
            // The pipeline's gate judges the quantized model afterwards; 4 check samples (and the padded one) keep the
            // fusion check to a fraction of the pass's time.
            // With gather=true the embedding tables are quantized per row as Gathers; EmbedLayerNormalization would
            // keep them in float.
            PassResult fusion = new TransformerFusion(FusionSettings.builder().checkSamples(FUSION_CHECK_SAMPLES)
                    .embedLayerNorm(!settings.gather()).build()).apply(original, context);
            model = fusion.model();
            details.put("fusion", fusion.details());
        }
        ModelEditor editor = model.edit();
        Map<String, Integer> skipped = new TreeMap<>();
        Map<String, String[]> quantizedWeights = new HashMap<>();
        int matMuls = 0;
        int biasesFolded = 0;
        long floatBytes = 0;
        long quantizedBytes = 0;
        NodeFilter filter = settings.filter();
        List<WeightedNode> targets = new ArrayList<>();
        for (WeightedNode target : WeightedNodes.find(editor, Set.of("MatMul", "Gemm"), 1)) {
            long[] shape = target.weightShape();
            Optional<String> rejection = filter.rejects(target.node(), shape[0] * shape[1])
                    .or(() -> gemmRejection(target.node(), target.graph()));
            if (rejection.isPresent()) {
                skipped.merge(rejection.get(), 1, Integer::sum);
            } else {
                targets.add(target);
            }
        }
        List<WeightedNode> attentions = new ArrayList<>();
        for (NodeProto node : editor.mainGraph().nodes()) {
            if (!node.getOpType().equals("Attention") || !node.getDomain().equals(MICROSOFT)) {
                continue;
            }
            Optional<TensorProto> weight = editor.mainGraph().constant(node.getInput(1))
                    .filter(w -> w.getDataType() == DataType.FLOAT.code() && w.getDimsCount() == 2);
            Optional<String> rejection = weight.isEmpty() ? Optional.of("Attention whose weight is not a constant float matrix")
                    : node.getInputCount() > 4 ? Optional.of("Attention with past state or attention-bias inputs")
                    : filter.rejects(node, weight.get().getDims(0) * weight.get().getDims(1));
            if (rejection.isPresent()) {
                skipped.merge(rejection.get(), 1, Integer::sum);
            } else {
                attentions.add(new WeightedNode(editor.mainGraph(), node, 1, weight.get()));
            }
        }
        Smoothing smoothing = Smoothing.NONE;
        if (settings.smoothing() > 0) {
            if (!context.hasCalibration()) {
                details.put("smoothing", "off: no calibration data (SmoothQuant needs real inputs; pass --data)");
            } else {
                List<WeightedNode> smoothed = new ArrayList<>(targets);
                smoothed.addAll(attentions);
                smoothing = Smoothing.compute(model, smoothed, settings.smoothing(), context);
                if (smoothing.inputCount() == 0) {
                    details.put("smoothing", "off: no quantized MatMul reads a main-graph activation");
                } else {
                    details.put("smoothing", "alpha " + settings.smoothing() + " on " + smoothing.inputCount() + " inputs");
                    details.put("calibrationSamples", smoothing.samples());
                }
            }
        }
        // An attention's output is linear in its value projection: dividing that projection's columns (and bias) by
        // the smoothing scales of the output replaces the Mul the output's readers would otherwise need.
        Map<String, float[]> absorbed = new HashMap<>();
        for (WeightedNode attention : attentions) {
            NodeProto node = attention.node();
            String output = node.getOutput(0);
            List<NodeProto> readers = editor.mainGraph().consumers(output);
            boolean onlyMatMulsRead = !readers.isEmpty() && readers.stream().allMatch(reader -> targets.stream()
                    .anyMatch(t -> t.node().getName().equals(reader.getName())))
                    && editor.mainGraph().outputs().stream().noneMatch(v -> v.getName().equals(output));
            boolean constantBias = node.getInputCount() > 2 && editor.mainGraph().constant(node.getInput(2))
                    .filter(b -> b.getDataType() == DataType.FLOAT.code() && b.getDimsCount() == 1
                            && b.getDims(0) == attention.weightShape()[1]).isPresent();
            float[] s = onlyMatMulsRead && constantBias ? smoothing.absorb(output) : null;
            if (s != null) {
                absorbed.put(attention.node().getName(), s);
            }
        }
        for (WeightedNode target : targets) {
            NodeProto node = target.node();
            long[] shape = target.weightShape();
            boolean transposed = node.getOpType().equals("Gemm") && NodeAttributes.getInt(node, "transB", 0) == 1;
            String input = smoothing.smoothedInput(target, editor);
            String smoothedBy = input.equals(node.getInput(0)) ? "" : input;
            String key = target.graph().path() + "|" + target.weightName() + "|" + transposed + "|" + smoothedBy;
            String[] names = quantizedWeights.get(key);
            if (names == null) {
                float[] weights = orientedWeights(model, target, transposed);
                smoothing.scaleRows(target, weights);
                names = quantizeWeight(target, weights, transposed);
                quantizedWeights.put(key, names);
                floatBytes += shape[0] * shape[1] * 4;
                quantizedBytes += shape[0] * shape[1] + (settings.perChannel() ? (transposed ? shape[0] : shape[1]) * 5L : 5);
            }
            biasesFolded += replaceMatMul(target, input, names) ? 1 : 0;
            matMuls++;
        }
        Map<String, String[]> quantizedInputs = new HashMap<>();
        for (WeightedNode attention : attentions) {
            long[] shape = attention.weightShape();
            quantizeAttention(model, editor, attention, smoothing, absorbed.get(attention.node().getName()), quantizedInputs);
            floatBytes += shape[0] * shape[1] * 4;
            quantizedBytes += shape[0] * shape[1] + (settings.perChannel() ? shape[1] * 5L : 5);
        }
        int gathers = 0;
        if (settings.gather()) {
            for (WeightedNode target : WeightedNodes.find(editor, Set.of("Gather"), 0)) {
                long[] shape = target.weightShape();
                Optional<String> rejection = NodeAttributes.getInt(target.node(), "axis", 0) != 0
                        ? Optional.of("Gather on an axis other than 0") : Optional.empty();
                if (shape[0] * shape[1] < filter.minWeightElements()) {
                    rejection = Optional.of("weight has " + shape[0] * shape[1] + " elements, below min-size "
                            + filter.minWeightElements());
                }
                if (rejection.isPresent() || filter.exclude().contains(target.node().getName())) {
                    skipped.merge(rejection.orElse("excluded by name"), 1, Integer::sum);
                    continue;
                }
                quantizeGather(model, editor, target);
                floatBytes += shape[0] * shape[1] * 4;
                quantizedBytes += shape[0] * shape[1] + shape[0] * 4;
                gathers++;
            }
            // A model fused before this pass looks its tables up inside EmbedLayerNormalization, which takes them
            // in float only.
            long embedded = editor.mainGraph().nodes().stream()
                    .filter(n -> n.getOpType().equals("EmbedLayerNormalization")).count();
            if (embedded > 0) {
                skipped.merge("embedding tables read by EmbedLayerNormalization, which takes them in float (fuse with "
                        + "embed-layer-norm=false before quantize.int8)", (int) embedded, Integer::sum);
            }
        }
        int convolutions = 0;
        for (GraphEditor graph : editor.graphs()) {
            convolutions += (int) graph.nodes().stream().filter(n -> n.getOpType().equals("Conv")).count();
        }
        editor.removeDeadNodes();
        if (matMuls > 0 || !attentions.isEmpty()) {
            editor.requireOpset(MICROSOFT, 1);
        }
        details.put("matMulsQuantized", matMuls);
        details.put("attentionsQuantized", attentions.size());
        details.put("reduceRange", (settings.reduceRange() ? "on" : "off") + " (this CPU: " + CpuFeatures.int8Summary() + ")");
        details.put("biasesFolded", biasesFolded);
        details.put("gathersQuantized", gathers);
        details.put("weightBytesBefore", floatBytes);
        details.put("weightBytesAfter", quantizedBytes);
        details.put("skipped", skipped);
        if (convolutions > 0) {
            details.put("conv", convolutions + " Conv nodes left in float: ONNX Runtime's ConvInteger is slower than float Conv");
        }
        return new PassResult(editor.build(), details);
    }

    /**
     * Attention (from the fuse pass) gets its packed [in, 3·hidden] weight quantized per column as the MatMul weights
     * are (after SmoothQuant scaling of its input), then becomes, as {@link DynamicInt8Settings#attention()} says,
     * QAttention (input quantized at run time by one DynamicQuantizeLinear per input value, shared) or
     * DynamicQuantizeMatMul on the packed projection, Split and a float MultiHeadAttention; bias, mask and
     * attributes are kept.
     */
    private void quantizeAttention(OnnxModel model, ModelEditor editor, WeightedNode target, Smoothing smoothing,
            float[] outputScales, Map<String, String[]> quantizedInputs) throws LatheException {
        GraphEditor graph = target.graph();
        NodeProto node = target.node();
        float[] weights = model.tensorData(target.weight()).toFloatArray();
        smoothing.scaleRows(target, weights);
        String bias = node.getInput(2);
        if (outputScales != null) {
            bias = divideValueColumns(model, graph, node, weights, outputScales);
        }
        String[] weight = quantizeWeight(target, weights, false);
        String input = smoothing.smoothedInput(target, editor);
        String mask = node.getInputCount() > 3 ? node.getInput(3) : "";
        String base = node.getName();
        if (settings.attention() == DynamicInt8Settings.AttentionForm.MATMUL) {
            String qkv = graph.uniqueName(base + "_qkv");
            graph.add(Node.op("DynamicQuantizeMatMul").domain(MICROSOFT).named(graph.uniqueName(base + "_qkv_matmul"))
                    .in(input, weight[0], weight[1], weight[2], bias).out(qkv));
            String[] parts = {graph.uniqueName(base + "_query"), graph.uniqueName(base + "_key"),
                graph.uniqueName(base + "_value")};
            graph.add(Node.op("Split").named(graph.uniqueName(base + "_split")).in(qkv).out(parts).attr("axis", -1));
            graph.replaceNode(node.getName(), node.toBuilder().setOpType("MultiHeadAttention").clearInput()
                    .addAllInput(List.of(parts[0], parts[1], parts[2], "", mask)).build());
            return;
        }
        // {quantized input, its scale, its zero point}, made once per input value.
        String[] quantized = quantizedInputs.computeIfAbsent(input, value -> {
            String[] outputs = {graph.uniqueName(value + "_quantized"), graph.uniqueName(value + "_scale"),
                graph.uniqueName(value + "_zero_point")};
            graph.add(Node.op("DynamicQuantizeLinear").named(graph.uniqueName(value + "_dynamic_quantize")).in(value)
                    .out(outputs));
            return outputs;
        });
        NodeProto.Builder qAttention = node.toBuilder().setOpType("QAttention").clearInput()
                .addAllInput(List.of(quantized[0], weight[0], bias, quantized[1], weight[1], mask, quantized[2]));
        if (!weight[2].isEmpty()) {
            qAttention.addInput(weight[2]);
        }
        graph.replaceNode(node.getName(), qAttention.build());
    }

    /**
     * Divides the value projection's columns of a packed [in, 3·hidden] attention weight (in place) and of its bias
     * by {@code scales} (one per hidden channel), so that the attention's output comes out divided by them; returns
     * the new bias's name.
     */
    private static String divideValueColumns(OnnxModel model, GraphEditor graph, NodeProto node, float[] weights,
            float[] scales) throws LatheException {
        int hidden = scales.length;
        int columns = 3 * hidden;
        for (int row = 0; row < weights.length / columns; row++) {
            for (int c = 0; c < hidden; c++) {
                weights[row * columns + 2 * hidden + c] /= scales[c];
            }
        }
        float[] bias = model.tensorData(graph.constant(node.getInput(2)).orElseThrow()).toFloatArray();
        for (int c = 0; c < hidden; c++) {
            bias[2 * hidden + c] /= scales[c];
        }
        String name = graph.uniqueName(node.getInput(2) + "_smoothed");
        graph.putInitializer(name, TensorData.ofFloats(new long[] {columns}, bias));
        return name;
    }

    /** Why a Gemm cannot become DynamicQuantizeMatMul, if it cannot. */
    private static Optional<String> gemmRejection(NodeProto node, GraphEditor graph) {
        if (!node.getOpType().equals("Gemm")) {
            return Optional.empty();
        }
        if (NodeAttributes.getInt(node, "transA", 0) != 0) {
            return Optional.of("Gemm with transA=1");
        }
        if (NodeAttributes.getFloat(node, "alpha", 1f) != 1f || NodeAttributes.getFloat(node, "beta", 1f) != 1f) {
            return Optional.of("Gemm with alpha or beta other than 1");
        }
        if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
            Optional<TensorProto> bias = graph.constant(node.getInput(2));
            if (bias.isEmpty() || bias.get().getDataType() != DataType.FLOAT.code() || bias.get().getDimsCount() != 1) {
                return Optional.of("Gemm with a bias that is not a constant vector");
            }
        }
        return Optional.empty();
    }

    /** The weight as a row-major [K, N] matrix (transposed back for Gemm with transB=1). */
    private static float[] orientedWeights(OnnxModel model, WeightedNode target, boolean transposed) throws LatheException {
        long[] shape = target.weightShape();
        float[] values = model.tensorData(target.weight()).toFloatArray();
        if (!transposed) {
            return values;
        }
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] t = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = values[r * cols + c];
            }
        }
        return t;
    }

    /** Quantizes a [K, N] weight into the node's graph; returns {weight, scale, zeroPoint or ""} names. */
    private String[] quantizeWeight(WeightedNode target, float[] values, boolean transposed) {
        long[] shape = target.weightShape();
        int rows = (int) (transposed ? shape[1] : shape[0]);
        int cols = (int) (transposed ? shape[0] : shape[1]);
        WeightQuantizer.Quantized q = settings.quantizer().quantize(values, rows, cols,
                settings.perChannel() ? WeightQuantizer.Grouping.PER_COLUMN : WeightQuantizer.Grouping.PER_TENSOR);
        GraphEditor graph = target.graph();
        String base = target.weightName();
        DataType type = settings.signed() ? DataType.INT8 : DataType.UINT8;
        String weight = graph.uniqueName(base + "_quantized");
        graph.putInitializer(weight, TensorData.wrap(type, new long[] {rows, cols}, java.nio.ByteBuffer.wrap(q.values())));
        long[] scaleShape = settings.perChannel() ? new long[] {cols} : new long[0];
        String scale = graph.uniqueName(base + "_scale");
        graph.putInitializer(scale, TensorData.ofFloats(scaleShape, q.scales()));
        String zeroPoint = "";
        if (!settings.symmetric() || !settings.signed()) {
            zeroPoint = graph.uniqueName(base + "_zero_point");
            graph.putInitializer(zeroPoint, TensorData.ofSmallValues(type, scaleShape, q.zeroPoints()));
        }
        return new String[] {weight, scale, zeroPoint};
    }

    /** Replaces a MatMul/Gemm by DynamicQuantizeMatMul; returns whether a following bias Add was folded in. */
    private boolean replaceMatMul(WeightedNode target, String input, String[] names) {
        GraphEditor graph = target.graph();
        NodeProto node = target.node();
        String bias = "";
        String output = node.getOutput(0);
        NodeProto foldedAdd = null;
        if (node.getOpType().equals("Gemm") && node.getInputCount() > 2) {
            bias = node.getInput(2);
        } else if (settings.foldBias()) {
            foldedAdd = biasAdd(graph, output, target.weightShape()[1]);
            if (foldedAdd != null) {
                bias = foldedAdd.getInput(0).equals(output) ? foldedAdd.getInput(1) : foldedAdd.getInput(0);
                output = foldedAdd.getOutput(0);
            }
        }
        Node replacement = Node.op("DynamicQuantizeMatMul").domain(MICROSOFT).named(node.getName())
                .in(input, names[0], names[1], names[2]).out(output);
        if (!bias.isEmpty()) {
            replacement.in(bias);
        }
        graph.replaceNode(node.getName(), replacement);
        if (foldedAdd != null) {
            graph.removeNode(foldedAdd.getName());
        }
        return foldedAdd != null;
    }

    /** The single Add consuming {@code value} with a constant float bias of {@code columns} elements, if any. */
    private static NodeProto biasAdd(GraphEditor graph, String value, long columns) {
        List<NodeProto> consumers = graph.consumers(value);
        if (consumers.size() != 1 || !consumers.get(0).getOpType().equals("Add") || consumers.get(0).getInputCount() != 2) {
            return null;
        }
        NodeProto add = consumers.get(0);
        String other = add.getInput(0).equals(value) ? add.getInput(1) : add.getInput(0);
        Optional<TensorProto> bias = graph.constant(other);
        if (bias.isEmpty() || bias.get().getDataType() != DataType.FLOAT.code()) {
            return null;
        }
        long[] shape = TensorCodec.shapeOf(bias.get());
        return shape.length == 1 && shape[0] == columns ? add : null;
    }

    /** Gather(table, ids) becomes Mul(Cast(Gather(q_table, ids)), Unsqueeze(Gather(row_scales, ids))). */
    private void quantizeGather(OnnxModel model, ModelEditor editor, WeightedNode target) throws LatheException {
        GraphEditor graph = target.graph();
        NodeProto node = target.node();
        long[] shape = target.weightShape();
        float[] table = model.tensorData(target.weight()).toFloatArray();
        WeightQuantizer.Quantized q = new WeightQuantizer(true, true, false, settings.mseClipping())
                .quantize(table, (int) shape[0], (int) shape[1], WeightQuantizer.Grouping.PER_ROW);
        String base = target.weightName();
        String qTable = graph.uniqueName(base + "_quantized");
        graph.putInitializer(qTable, TensorData.wrap(DataType.INT8, shape, java.nio.ByteBuffer.wrap(q.values())));
        String scales = graph.uniqueName(base + "_row_scale");
        graph.putInitializer(scales, TensorData.ofFloats(new long[] {shape[0]}, q.scales()));
        String ids = node.getInput(1);
        String rows = graph.uniqueName(node.getName() + "_rows");
        String rowScales = graph.uniqueName(node.getName() + "_row_scales");
        String expanded = graph.uniqueName(node.getName() + "_row_scales_expanded");
        String floats = graph.uniqueName(node.getName() + "_rows_float");
        Node gatherRows = Node.op("Gather").named(node.getName()).in(qTable, ids).out(rows).attr("axis", 0);
        Node gatherScales = Node.op("Gather").named(graph.uniqueName(node.getName() + "_scales")).in(scales, ids)
                .out(rowScales).attr("axis", 0);
        Node unsqueeze = Node.op("Unsqueeze").named(graph.uniqueName(node.getName() + "_unsqueeze")).in(rowScales)
                .out(expanded);
        long opset = model.opsetVersion("").orElse(1L);
        if (opset >= 13) {
            String axes = graph.uniqueName(node.getName() + "_last_axis");
            graph.putInitializer(axes, TensorData.ofLongs(new long[] {1}, -1));
            unsqueeze.in(axes);
        } else {
            unsqueeze.ints("axes", -1);
        }
        Node cast = Node.op("Cast").named(graph.uniqueName(node.getName() + "_cast")).in(rows).out(floats)
                .attr("to", DataType.FLOAT);
        Node scale = Node.op("Mul").named(graph.uniqueName(node.getName() + "_dequantize")).in(floats, expanded)
                .out(node.getOutput(0));
        graph.replaceNode(node.getName(), gatherRows, gatherScales, unsqueeze, cast, scale);
    }

}
