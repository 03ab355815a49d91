package dev.lathe.core.footprint;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Multiply-accumulates of compute ops, split by arithmetic precision, and element operations of the
 * rest, from resolved shapes. A MAC is one multiply plus one add of a dot product: a [M,K]×[K,N] product
 * is M·K·N MACs. The formulas, per op:
 * <ul>
 *   <li>MatMul, FusedMatMul, MatMulInteger, MatMulIntegerToFloat, DynamicQuantizeMatMul, QLinearMatMul:
 *       output elements × K (the shared dimension); MatMulNBits: output elements × attribute K.</li>
 *   <li>Gemm, FusedGemm, QGemm: M·N × K.</li>
 *   <li>Conv, FusedConv, ConvInteger, QLinearConv: output elements × C_in/group × kernel size (the
 *       weight's dimensions after the first).</li>
 *   <li>ConvTranspose: input elements × C_out/group × kernel size (each input element is scattered into
 *       that many outputs; the weight's dimensions after the first).</li>
 *   <li>RNN, GRU, LSTM: directions × seq × batch × gates·H × (input size + H), with 1, 3 and 4 gates:
 *       per time step, the input and the recurrent product of every gate. {@code sequence_lens} is not
 *       known statically, so the full sequence is counted (an upper bound).</li>
 *   <li>Einsum with two or more operands: contracted left to right, each step costs the product of the
 *       sizes of all letters of its two operands (for {@code bij,bjk->bik}: b·i·j·k). One operand only
 *       moves or sums data and counts as element operations.</li>
 *   <li>com.microsoft Attention and QAttention: the input projection B·S·D_in·(D_q+D_k+D_v), plus QKᵀ
 *       B·S·T·D_q and attention × V B·S·T·D_v, with T the total sequence (past included).
 *       MultiHeadAttention gets Q, K and V already projected, so it counts only QKᵀ and attention × V.</li>
 * </ul>
 * Precision: MatMulInteger, MatMulIntegerToFloat, DynamicQuantizeMatMul, QLinearMatMul, QLinearConv,
 * ConvInteger and QGemm are {@code int8}, and so are QDQ units ONNX Runtime fuses into them: a MatMul or Gemm whose
 * first two inputs are DequantizeLinear outputs of 8-bit tensors, and such a Conv whose output only a
 * QuantizeLinear reads (without it ONNX Runtime convolves in float); MatMulNBits is {@code int}+bits ({@code int4} by default); QAttention
 * projects in {@code int8} and attends in float; other ops compute in the element type of their first input
 * ({@code float32}, {@code float16}, {@code bfloat16}, ...), {@code float32} when that type is unknown.
 */
final class MacCounter {
    /** Ops that only move, reshape or describe data: they cost no arithmetic. */
    private static final Set<String> DATA_MOVEMENT = Set.of("Shape", "Size", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze", "Transpose", "Concat", "Split", "Slice", "Gather", "GatherElements", "GatherND", "Identity",
            "Constant", "ConstantOfShape", "Expand", "Range", "Tile", "Pad", "Cast", "CastLike", "Dropout", "If",
            "Loop", "Scan", "NonZero", "ScatterND", "ScatterElements", "DepthToSpace", "SpaceToDepth");
    private static final String INT8 = "int8";

    private final Map<String, long[]> shapes;
    private final ValueTypes types;
    private final Set<NodeProto> qdqUnits;

    MacCounter(Map<String, long[]> shapes, ValueTypes types, Graph graph) {
        this.shapes = shapes;
        this.types = types;
        this.qdqUnits = qdqUnits(graph, types);
    }

    /** The Conv, MatMul and Gemm nodes of a graph (and its subgraphs) that ONNX Runtime runs as 8-bit QDQ units. */
    private static Set<NodeProto> qdqUnits(Graph main, ValueTypes types) {
        Set<NodeProto> units = new java.util.HashSet<>();
        for (Graph graph : main.withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                String op = node.getOpType();
                if (!node.getDomain().isEmpty() || !Set.of("Conv", "MatMul", "Gemm").contains(op)
                        || node.getInputCount() < 2 || node.getOutputCount() == 0) {
                    continue;
                }
                boolean inputs = dequantized8Bit(graph, node.getInput(0), types)
                        && dequantized8Bit(graph, node.getInput(1), types);
                boolean outputQuantized = !graph.consumers(node.getOutput(0)).isEmpty()
                        && graph.consumers(node.getOutput(0)).stream()
                                .allMatch(c -> c.getOpType().equals("QuantizeLinear"))
                        && graph.outputs().stream().noneMatch(o -> o.getName().equals(node.getOutput(0)));
                if (inputs && (outputQuantized || !op.equals("Conv"))) {
                    units.add(node);
                }
            }
        }
        return units;
    }

    private static boolean dequantized8Bit(Graph graph, String value, ValueTypes types) {
        return graph.producer(value).filter(p -> p.getOpType().equals("DequantizeLinear"))
                .flatMap(p -> types.of(p.getInput(0))).filter(t -> t == DataType.INT8 || t == DataType.UINT8).isPresent();
    }

    /**
     * MACs of a compute op by precision name, or null when the op is not a compute op (or its shapes are
     * unknown).
     */
    Map<String, Long> macs(NodeProto node) {
        long[] out = output(node);
        if (out == null) {
            return null;
        }
        String op = node.getOpType();
        long[] a = input(node, 0);
        switch (op) {
            case "MatMul", "FusedMatMul" -> {
                if (a == null) {
                    return null;
                }
                long k = op.equals("FusedMatMul") && NodeAttributes.getInt(node, "transA", 0) != 0 && a.length > 1
                        ? a[a.length - 2] : a[a.length - 1];
                return single(qdqUnits.contains(node) ? INT8 : floatPrecision(node), elements(out) * k);
            }
            case "MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "QLinearMatMul" -> {
                return a == null ? null : single(INT8, elements(out) * a[a.length - 1]);
            }
            case "MatMulNBits" -> {
                return single("int" + NodeAttributes.getInt(node, "bits", 4), elements(out) * NodeAttributes.getInt(node, "K", 0));
            }
            case "Gemm", "FusedGemm", "QGemm" -> {
                if (a == null) {
                    return null;
                }
                long k = NodeAttributes.getInt(node, "transA", 0) != 0 ? a[0] : a[1];
                return single(op.equals("QGemm") || qdqUnits.contains(node) ? INT8 : floatPrecision(node), elements(out) * k);
            }
            case "Conv", "FusedConv", "ConvInteger", "QLinearConv" -> {
                boolean integer = !op.endsWith("Conv") || op.equals("QLinearConv") || qdqUnits.contains(node);
                long[] w = input(node, op.equals("QLinearConv") ? 3 : 1);
                return w == null ? null : single(integer ? INT8 : floatPrecision(node), elements(out) * Shapes.product(w, 1, w.length));
            }
            case "ConvTranspose" -> {
                long[] w = input(node, 1);
                return a == null || w == null ? null : single(floatPrecision(node), elements(a) * Shapes.product(w, 1, w.length));
            }
            case "RNN", "GRU", "LSTM" -> {
                return recurrent(node, a);
            }
            case "Einsum" -> {
                return einsum(node);
            }
            case "Attention", "QAttention", "MultiHeadAttention" -> {
                return node.getDomain().equals("com.microsoft") ? attention(node, op, a, out) : null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * Element operations of a non-compute op: one per output element, or per input element for reductions
     * and pooling; 0 for data movement; -1 when shapes are unknown.
     */
    long elementwiseOps(NodeProto node) {
        if (DATA_MOVEMENT.contains(node.getOpType())) {
            return 0;
        }
        String op = node.getOpType();
        if (op.startsWith("Reduce") || op.startsWith("Global") || op.startsWith("Arg")) {
            long[] x = input(node, 0);
            return x == null ? -1 : elements(x);
        }
        if (op.endsWith("Pool")) {
            long[] out = output(node);
            long[] kernel = NodeAttributes.getInts(node, "kernel_shape").orElse(new long[0]);
            return out == null ? -1 : elements(out) * Shapes.product(kernel, 0, kernel.length);
        }
        long[] out = output(node);
        return out == null ? -1 : elements(out);
    }

    /** The precision name of an element type: {@code float32}, {@code float16}, {@code int8}, ... */
    static String precisionName(DataType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    private Map<String, Long> recurrent(NodeProto node, long[] x) {
        long[] w = input(node, 1);
        long[] r = input(node, 2);
        if (x == null || w == null || r == null) {
            return null;
        }
        boolean batchFirst = NodeAttributes.getInt(node, "layout", 0) != 0;
        long seq = batchFirst ? x[1] : x[0];
        long batch = batchFirst ? x[0] : x[1];
        // w [directions, gates·H, input], r [directions, gates·H, H]
        return single(floatPrecision(node), w[0] * seq * batch * w[1] * (w[2] + r[2]));
    }

    private Map<String, Long> einsum(NodeProto node) {
        if (node.getInputCount() < 2) {
            return null;
        }
        long[][] operands = new long[node.getInputCount()][];
        for (int i = 0; i < operands.length; i++) {
            operands[i] = input(node, i);
            if (operands[i] == null) {
                return null;
            }
        }
        String equation = NodeAttributes.getString(node, "equation").orElseThrow(
                () -> new IllegalArgumentException("Einsum node " + node.getName() + " has no equation"));
        return single(floatPrecision(node), EinsumEquation.parse(equation, operands).macs());
    }

    private Map<String, Long> attention(NodeProto node, String op, long[] query, long[] out) {
        if (query == null) {
            return null;
        }
        long batch = query[0];
        long seq = query[1];
        long valueHidden = out[out.length - 1];
        Map<String, Long> macs = new TreeMap<>();
        if (op.equals("MultiHeadAttention")) {
            long[] key = input(node, 1);
            long queryHidden = query.length == 5 ? query[2] * query[4] : query[2];
            long total = query.length == 5 ? seq : key == null ? -1 : key.length == 4 ? key[2] : key[1];
            long[] pastKey = input(node, 6);
            if (total < 0) {
                return null;
            }
            total += pastKey != null && query.length != 5 && key.length == 3 ? pastKey[2] : 0;
            macs.put(floatPrecision(node), batch * seq * total * (queryHidden + valueHidden));
            return macs;
        }
        long[] weights = input(node, 1);
        long[] past = input(node, op.equals("QAttention") ? 8 : 4);
        if (weights == null) {
            return null;
        }
        long[] sizes = NodeAttributes.getInts(node, "qkv_hidden_sizes").orElse(null);
        long queryHidden = sizes != null ? sizes[0] : weights[1] / 3;
        long total = seq + (past == null ? 0 : past[3]);
        long projection = batch * seq * weights[0] * weights[1];
        long attend = batch * seq * total * (queryHidden + valueHidden);
        if (op.equals("QAttention")) {
            macs.put(INT8, projection);
            macs.merge(types.of(node.getInput(3)).map(MacCounter::precisionName).orElse("float32"), attend, Long::sum);
        } else {
            macs.put(floatPrecision(node), projection + attend);
        }
        return macs;
    }

    /** The precision of a float op: the element type of its first input, or its second; float32 if unknown. */
    private String floatPrecision(NodeProto node) {
        for (int i = 0; i < Math.min(2, node.getInputCount()); i++) {
            DataType type = types.of(node.getInput(i)).orElse(null);
            if (type != null) {
                return precisionName(type);
            }
        }
        return "float32";
    }

    private static Map<String, Long> single(String precision, long macs) {
        return Map.of(precision, macs);
    }

    private long[] output(NodeProto node) {
        return node.getOutputCount() == 0 ? null : shapes.get(node.getOutput(0));
    }

    private long[] input(NodeProto node, int index) {
        return index < node.getInputCount() && !node.getInput(index).isEmpty() ? shapes.get(node.getInput(index)) : null;
    }

    private static long elements(long[] shape) {
        return Shapes.product(shape, 0, shape.length);
    }
}
