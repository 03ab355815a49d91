package dev.lathe.core.footprint;

import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Arrays;

/** Shape arithmetic of ONNX operators: broadcasting, matrix products, convolutions, reshapes. */
final class Shapes {
    private Shapes() {
    }

    /** Numpy-style multidirectional broadcast. */
    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(a) + " with " + Arrays.toString(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Numpy matmul: 1-D operands are promoted and the promoted axis removed again. */
    static long[] matmul(long[] a, long[] b) {
        long[] left = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] right = b.length == 1 ? new long[] {b[0], 1} : b;
        if (left[left.length - 1] != right[right.length - 2]) {
            throw new IllegalArgumentException("cannot multiply " + Arrays.toString(a) + " by " + Arrays.toString(b));
        }
        long[] batch = broadcast(Arrays.copyOf(left, left.length - 2), Arrays.copyOf(right, right.length - 2));
        long[] out = concat(batch, new long[] {left[left.length - 2], right[right.length - 1]});
        if (a.length == 1) {
            out = removeAxis(out, out.length - 2);
        }
        if (b.length == 1) {
            out = removeAxis(out, out.length - 1);
        }
        return out;
    }

    static long[] swapLastTwo(long[] shape) {
        long[] out = shape.clone();
        out[out.length - 1] = shape[shape.length - 2];
        out[out.length - 2] = shape[shape.length - 1];
        return out;
    }

    /**
     * Gemm (and its fused and quantized forms): [M, K] · [K, N] after the transA / transB attributes. Inputs
     * of another rank are left for the MAC count to report as an invalid model, naming the node.
     */
    static long[] gemm(NodeProto node, long[] a, long[] b) {
        boolean transA = NodeAttributes.getInt(node, "transA", 0) != 0;
        boolean transB = NodeAttributes.getInt(node, "transB", 0) != 0;
        if (a.length == 2 && b.length == 2 && (transA ? a[0] : a[1]) != (transB ? b[1] : b[0])) {
            throw new IllegalArgumentException("Gemm of " + Arrays.toString(a) + " and " + Arrays.toString(b));
        }
        return new long[] {transA ? a[1] : a[0], transB ? b[0] : b[1]};
    }

    /** Output shape of a convolution of {@code x} with weights {@code w} (input channels checked against them). */
    static long[] convolution(NodeProto node, long[] x, long[] w) {
        if (x[1] != w[1] * NodeAttributes.getInt(node, "group", 1)) {
            throw new IllegalArgumentException("convolution of " + x[1] + " channels with weights " + Arrays.toString(w));
        }
        return convolution(node, x, w[0], Arrays.copyOfRange(w, 2, w.length), false);
    }

