package dev.lathe.core.footprint;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.OpFamilies;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static shape propagation for concrete input shapes. Besides shapes, it tracks the values of small
 * integer tensors, so that the Shape → Gather → Unsqueeze → Concat → Reshape chains PyTorch and Paddle
 * exporters emit resolve to concrete shapes. Ops it does not know, or whose output depends on data,
 * leave their outputs unresolved.
 */
final class ShapeInference {
    /** Integer tensors up to this many elements have their values tracked. */
    private static final int MAX_TRACKED_VALUES = 4096;

    private final OnnxModel model;
    private final long defaultOpset;
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, long[]> values = new HashMap<>();
    private final List<String> unresolved = new ArrayList<>();

    /** How one op's output shapes (and small integer values) follow from its inputs'. */
    @FunctionalInterface
    private interface Rule {
        boolean infer(ShapeInference inference, Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException;
    }

    /**
     * The rule of every ONNX-domain op that is neither shape-preserving nor broadcast elementwise (those are the
     * {@link OpFamilies} families, handled before this table): one entry per op type.
     */
    private static final Map<String, Rule> RULES = rules();

    private static Map<String, Rule> rules() {
        Map<String, Rule> rules = new HashMap<>();
        rules.put("MatMul", ShapeInference::ruleMatMul);
        rules.put("MatMulInteger", ShapeInference::ruleMatMul);
        rules.put("QLinearMatMul", ShapeInference::ruleQLinearMatMul);
        rules.put("Gemm", ShapeInference::ruleGemm);
        rules.put("Conv", ShapeInference::ruleConv);
        rules.put("ConvInteger", ShapeInference::ruleConv);
        rules.put("QLinearConv", ShapeInference::ruleConv);
        rules.put("ConvTranspose", ShapeInference::ruleConvTranspose);
        rules.put("MaxPool", ShapeInference::ruleMaxPool);
        rules.put("AveragePool", ShapeInference::ruleMaxPool);
        rules.put("LpPool", ShapeInference::ruleMaxPool);
        rules.put("GlobalAveragePool", ShapeInference::ruleGlobalAveragePool);
        rules.put("GlobalMaxPool", ShapeInference::ruleGlobalAveragePool);
        rules.put("GlobalLpPool", ShapeInference::ruleGlobalAveragePool);
        rules.put("Shape", ShapeInference::ruleShape);
        rules.put("Size", ShapeInference::ruleSize);
        rules.put("Gather", ShapeInference::ruleGather);
        rules.put("GatherElements", ShapeInference::ruleGatherElements);
        rules.put("Unsqueeze", ShapeInference::ruleUnsqueeze);
        rules.put("Squeeze", ShapeInference::ruleSqueeze);
        rules.put("Concat", ShapeInference::ruleConcat);
        rules.put("Reshape", ShapeInference::ruleReshape);
        rules.put("Flatten", ShapeInference::ruleFlatten);
        rules.put("Transpose", ShapeInference::ruleTranspose);
        rules.put("Slice", (inference, graph, node, op, x) -> inference.inferSlice(node, x));
        rules.put("Split", (inference, graph, node, op, x) -> inference.inferSplit(node, x));
        rules.put("ReduceMean", ShapeInference::ruleReduceMean);
        rules.put("ReduceSum", ShapeInference::ruleReduceMean);
        rules.put("ReduceMax", ShapeInference::ruleReduceMean);
        rules.put("ReduceMin", ShapeInference::ruleReduceMean);
        rules.put("ReduceProd", ShapeInference::ruleReduceMean);
        rules.put("ReduceL1", ShapeInference::ruleReduceMean);
        rules.put("ReduceL2", ShapeInference::ruleReduceMean);
        rules.put("ReduceLogSum", ShapeInference::ruleReduceMean);
        rules.put("ReduceLogSumExp", ShapeInference::ruleReduceMean);
        rules.put("ReduceSumSquare", ShapeInference::ruleReduceMean);
        rules.put("ArgMax", ShapeInference::ruleArgMax);
        rules.put("ArgMin", ShapeInference::ruleArgMax);
        rules.put("Expand", ShapeInference::ruleExpand);
        rules.put("ConstantOfShape", ShapeInference::ruleConstantOfShape);
        rules.put("Range", ShapeInference::ruleRange);
        rules.put("Tile", ShapeInference::ruleTile);
        rules.put("Pad", ShapeInference::rulePad);
        rules.put("Resize", (inference, graph, node, op, x) -> inference.inferResize(node, x, op));
        rules.put("Upsample", (inference, graph, node, op, x) -> inference.inferResize(node, x, op));
        rules.put("TopK", ShapeInference::ruleTopK);
        rules.put("DynamicQuantizeLinear", ShapeInference::ruleDynamicQuantizeLinear);
        rules.put("If", (inference, graph, node, op, x) -> inference.inferIf(graph, node));
        rules.put("Loop", (inference, graph, node, op, x) -> inference.inferLoop(graph, node));
        rules.put("Scan", ShapeInference::ruleScan);
        rules.put("Einsum", ShapeInference::ruleEinsum);
        rules.put("RNN", (inference, graph, node, op, x) -> inference.inferRecurrent(node, x));
        rules.put("GRU", (inference, graph, node, op, x) -> inference.inferRecurrent(node, x));
        rules.put("LSTM", (inference, graph, node, op, x) -> inference.inferRecurrent(node, x));
        return Map.copyOf(rules);
    }

