package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MatMul, BatchMatMul and Einsum, all as ONNX MatMul where possible (the op quantizers and ONNX Runtime's
 * kernels know best). Transposed constant weights are transposed at conversion time, so a dense layer's
 * weight reaches ONNX as the [K, N] initializer quantization expects.
 */
final class MatMulOps {
    private MatMulOps() {
    }

    /** Registers the converters of this family. */
    static void register(Map<String, OpConverter> table) {
        table.put("MatMul", node -> matMul(node, node.bool("transpose_a"), node.bool("transpose_b")));
        for (String op : new String[] {"BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"}) {
            table.put(op, node -> matMul(node, node.bool("adj_x"), node.bool("adj_y")));
        }
        table.put("Einsum", MatMulOps::einsum);
    }

    private static void matMul(NodeContext node, boolean transposeA, boolean transposeB) {
        String a = lastTwoSwapped(node, node.input(0), transposeA, node.inputRank(0));
        String b = lastTwoSwapped(node, node.input(1), transposeB, node.inputRank(1));
        node.output(node.emit(Node.op("MatMul").in(a, b)));
    }

    /** The value, with its last two axes swapped when asked (constants swapped at conversion time). */
    private static String lastTwoSwapped(NodeContext node, TfValue value, boolean swap, int rank) {
        ConversionGraph g = node.graph();
        if (!swap) {
            return g.plain(value);
        }
        if (rank < 2) {
            throw node.unsupported("a transposed operand of unknown rank");
        }
        long[] perm = new long[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        if (value.isConstant()) {
            return g.constant(value.onnxName() + "_t", Tensors.transpose(value.constant().get(), perm));
        }
        return g.emit(value.onnxName() + "_t", Node.op("Transpose").in(g.plain(value)).ints("perm", perm));
    }

    /**
     * Einsum of two operands as MatMul when the equation is a (batched) matrix product: letters in both
     * operands and the output are batch axes, one letter in both operands only is contracted, the rest
     * belong to one operand. Operands and result are transposed into place as needed; several
     * free letters of a constant right operand are flattened into one. Other equations stay ONNX Einsum.
     */
    private static void einsum(NodeContext node) {
        String equation = node.string("equation", "").replace(" ", "");
        ConversionGraph g = node.graph();
        if (node.inputCount() == 2 && !equation.contains(".") && equation.contains("->")) {
            String[] sides = equation.split("->", -1);
            String[] terms = sides[0].split(",", -1);
            if (terms.length == 2 && asMatMul(node, terms[0], terms[1], sides[1])) {
                return;
            }
        }
        Node einsum = Node.op("Einsum").attr("equation", equation);
        for (int i = 0; i < node.inputCount(); i++) {
            einsum.in(g.plain(node.input(i)));
        }
        node.output(node.emit(einsum));
    }

    private static boolean asMatMul(NodeContext node, String a, String b, String out) {
        if (!distinct(a) || !distinct(b) || !distinct(out)) {
            return false;
        }
        StringBuilder batch = new StringBuilder();
        StringBuilder contracted = new StringBuilder();
        StringBuilder left = new StringBuilder();
        StringBuilder right = new StringBuilder();
        for (char c : out.toCharArray()) {
            if (a.indexOf(c) >= 0 && b.indexOf(c) >= 0) {
                batch.append(c);
            } else if (a.indexOf(c) >= 0) {
                left.append(c);
            } else if (b.indexOf(c) >= 0) {
                right.append(c);
            } else {
                return false;
            }
        }
        for (char c : a.toCharArray()) {
            if (b.indexOf(c) >= 0 && out.indexOf(c) < 0) {
                contracted.append(c);
            } else if (out.indexOf(c) < 0) {
                return false;
            }
        }
        for (char c : b.toCharArray()) {
            if (a.indexOf(c) < 0 && out.indexOf(c) < 0) {
                return false;
            }
        }
        TfValue rightValue = node.input(1);
        boolean flattenRight = right.length() > 1 && rightValue.isConstant() && batch.length() == 0;
        if (contracted.length() != 1 || left.length() == 0 || right.length() == 0) {
            return false;
        }
        if (batch.length() == 0 ? right.length() > 1 && !flattenRight : left.length() > 1 || right.length() > 1) {
            return false;
        }
        ConversionGraph g = node.graph();
        String aOrder = batch + left.toString() + contracted;
        String bOrder = batch + contracted.toString() + right;
        String aName = permuted(node, node.input(0), a, aOrder);
        String bName;
        if (flattenRight) {
            TensorData weight = Tensors.transpose(rightValue.constant().get(), perm(b, bOrder));
            long[] shape = weight.shape();
            long columns = TensorData.elementCount(shape) / shape[0];
            bName = g.constant(rightValue.onnxName() + "_matrix", Tensors.reshape(weight, shape[0], columns));
        } else {
            bName = permuted(node, rightValue, b, bOrder);
        }
        String product = g.emit(node.name() + "/matmul", Node.op("MatMul").in(aName, bName));
        String resultOrder = batch + left.toString() + right;
        if (flattenRight) {
            long[] rightShape = node.input(1).constant().get().shape();
            List<Long> dims = new ArrayList<>();
            for (int i = 0; i < left.length(); i++) {
                dims.add(0L);
            }
            for (char c : right.toString().toCharArray()) {
                dims.add(rightShape[b.indexOf(c)]);
            }
            product = g.emit(node.name() + "/unflatten", Node.op("Reshape").in(product,
                    g.int64s(node.name() + "/unflatten_shape", dims.stream().mapToLong(Long::longValue).toArray())));
        }
        if (!resultOrder.equals(out)) {
            product = g.emit(node.name() + "/output", Node.op("Transpose").in(product).ints("perm", perm(resultOrder, out)));
        }
        node.output(product);
        return true;
    }

    private static String permuted(NodeContext node, TfValue value, String from, String to) {
        ConversionGraph g = node.graph();
        if (from.equals(to)) {
            return g.plain(value);
        }
        long[] perm = perm(from, to);
        if (value.isConstant()) {
            return g.constant(value.onnxName() + "_" + to, Tensors.transpose(value.constant().get(), perm));
        }
        return g.emit(value.onnxName() + "_" + to, Node.op("Transpose").in(g.plain(value)).ints("perm", perm));
    }

    /** The perm taking axes labelled {@code from} to the order {@code to}. */
    private static long[] perm(String from, String to) {
        long[] perm = new long[to.length()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = from.indexOf(to.charAt(i));
        }
        return perm;
    }

    private static boolean distinct(String letters) {
        return letters.chars().distinct().count() == letters.length();
    }
}
