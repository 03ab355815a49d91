package dev.lathe.core.footprint;

import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Map;
import java.util.Set;

/**
 * Multiply-accumulates of compute ops, and element operations of the rest, from resolved shapes. A MAC
 * is one multiply plus one add of a dot product: a [M,K]×[K,N] product is M·K·N MACs.
 */
final class MacCounter {
    /** Ops that only move, reshape or describe data: they cost no arithmetic. */
    private static final Set<String> DATA_MOVEMENT = Set.of("Shape", "Size", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze", "Transpose", "Concat", "Split", "Slice", "Gather", "GatherElements", "GatherND", "Identity",
            "Constant", "ConstantOfShape", "Expand", "Range", "Tile", "Pad", "Cast", "CastLike", "Dropout", "If",
            "Loop", "Scan", "NonZero", "ScatterND", "ScatterElements", "DepthToSpace", "SpaceToDepth");

    private final Map<String, long[]> shapes;

    MacCounter(Map<String, long[]> shapes) {
        this.shapes = shapes;
    }

    /** MACs of a compute op, or -1 when the op is not a compute op (or its shapes are unknown). */
    long macs(NodeProto node) {
        long[] out = output(node);
        if (out == null) {
            return -1;
        }
        String op = node.getOpType();
        switch (op) {
            case "MatMul", "MatMulInteger", "MatMulIntegerToFloat", "DynamicQuantizeMatMul", "FusedMatMul" -> {
                long[] a = input(node, 0);
                if (a == null) {
                    return -1;
                }
                long k = op.equals("FusedMatMul") && NodeAttributes.getInt(node, "transA", 0) != 0 && a.length > 1
                        ? a[a.length - 2] : a[a.length - 1];
                return elements(out) * k;
            }
            case "QLinearMatMul" -> {
                long[] a = input(node, 0);
                return a == null ? -1 : elements(out) * a[a.length - 1];
            }
            case "MatMulNBits" -> {
                return elements(out) * NodeAttributes.getInt(node, "K", 0);
            }
            case "Gemm", "QGemm" -> {
                long[] a = input(node, 0);
                if (a == null) {
                    return -1;
                }
                long k = NodeAttributes.getInt(node, "transA", 0) != 0 ? a[0] : a[1];
                return elements(out) * k;
            }
            case "Conv", "ConvInteger", "QLinearConv", "FusedConv" -> {
                long[] w = input(node, op.equals("QLinearConv") ? 3 : 1);
                if (w == null) {
                    return -1;
                }
                return elements(out) * Shapes.product(w, 1, w.length);
            }
            case "ConvTranspose" -> {
                long[] x = input(node, 0);
                long[] w = input(node, 1);
                if (x == null || w == null) {
                    return -1;
                }
                return elements(x) * Shapes.product(w, 1, w.length);
            }
            default -> {
                return -1;
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

    private long[] output(NodeProto node) {
        return node.getOutputCount() == 0 ? null : shapes.get(node.getOutput(0));
    }

    private long[] input(NodeProto node, int index) {
        return index < node.getInputCount() ? shapes.get(node.getInput(index)) : null;
    }

    private static long elements(long[] shape) {
        return Shapes.product(shape, 0, shape.length);
    }
}