    private ShapeInference(OnnxModel model) {
        this.model = model;
        this.defaultOpset = model.opsetVersion("").orElse(1L);
    }

    /**
     * Shapes of every value (main graph and subgraphs) that could be resolved, the values of the small
     * integer and boolean tensors that are known statically (shape vectors, trip counts, conditions), and
     * the nodes left unresolved.
     */
    record Result(Map<String, long[]> shapes, Map<String, long[]> values, List<String> unresolvedNodes) {
    }

    /** Propagates the given input shapes (and the values given for small integer inputs) through the model. */
    static Result infer(OnnxModel model, Map<String, long[]> inputShapes, Map<String, long[]> inputValues)
            throws InvalidModelException {
        ShapeInference inference = new ShapeInference(model);
        for (ConstantTensor constant : model.constants()) {
            inference.shapes.put(constant.name(), constant.shape());
            inference.trackValue(constant.name(), constant.tensor());
        }
        inference.shapes.putAll(inputShapes);
        inference.values.putAll(inputValues);
        inference.run(model.graph());
        return new Result(inference.shapes, inference.values, inference.unresolved);
    }

    private void trackValue(String name, TensorProto tensor) throws InvalidModelException {
        Optional<DataType> type = DataType.fromCode(tensor.getDataType());
        if (type.isEmpty() || type.get().isFloatingPoint() || type.get() == DataType.STRING
                || TensorData.elementCount(TensorCodec.shapeOf(tensor)) > MAX_TRACKED_VALUES) {
            return;
        }
        values.put(name, model.tensorData(tensor).toLongArray());
    }

    private void run(Graph graph) throws InvalidModelException {
        for (NodeProto node : graph.nodes()) {
            if (Graph.isConstantNode(node)) {
                continue;
            }
            boolean resolved;
            try {
                resolved = inferNode(graph, node);
            } catch (RuntimeException e) {
                // Inconsistent shapes or attributes: leave the node to the runtime fallback.
                resolved = false;
            }
            if (!resolved) {
                unresolved.add(node.getName().isEmpty() ? node.getOpType() + " -> " + node.getOutputList() : node.getName());
            }
        }
    }

    private long[] shape(NodeProto node, int input) {
        if (input >= node.getInputCount() || node.getInput(input).isEmpty()) {
            return null;
        }
        return shapes.get(node.getInput(input));
    }

    private long[] value(NodeProto node, int input) {
        if (input >= node.getInputCount() || node.getInput(input).isEmpty()) {
            return null;
        }
        return values.get(node.getInput(input));
    }

    private boolean hasInput(NodeProto node, int input) {
        return input < node.getInputCount() && !node.getInput(input).isEmpty();
    }

    private void set(NodeProto node, int output, long[] shape) {
        if (output < node.getOutputCount() && !node.getOutput(output).isEmpty()) {
            shapes.put(node.getOutput(output), shape);
        }
    }

    private void setValue(NodeProto node, long[] shape, long[] value) {
        set(node, 0, shape);
        if (value != null && value.length <= MAX_TRACKED_VALUES) {
            values.put(node.getOutput(0), value);
        }
    }