    /** Output shape of Conv-like ops (also pooling, with {@code ceilMode}). */
    static long[] convolution(NodeProto node, long[] x, long outChannels, long[] kernel, boolean ceilMode) {
        int spatial = x.length - 2;
        long[] strides = NodeAttributes.getInts(node, "strides").orElse(filled(spatial, 1));
        long[] dilations = NodeAttributes.getInts(node, "dilations").orElse(filled(spatial, 1));
        long[] pads = NodeAttributes.getInts(node, "pads").orElse(filled(2 * spatial, 0));
        String autoPad = NodeAttributes.getString(node, "auto_pad").orElse("NOTSET");
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = outChannels;
        for (int i = 0; i < spatial; i++) {
            long in = x[i + 2];
            long effectiveKernel = dilations[i] * (kernel[i] - 1) + 1;
            out[i + 2] = switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> (in + strides[i] - 1) / strides[i];
                case "VALID" -> (in - effectiveKernel) / strides[i] + 1;
                default -> {
                    long span = in + pads[i] + pads[i + spatial] - effectiveKernel;
                    yield (ceilMode ? (span + strides[i] - 1) / strides[i] : Math.floorDiv(span, strides[i])) + 1;
                }
            };
            if (out[i + 2] < 1) {
                throw new IllegalArgumentException("a window of " + effectiveKernel + " does not fit a side of " + in);
            }
        }
        return out;
    }

    /** Output shape of ConvTranspose. */
    static long[] convTranspose(NodeProto node, long[] x, long[] w) {
        int spatial = x.length - 2;
        long group = NodeAttributes.getInt(node, "group", 1);
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[1] * group;
        long[] outputShape = NodeAttributes.getInts(node, "output_shape").orElse(null);
        long[] strides = NodeAttributes.getInts(node, "strides").orElse(filled(spatial, 1));
        long[] dilations = NodeAttributes.getInts(node, "dilations").orElse(filled(spatial, 1));
        long[] pads = NodeAttributes.getInts(node, "pads").orElse(filled(2 * spatial, 0));
        long[] outputPadding = NodeAttributes.getInts(node, "output_padding").orElse(filled(spatial, 0));
        for (int i = 0; i < spatial; i++) {
            out[i + 2] = outputShape != null ? outputShape[outputShape.length - spatial + i]
                    : strides[i] * (x[i + 2] - 1) + outputPadding[i] + (w[i + 2] - 1) * dilations[i] + 1 - pads[i] - pads[i + spatial];
        }
        return out;
    }

    /** Reshape target resolution: 0 copies the input dimension (unless allowzero), -1 is inferred. */
    static long[] reshape(long[] x, long[] target, boolean allowZero) {
        long[] out = target.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                out[i] = x[i];
            }
            if (out[i] == -1) {
                inferred = i;
            } else {
                known *= out[i];
            }
        }
        long elements = product(x, 0, x.length);
        if (inferred >= 0) {
            if (known != 0 && elements % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x) + " to " + Arrays.toString(target));
            }
            out[inferred] = known == 0 ? 0 : elements / known;
        } else if (known != elements) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x) + " to " + Arrays.toString(target));
        }
        return out;
    }

    static long[] unsqueeze(long[] x, long[] axes) {
        int rank = x.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long axis : axes) {
            inserted[(int) normalizeAxis(axis, rank, false)] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : x[j++];
        }
        return out;
    }

    static long[] squeeze(long[] x, long[] axes) {
        boolean[] removed = new boolean[x.length];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < x.length; i++) {
                removed[i] = x[i] == 1;
            }
        } else {
            for (long axis : axes) {
                removed[(int) normalizeAxis(axis, x.length, false)] = true;
            }
        }
        return keep(x, removed);
    }

    static long[] reduce(long[] x, long[] axes, boolean keepDims) {
        boolean[] reduced = new boolean[x.length];
        if (axes == null || axes.length == 0) {
            Arrays.fill(reduced, true);
        } else {
            for (long axis : axes) {
                reduced[(int) normalizeAxis(axis, x.length, false)] = true;
            }
        }
        if (keepDims) {
            long[] out = x.clone();
            for (int i = 0; i < x.length; i++) {
                if (reduced[i]) {
                    out[i] = 1;
                }
            }
            return out;
        }
        return keep(x, reduced);
    }

    private static long[] keep(long[] x, boolean[] removed) {
        return java.util.stream.IntStream.range(0, x.length).filter(i -> !removed[i]).mapToLong(i -> x[i]).toArray();
    }

    /** A negative axis counts from the end; {@code clamp} clamps to [0, rank] (for Shape's start/end). */
    static long normalizeAxis(long axis, int rank, boolean clamp) {
        long normalized = axis < 0 ? axis + rank : axis;
        if (clamp) {
            return Math.max(0, Math.min(rank, normalized));
        }
        if (normalized < 0 || normalized >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return normalized;
    }

    /** Slice index normalization per the ONNX Slice specification. */
    static long clampSliceIndex(long index, long dim, long step) {
        long i = index < 0 ? index + dim : index;
        return step > 0 ? Math.max(0, Math.min(dim, i)) : Math.max(-1, Math.min(dim - 1, i));
    }

    static long product(long[] x, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= x[i];
        }
        return p;
    }

    static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] part : parts) {
            n += part.length;
        }
        long[] out = new long[n];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static long[] removeAxis(long[] x, int axis) {
        return concat(Arrays.copyOfRange(x, 0, axis), Arrays.copyOfRange(x, axis + 1, x.length));
    }

    private static long[] filled(int n, long value) {
        long[] out = new long[n];
        Arrays.fill(out, value);
        return out;
    }
}