    private boolean inferNode(Graph graph, NodeProto node) throws InvalidModelException {
        String domain = node.getDomain().equals("ai.onnx") ? "" : node.getDomain();
        String op = node.getOpType();
        if (domain.equals("com.microsoft")) {
            return inferMicrosoft(node, op);
        }
        if (!domain.isEmpty()) {
            return false;
        }
        long[] x = shape(node, 0);
        if (OpFamilies.SHAPE_PRESERVING.contains(op)) {
            if (x == null) {
                return false;
            }
            long[] v = switch (op) {
                case "Identity", "Cast", "CastLike" -> value(node, 0);
                case "Neg" -> map(value(node, 0), a -> -a);
                case "Abs" -> map(value(node, 0), Math::abs);
                default -> null;
            };
            setValue(node, x, v);
            if (op.equals("Dropout")) {
                set(node, 1, x);
            }
            return true;
        }
        if (OpFamilies.BROADCAST_ELEMENTWISE.contains(op)) {
            long[] out = new long[0];
            for (int i = 0; i < node.getInputCount(); i++) {
                long[] s = shape(node, i);
                if (s == null) {
                    return false;
                }
                out = Shapes.broadcast(out, s);
            }
            setValue(node, out, elementwiseValue(node, op, out));
            return true;
        }
        Rule rule = RULES.get(op);
        return rule != null && rule.infer(this, graph, node, op, x);
    }

    /** MatMul, MatMulInteger. */
    private boolean ruleMatMul(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] b = shape(node, 1);
        if (x == null || b == null) {
            return false;
        }
        set(node, 0, Shapes.matmul(x, b));
        return true;
    }

    /** QLinearMatMul. */
    private boolean ruleQLinearMatMul(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] b = shape(node, 3);
        if (x == null || b == null) {
            return false;
        }
        set(node, 0, Shapes.matmul(x, b));
        return true;
    }

    /** Gemm. */
    private boolean ruleGemm(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] b = shape(node, 1);
        if (x == null || b == null) {
            return false;
        }
        set(node, 0, Shapes.gemm(node, x, b));
        return true;
    }

    /** Conv, ConvInteger, QLinearConv. */
    private boolean ruleConv(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] w = shape(node, op.equals("QLinearConv") ? 3 : 1);
        if (x == null || w == null) {
            return false;
        }
        set(node, 0, Shapes.convolution(node, x, w));
        return true;
    }

    /** ConvTranspose. */
    private boolean ruleConvTranspose(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] w = shape(node, 1);
        if (x == null || w == null) {
            return false;
        }
        set(node, 0, Shapes.convTranspose(node, x, w));
        return true;
    }

    /** MaxPool, AveragePool, LpPool. */
    private boolean ruleMaxPool(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        long[] kernel = NodeAttributes.getInts(node, "kernel_shape").orElseThrow();
        long[] out = Shapes.convolution(node, x, x[1], kernel, NodeAttributes.getInt(node, "ceil_mode", 0) != 0);
        set(node, 0, out);
        set(node, 1, out);
        return true;
    }

    /** GlobalAveragePool, GlobalMaxPool, GlobalLpPool. */
    private boolean ruleGlobalAveragePool(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        long[] out = x.clone();
        Arrays.fill(out, 2, out.length, 1);
        set(node, 0, out);
        return true;
    }

    /** Shape. */
    private boolean ruleShape(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        int start = (int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "start", 0), x.length, true);
        int end = (int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "end", x.length), x.length, true);
        long[] v = Arrays.copyOfRange(x, start, Math.max(start, end));
        setValue(node, new long[] {v.length}, v);
        return true;
    }

    /** Size. */
    private boolean ruleSize(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        setValue(node, new long[0], new long[] {TensorData.elementCount(x)});
        return true;
    }

    /** Gather. */
    private boolean ruleGather(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] indices = shape(node, 1);
        if (x == null || indices == null) {
            return false;
        }
        int axis = (int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "axis", 0), x.length, false);
        long[] out = Shapes.concat(Arrays.copyOfRange(x, 0, axis), indices, Arrays.copyOfRange(x, axis + 1, x.length));
        long[] data = value(node, 0);
        long[] idx = value(node, 1);
        long[] v = null;
        if (data != null && idx != null && x.length == 1) {
            v = new long[idx.length];
            for (int i = 0; i < idx.length; i++) {
                v[i] = data[(int) (idx[i] < 0 ? idx[i] + x[0] : idx[i])];
            }
        }
        setValue(node, out, v);
        return true;
    }

    /** GatherElements. */
    private boolean ruleGatherElements(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] indices = shape(node, 1);
        if (indices == null) {
            return false;
        }
        set(node, 0, indices);
        return true;
    }

    /** Unsqueeze. */
    private boolean ruleUnsqueeze(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] axes = defaultOpset >= 13 ? value(node, 1) : NodeAttributes.getInts(node, "axes").orElse(null);
        if (x == null || axes == null) {
            return false;
        }
        setValue(node, Shapes.unsqueeze(x, axes), value(node, 0));
        return true;
    }

    /** Squeeze. */
    private boolean ruleSqueeze(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] axes = defaultOpset >= 13 ? value(node, 1) : NodeAttributes.getInts(node, "axes").orElse(null);
        if (x == null || (axes == null && hasInput(node, 1))) {
            return false;
        }
        setValue(node, Shapes.squeeze(x, axes), value(node, 0));
        return true;
    }

    /** Concat. */
    private boolean ruleConcat(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        List<long[]> parts = new ArrayList<>();
        List<long[]> partValues = new ArrayList<>();
        for (int i = 0; i < node.getInputCount(); i++) {
            long[] s = shape(node, i);
            if (s == null) {
                return false;
            }
            parts.add(s);
            partValues.add(value(node, i));
        }
        int axis = (int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "axis", 0), parts.get(0).length, false);
        long[] out = parts.get(0).clone();
        out[axis] = 0;
        for (long[] part : parts) {
            if (part.length != out.length) {
                throw new IllegalArgumentException("Concat inputs of ranks " + out.length + " and " + part.length);
            }
            for (int d = 0; d < out.length; d++) {
                if (d != axis && part[d] != out[d]) {
                    throw new IllegalArgumentException("Concat inputs differ off the axis: "
                            + Arrays.toString(parts.get(0)) + " and " + Arrays.toString(part));
                }
            }
            out[axis] += part[axis];
        }
        long[] v = null;
        if (out.length == 1 && partValues.stream().allMatch(p -> p != null)) {
            v = Shapes.concat(partValues.toArray(new long[0][]));
        }
        setValue(node, out, v);
        return true;
    }

    /** Reshape. */
    private boolean ruleReshape(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] target = value(node, 1);
        if (x == null || target == null) {
            return false;
        }
        setValue(node, Shapes.reshape(x, target, NodeAttributes.getInt(node, "allowzero", 0) != 0), value(node, 0));
        return true;
    }

    /** Flatten. */
    private boolean ruleFlatten(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        int axis = (int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "axis", 1), x.length, true);
        set(node, 0, new long[] {Shapes.product(x, 0, axis), Shapes.product(x, axis, x.length)});
        return true;
    }

    /** Transpose. */
    private boolean ruleTranspose(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        long[] perm = NodeAttributes.getInts(node, "perm").orElse(null);
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[perm == null ? x.length - 1 - i : (int) perm[i]];
        }
        set(node, 0, out);
        return true;
    }

    /** ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare. */
    private boolean ruleReduceMean(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        boolean axesAsInput = op.equals("ReduceSum") ? defaultOpset >= 13 : defaultOpset >= 18;
        long[] axes = axesAsInput ? value(node, 1) : NodeAttributes.getInts(node, "axes").orElse(null);
        if (axesAsInput && hasInput(node, 1) && axes == null) {
            return false;
        }
        boolean noop = NodeAttributes.getInt(node, "noop_with_empty_axes", 0) != 0;
        if ((axes == null || axes.length == 0) && noop) {
            set(node, 0, x);
            return true;
        }
        set(node, 0, Shapes.reduce(x, axes, NodeAttributes.getInt(node, "keepdims", 1) != 0));
        return true;
    }

    /** ArgMax, ArgMin. */
    private boolean ruleArgMax(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        set(node, 0, Shapes.reduce(x, new long[] {NodeAttributes.getInt(node, "axis", 0)},
                NodeAttributes.getInt(node, "keepdims", 1) != 0));
        return true;
    }

    /** Expand. */
    private boolean ruleExpand(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] target = value(node, 1);
        if (x == null || target == null) {
            return false;
        }
        set(node, 0, Shapes.broadcast(x, target));
        return true;
    }

    /** ConstantOfShape. */
    private boolean ruleConstantOfShape(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] target = value(node, 0);
        if (target == null) {
            return false;
        }
        long[] v = null;
        long count = TensorData.elementCount(target);
        if (count <= MAX_TRACKED_VALUES) {
            Optional<TensorProto> fill = NodeAttributes.getTensor(node, "value");
            long[] fillValue = fill.isPresent() && !DataType.fromCode(fill.get().getDataType()).orElseThrow().isFloatingPoint()
                    ? model.tensorData(fill.get()).toLongArray() : new long[] {0};
            if (fill.isEmpty() || fillValue.length == 1) {
                v = new long[(int) count];
                Arrays.fill(v, fillValue[0]);
            }
        }
        setValue(node, target, v);
        return true;
    }

    /** Range. */
    private boolean ruleRange(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] start = value(node, 0);
        long[] limit = value(node, 1);
        long[] delta = value(node, 2);
        if (start == null || limit == null || delta == null || delta[0] == 0) {
            return false;
        }
        long n = Math.max(0, (long) Math.ceil((double) (limit[0] - start[0]) / delta[0]));
        long[] v = null;
        if (n <= MAX_TRACKED_VALUES) {
            v = new long[(int) n];
            for (int i = 0; i < n; i++) {
                v[i] = start[0] + i * delta[0];
            }
        }
        setValue(node, new long[] {n}, v);
        return true;
    }

    /** Tile. */
    private boolean ruleTile(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] repeats = value(node, 1);
        if (x == null || repeats == null) {
            return false;
        }
        long[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= repeats[i];
        }
        set(node, 0, out);
        return true;
    }

    /** Pad. */
    private boolean rulePad(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] pads = defaultOpset >= 11 ? value(node, 1) : NodeAttributes.getInts(node, "pads").orElse(null);
        if (x == null || pads == null) {
            return false;
        }
        long[] axes = value(node, 3);
        long[] out = x.clone();
        int count = axes == null ? x.length : axes.length;
        for (int i = 0; i < count; i++) {
            int axis = axes == null ? i : (int) Shapes.normalizeAxis(axes[i], x.length, false);
            out[axis] += pads[i] + pads[i + count];
        }
        set(node, 0, out);
        return true;
    }

    /** TopK. */
    private boolean ruleTopK(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[] k = value(node, 1);
        if (x == null || k == null) {
            return false;
        }
        long[] out = x.clone();
        out[(int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "axis", -1), x.length, false)] = k[0];
        set(node, 0, out);
        set(node, 1, out);
        return true;
    }

    /** DynamicQuantizeLinear. */
    private boolean ruleDynamicQuantizeLinear(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        if (x == null) {
            return false;
        }
        set(node, 0, x);
        set(node, 1, new long[0]);
        set(node, 2, new long[0]);
        return true;
    }

    /** Scan. */
    private boolean ruleScan(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        return defaultOpset >= 9 && inferScan(graph, node);
    }

    /** Einsum. */
    private boolean ruleEinsum(Graph graph, NodeProto node, String op, long[] x) throws InvalidModelException {
        long[][] operands = new long[node.getInputCount()][];
        for (int i = 0; i < operands.length; i++) {
            operands[i] = shape(node, i);
            if (operands[i] == null) {
                return false;
            }
        }
        set(node, 0, EinsumEquation.parse(NodeAttributes.getString(node, "equation").orElseThrow(), operands)
                .outputShape());
        return true;
    }

    private boolean inferMicrosoft(NodeProto node, String op) {
        long[] x = shape(node, 0);
        if (x == null) {
            return false;
        }
        switch (op) {
            case "MatMulNBits" -> {
                long[] out = x.clone();
                out[out.length - 1] = NodeAttributes.getInt(node, "N", 0);
                set(node, 0, out);
                return true;
            }
            case "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "FusedMatMul" -> {
                long[] b = shape(node, 1);
                if (b == null) {
                    return false;
                }
                if (op.equals("FusedMatMul")) {
                    x = NodeAttributes.getInt(node, "transA", 0) != 0 ? Shapes.swapLastTwo(x) : x;
                    b = NodeAttributes.getInt(node, "transB", 0) != 0 ? Shapes.swapLastTwo(b) : b;
                }
                set(node, 0, Shapes.matmul(x, b));
                return true;
            }
            case "FusedGemm", "QGemm" -> {
                long[] b = shape(node, op.equals("QGemm") ? 3 : 1);
                if (b == null) {
                    return false;
                }
                set(node, 0, Shapes.gemm(node, x, b));
                return true;
            }
            case "Gelu", "FastGelu", "BiasGelu", "QuickGelu", "BiasAdd", "SkipLayerNormalization",
                    "SkipSimplifiedLayerNormalization", "SimplifiedLayerNormalization", "LayerNormalization",
                    "QuantizeLinear", "DequantizeLinear" -> {
                set(node, 0, x);
                return true;
            }
            case "FusedConv" -> {
                long[] w = shape(node, 1);
                if (w == null) {
                    return false;
                }
                set(node, 0, Shapes.convolution(node, x, w));
                return true;
            }
            case "Attention", "QAttention" -> {
                return inferAttention(node, op, x);
            }
            case "MultiHeadAttention" -> {
                return inferMultiHeadAttention(node, x);
            }
            default -> {
                return false;
            }
        }
    }

    private boolean inferSlice(NodeProto node, long[] x) {
        if (x == null) {
            return false;
        }
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (defaultOpset >= 10) {
            starts = value(node, 1);
            ends = value(node, 2);
            axes = value(node, 3);
            steps = value(node, 4);
            if (starts == null || ends == null || (hasInput(node, 3) && axes == null) || (hasInput(node, 4) && steps == null)) {
                return false;
            }
        } else {
            starts = NodeAttributes.getInts(node, "starts").orElseThrow();
            ends = NodeAttributes.getInts(node, "ends").orElseThrow();
            axes = NodeAttributes.getInts(node, "axes").orElse(null);
            steps = null;
        }
        long[] out = x.clone();
        long[] data = value(node, 0);
        long[] sliced = null;
        for (int i = 0; i < starts.length; i++) {
            int axis = (int) Shapes.normalizeAxis(axes == null ? i : axes[i], x.length, false);
            long step = steps == null ? 1 : steps[i];
            long dim = x[axis];
            long start = Shapes.clampSliceIndex(starts[i], dim, step);
            long end = Shapes.clampSliceIndex(ends[i], dim, step);
            long count = step > 0 ? Math.max(0, (end - start + step - 1) / step) : Math.max(0, (start - end - step - 1) / -step);
            out[axis] = count;
            if (data != null && x.length == 1) {
                sliced = new long[(int) count];
                for (int j = 0; j < count; j++) {
                    sliced[j] = data[(int) (start + j * step)];
                }
            }
        }
        setValue(node, out, sliced);
        return true;
    }

    private boolean inferSplit(NodeProto node, long[] x) {
        if (x == null) {
            return false;
        }
        int axis = (int) Shapes.normalizeAxis(NodeAttributes.getInt(node, "axis", 0), x.length, false);
        long[] split = defaultOpset >= 13 ? value(node, 1) : NodeAttributes.getInts(node, "split").orElse(null);
        if (split == null && hasInput(node, 1)) {
            return false;
        }
        int outputs = node.getOutputCount();
        if (split == null) {
            split = new long[outputs];
            long chunk = (x[axis] + outputs - 1) / outputs;
            for (int i = 0; i < outputs; i++) {
                split[i] = Math.min(chunk, x[axis] - chunk * i);
            }
        }
        for (int i = 0; i < outputs; i++) {
            long[] out = x.clone();
            out[axis] = split[i];
            set(node, i, out);
        }
        return true;
    }

    private boolean inferResize(NodeProto node, long[] x, String op) {
        if (x == null) {
            return false;
        }
        long[] sizes = op.equals("Resize") ? value(node, 3) : null;
        if (sizes != null && sizes.length == x.length) {
            set(node, 0, sizes);
            return true;
        }
        int scalesInput = op.equals("Upsample") ? 1 : defaultOpset >= 11 ? 2 : 1;
        Optional<float[]> scales = floatValues(node, scalesInput);
        if (scales.isEmpty() && op.equals("Upsample")) {
            scales = NodeAttributes.getFloats(node, "scales");
        }
        if (scales.isEmpty() || scales.get().length != x.length) {
            return false;
        }
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (long) Math.floor(x[i] * (double) scales.get()[i]);
        }
        set(node, 0, out);
        return true;
    }

    private Optional<float[]> floatValues(NodeProto node, int input) {
        if (!hasInput(node, input)) {
            return Optional.empty();
        }
        for (ConstantTensor constant : model.constants()) {
            if (constant.name().equals(node.getInput(input)) && constant.dataType().isFloatingPoint()) {
                try {
                    return Optional.of(model.tensorData(constant.tensor()).toFloatArray());
                } catch (InvalidModelException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private boolean inferIf(Graph graph, NodeProto node) throws InvalidModelException {
        List<Graph> branches = graph.subgraphs(node);
        long[] condition = value(node, 0);
        long[][] outputs = null;
        for (Graph branch : branches) {
            run(branch);
            if (condition != null && (condition[0] != 0) != branch.path().endsWith("/then_branch")) {
                // A constant condition: the branch that is never taken does not decide the output shapes.
                continue;
            }
            List<ValueInfoProto> branchOutputs = branch.outputs();
            long[][] shapesOfBranch = new long[branchOutputs.size()][];
            for (int i = 0; i < branchOutputs.size(); i++) {
                shapesOfBranch[i] = shapes.get(branchOutputs.get(i).getName());
                if (shapesOfBranch[i] == null) {
                    return false;
                }
            }
            if (outputs != null && !Arrays.deepEquals(outputs, shapesOfBranch)) {
                return false;
            }
            outputs = shapesOfBranch;
        }
        if (outputs == null) {
            return false;
        }
        for (int i = 0; i < outputs.length; i++) {
            set(node, i, outputs[i]);
        }
        return true;
    }

    /**
     * Loop: the body sees a scalar iteration number and condition and the loop-carried values with their
     * initial shapes; scan outputs stack the trip count (when it is a static value) in front of the body's.
     * A loop-carried value whose shape changes in the body leaves the node unresolved.
     */
    private boolean inferLoop(Graph graph, NodeProto node) throws InvalidModelException {
        Graph body = graph.subgraphs(node).get(0);
        List<ValueInfoProto> bodyInputs = body.proto().getInputList();
        List<ValueInfoProto> bodyOutputs = body.outputs();
        int carried = bodyInputs.size() - 2;
        shapes.put(bodyInputs.get(0).getName(), new long[0]);
        shapes.put(bodyInputs.get(1).getName(), new long[0]);
        for (int i = 0; i < carried; i++) {
            long[] initial = shape(node, 2 + i);
            if (initial != null) {
                shapes.put(bodyInputs.get(2 + i).getName(), initial);
            }
        }
        run(body);
        long[] trips = value(node, 0);
        boolean resolved = true;
        for (int i = 0; i < bodyOutputs.size() - 1; i++) {
            long[] slice = shapes.get(bodyOutputs.get(1 + i).getName());
            if (i < carried) {
                boolean stable = slice != null && Arrays.equals(slice, shape(node, 2 + i));
                resolved &= stable;
                if (stable) {
                    set(node, i, slice);
                }
            } else if (slice != null && trips != null) {
                set(node, i, Shapes.concat(new long[] {trips[0]}, slice));
            } else {
                resolved = false;
            }
        }
        return resolved;
    }

    /**
     * Scan (opset 9 and later): the body sees the state variables and one slice of each scan input (the scan
     * axis removed); scan outputs insert the trip count (the first scan input's scan axis) at their axis.
     */
    private boolean inferScan(Graph graph, NodeProto node) throws InvalidModelException {
        Graph body = graph.subgraphs(node).get(0);
        List<ValueInfoProto> bodyInputs = body.proto().getInputList();
        List<ValueInfoProto> bodyOutputs = body.outputs();
        int scanInputs = (int) NodeAttributes.getInt(node, "num_scan_inputs", 0);
        int states = node.getInputCount() - scanInputs;
        long[] inputAxes = NodeAttributes.getInts(node, "scan_input_axes").orElse(new long[scanInputs]);
        long[] outputAxes = NodeAttributes.getInts(node, "scan_output_axes").orElse(new long[bodyOutputs.size() - states]);
        long trips = -1;
        for (int i = 0; i < node.getInputCount(); i++) {
            long[] in = shape(node, i);
            if (in == null) {
                continue;
            }
            if (i < states) {
                shapes.put(bodyInputs.get(i).getName(), in);
            } else {
                int axis = (int) Shapes.normalizeAxis(inputAxes[i - states], in.length, false);
                trips = in[axis];
                shapes.put(bodyInputs.get(i).getName(), Shapes.concat(Arrays.copyOfRange(in, 0, axis),
                        Arrays.copyOfRange(in, axis + 1, in.length)));
            }
        }
        run(body);
        boolean resolved = trips >= 0;
        for (int i = 0; i < bodyOutputs.size(); i++) {
            long[] slice = shapes.get(bodyOutputs.get(i).getName());
            if (i < states) {
                boolean stable = slice != null && Arrays.equals(slice, shape(node, i));
                resolved &= stable;
                if (stable) {
                    set(node, i, slice);
                }
            } else if (slice != null && trips >= 0) {
                int axis = (int) Shapes.normalizeAxis(outputAxes[i - states], slice.length + 1, false);
                set(node, i, Shapes.concat(Arrays.copyOfRange(slice, 0, axis), new long[] {trips},
                        Arrays.copyOfRange(slice, axis, slice.length)));
            } else {
                resolved = false;
            }
        }
        return resolved;
    }

    /**
     * RNN, GRU and LSTM: Y is [seq, directions, batch, H] ([batch, seq, directions, H] with layout 1), Y_h
     * and Y_c are [directions, batch, H] ([batch, directions, H]); H is the recurrent weight's last dimension.
     */
    private boolean inferRecurrent(NodeProto node, long[] x) {
        long[] r = shape(node, 2);
        if (x == null || r == null) {
            return false;
        }
        boolean batchFirst = NodeAttributes.getInt(node, "layout", 0) != 0;
        long seq = batchFirst ? x[1] : x[0];
        long batch = batchFirst ? x[0] : x[1];
        long directions = r[0];
        long hidden = r[2];
        set(node, 0, batchFirst ? new long[] {batch, seq, directions, hidden} : new long[] {seq, directions, batch, hidden});
        long[] state = batchFirst ? new long[] {batch, directions, hidden} : new long[] {directions, batch, hidden};
        set(node, 1, state);
        set(node, 2, state);
        return true;
    }

    /**
     * com.microsoft Attention and QAttention: input [B, S, D_in] and packed weights [D_in, D_q+D_k+D_v]
     * give output [B, S, D_v] and, with a past [2, B, N, P, H], present [2, B, N, P+S, H].
     */
    private boolean inferAttention(NodeProto node, String op, long[] x) {
        long[] weights = shape(node, 1);
        if (weights == null) {
            return false;
        }
        long[] sizes = NodeAttributes.getInts(node, "qkv_hidden_sizes").orElse(null);
        long valueHidden = sizes != null ? sizes[2] : weights[1] / 3;
        set(node, 0, new long[] {x[0], x[1], valueHidden});
        long[] past = shape(node, op.equals("QAttention") ? 8 : 4);
        if (past != null) {
            set(node, 1, new long[] {past[0], past[1], past[2], past[3] + x[1], past[4]});
        }
        return true;
    }

    /**
     * com.microsoft MultiHeadAttention: query [B, S, D] (or packed QKV [B, S, N, 3, H]), key [B, L, D] or
     * [B, N, L, H], value [B, L, D_v] or [B, N, L, H_v]; output [B, S, D_v].
     */
    private boolean inferMultiHeadAttention(NodeProto node, long[] query) {
        if (query.length == 5) {
            set(node, 0, new long[] {query[0], query[1], query[2] * query[4]});
            return true;
        }
        long[] value = shape(node, 2);
        if (value == null) {
            return false;
        }
        set(node, 0, new long[] {query[0], query[1], value.length == 4 ? value[1] * value[3] : value[2]});
        return true;
    }

    private long[] elementwiseValue(NodeProto node, String op, long[] outShape) {
        if (outShape.length > 1) {
            return null;
        }
        int n = (int) TensorData.elementCount(outShape);
        List<long[]> inputs = new ArrayList<>();
        for (int i = 0; i < node.getInputCount(); i++) {
            long[] v = value(node, i);
            if (v == null || (v.length != 1 && v.length != n)) {
                return null;
            }
            inputs.add(v);
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long a = at(inputs.get(0), i);
            long b = inputs.size() > 1 ? at(inputs.get(1), i) : 0;
            switch (op) {
                case "Add" -> out[i] = a + b;
                case "Sub" -> out[i] = a - b;
                case "Mul" -> out[i] = a * b;
                case "Div" -> {
                    if (b == 0) {
                        return null;
                    }
                    out[i] = a / b;
                }
                case "Max" -> out[i] = Math.max(a, b);
                case "Min" -> out[i] = Math.min(a, b);
                case "Equal" -> out[i] = a == b ? 1 : 0;
                case "Less" -> out[i] = a < b ? 1 : 0;
                case "Greater" -> out[i] = a > b ? 1 : 0;
                case "Where" -> out[i] = a != 0 ? b : at(inputs.get(2), i);
                default -> {
                    return null;
                }
            }
        }
        return out;
    }

    private static long at(long[] values, int i) {
        return values.length == 1 ? values[0] : values[i];
    }

    private static long[] map(long[] values, java.util.function.LongUnaryOperator f) {
        return values == null ? null : Arrays.stream(values).map(f).toArray();
    }
}
