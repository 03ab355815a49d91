package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorData;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** Ops that reshape, slice, join, gather or reduce tensors. */
final class ArrayOps {
    private static final Map<String, String> REDUCTIONS = Map.of("Mean", "ReduceMean", "Sum", "ReduceSum",
            "Max", "ReduceMax", "Min", "ReduceMin", "Prod", "ReduceProd");

    private ArrayOps() {
    }

    /** Registers the converters of this family. */
    static void register(Map<String, OpConverter> table) {
        REDUCTIONS.forEach((tf, onnx) -> table.put(tf, node -> reduce(node, onnx)));
        table.put("Reshape", ArrayOps::reshape);
        table.put("Transpose", node -> node.output(node.emit(Node.op("Transpose").in(node.graph().plain(node.input(0)))
                .ints("perm", node.constantInts(1)))));
        table.put("ConcatV2", ArrayOps::concat);
        table.put("Pack", ArrayOps::pack);
        table.put("StridedSlice", ArrayOps::stridedSlice);
        table.put("Slice", ArrayOps::slice);
        table.put("Squeeze", node -> {
            long[] axes = node.ints("squeeze_dims");
            Node squeeze = Node.op("Squeeze").in(node.graph().plain(node.input(0)));
            if (axes.length > 0) {
                squeeze.in(node.graph().int64s(node.name() + "/axes", axes));
            }
            node.output(node.emit(squeeze));
        });
        table.put("ExpandDims", node -> node.output(node.emit(Node.op("Unsqueeze").in(node.graph().plain(node.input(0)),
                node.graph().int64s(node.name() + "/axes", node.constantInts(1))))));
        table.put("Pad", node -> pad(node, "constant"));
        table.put("PadV2", node -> pad(node, "constant"));
        table.put("MirrorPad", node -> {
            if (!node.string("mode", "").equals("REFLECT")) {
                throw node.unsupported("mode " + node.string("mode", "") + " (ONNX pads by reflection only)");
            }
            pad(node, "reflect");
        });
        table.put("Shape", node -> {
            String shape = node.emit(Node.op("Shape").in(node.graph().plain(node.input(0))));
            node.output(node.graph().cast(shape, DataType.INT64, node.outputType(0)));
        });
        table.put("GatherV2", node -> gather(node, node.constantInts(2)[0]));
        table.put("Gather", node -> gather(node, 0));
        table.put("Tile", node -> node.output(node.emit(Node.op("Tile").in(node.graph().plain(node.input(0)),
                int64(node, node.input(1))))));
        table.put("Fill", node -> {
            TensorData value = node.constant(1);
            node.output(node.emit(Node.op("Expand").in(node.graph().constant(node.name() + "/value", value),
                    int64(node, node.input(0)))));
        });
    }

    private static void reshape(NodeContext node) {
        ConversionGraph g = node.graph();
        TfValue shape = node.input(1);
        Node reshape = Node.op("Reshape").in(g.plain(node.input(0)), int64(node, shape));
        if (shape.isConstant() && Arrays.stream(shape.constant().get().toLongArray()).anyMatch(d -> d == 0)) {
            reshape.attr("allowzero", 1);
        }
        node.output(node.emit(reshape));
    }

    /** A shape or index vector as int64, the type ONNX wants. */
    static String int64(NodeContext node, TfValue value) {
        if (value.isConstant()) {
            return node.graph().int64s(value.onnxName() + "_int64", value.constant().get().toLongArray());
        }
        return node.graph().cast(value.onnxName(), value.type(), DataType.INT64);
    }

    private static void concat(NodeContext node) {
        int n = node.inputCount() - 1;
        int rank = node.outputRank(0);
        long axis = node.constantInts(n)[0];
        boolean allNchw = rank == 4;
        for (int i = 0; i < n; i++) {
            allNchw &= node.input(i).layout() == Layout.NCHW;
        }
        // ONNX takes negative axes as TensorFlow does; only the NCHW mapping needs the axis counted from 0.
        Node concat = Node.op("Concat").attr("axis", allNchw ? Layout.nchwAxis((int) (axis < 0 ? axis + 4 : axis)) : axis);
        for (int i = 0; i < n; i++) {
            concat.in(allNchw ? node.input(i).onnxName() : node.graph().plain(node.input(i)));
        }
        node.output(0, node.emit(concat), allNchw ? Layout.NCHW : Layout.AS_IN_TENSORFLOW);
    }

    /** Pack: each input unsqueezed at the axis, then concatenated (a negative axis counts from the output's end in both). */
    private static void pack(NodeContext node) {
        long axis = node.integer("axis", 0);
        ConversionGraph g = node.graph();
        String axes = g.int64s(node.name() + "/axis", axis);
        Node concat = Node.op("Concat").attr("axis", axis);
        for (int i = 0; i < node.inputCount(); i++) {
            concat.in(g.emit(node.name() + "/unsqueeze", Node.op("Unsqueeze").in(g.plain(node.input(i)), axes)));
        }
        node.output(node.emit(concat));
    }

    /**
     * StridedSlice with begin, end and strides constant: a Slice over the sliced axes, then a Squeeze of
     * the axes the shrink mask drops. Ellipsis and new-axis masks are not supported.
     */
    private static void stridedSlice(NodeContext node) {
        if (node.integer("ellipsis_mask", 0) != 0 || node.integer("new_axis_mask", 0) != 0) {
            throw node.unsupported("ellipsis_mask and new_axis_mask are not supported");
        }
        long[] begin = node.constantInts(1);
        long[] end = node.constantInts(2);
        long[] strides = node.constantInts(3);
        long beginMask = node.integer("begin_mask", 0);
        long endMask = node.integer("end_mask", 0);
        long shrinkMask = node.integer("shrink_axis_mask", 0);
        int n = begin.length;
        long[] starts = new long[n];
        long[] ends = new long[n];
        long[] axes = new long[n];
        long[] shrunk = new long[Long.bitCount(shrinkMask & ((1L << n) - 1))];
        int s = 0;
        for (int i = 0; i < n; i++) {
            boolean shrink = (shrinkMask >> i & 1) == 1;
            boolean forward = strides[i] > 0;
            starts[i] = (beginMask >> i & 1) == 1 && !shrink ? (forward ? 0 : Long.MAX_VALUE) : begin[i];
            if (shrink) {
                ends[i] = begin[i] == -1 ? Long.MAX_VALUE : begin[i] + 1;
                strides[i] = 1;
                shrunk[s++] = i;
            } else {
                ends[i] = (endMask >> i & 1) == 1 ? (forward ? Long.MAX_VALUE : Long.MIN_VALUE) : end[i];
            }
            axes[i] = i;
        }
        ConversionGraph g = node.graph();
        String sliced = g.emit(node.name() + "/slice", Node.op("Slice").in(g.plain(node.input(0)),
                g.int64s(node.name() + "/starts", starts), g.int64s(node.name() + "/ends", ends),
                g.int64s(node.name() + "/axes", axes), g.int64s(node.name() + "/steps", strides)));
        if (shrunk.length == 0) {
            node.output(sliced);
        } else {
            node.output(node.emit(Node.op("Squeeze").in(sliced, g.int64s(node.name() + "/shrink", shrunk))));
        }
    }

    private static void slice(NodeContext node) {
        long[] begin = node.constantInts(1);
        long[] size = node.constantInts(2);
        long[] ends = new long[begin.length];
        long[] axes = new long[begin.length];
        for (int i = 0; i < begin.length; i++) {
            ends[i] = size[i] < 0 ? Long.MAX_VALUE : begin[i] + size[i];
            axes[i] = i;
        }
        ConversionGraph g = node.graph();
        node.output(node.emit(Node.op("Slice").in(g.plain(node.input(0)), g.int64s(node.name() + "/starts", begin),
                g.int64s(node.name() + "/ends", ends), g.int64s(node.name() + "/axes", axes))));
    }

    private static void pad(NodeContext node, String mode) {
        long[] paddings = node.constantInts(1);
        int rank = paddings.length / 2;
        long[] pads = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
            pads[i] = paddings[2 * i];
            pads[rank + i] = paddings[2 * i + 1];
        }
        ConversionGraph g = node.graph();
        Node pad = Node.op("Pad").in(g.plain(node.input(0)), g.int64s(node.name() + "/pads", pads)).attr("mode", mode);
        if (node.op().equals("PadV2")) {
            pad.in(g.plain(node.input(2)));
        }
        node.output(node.emit(pad));
    }

    private static void gather(NodeContext node, long axis) {
        if (node.integer("batch_dims", 0) != 0) {
            throw node.unsupported("batch_dims " + node.integer("batch_dims", 0));
        }
        ConversionGraph g = node.graph();
        node.output(node.emit(Node.op("Gather").in(g.plain(node.input(0)), g.plain(node.input(1))).attr("axis", axis)));
    }

    /**
     * A reduction over constant axes. An NCHW value stays NCHW when the reduction keeps dimensions, and is
     * reduced in place when what remains has the same order in both layouts (channels reduced, or height
     * and width both reduced).
     */
    private static void reduce(NodeContext node, String onnxOp) {
        TfValue x = node.input(0);
        long[] axes = node.constantInts(1);
        boolean keep = node.bool("keep_dims");
        if (axes.length == 0) {
            // TensorFlow reduces nothing over no axes; ONNX would reduce over all of them.
            node.output(0, node.emit(Node.op("Identity").in(x.onnxName())), x.layout());
            return;
        }
        String input;
        Layout layout = Layout.AS_IN_TENSORFLOW;
        Set<Long> reduced = new java.util.HashSet<>();
        Arrays.stream(axes).forEach(a -> reduced.add(a < 0 ? a + 4 : a));
        boolean inPlace = x.layout() == Layout.NCHW
                && (keep || reduced.contains(3L) || reduced.contains(1L) && reduced.contains(2L));
        if (inPlace) {
            input = x.onnxName();
            axes = Arrays.stream(axes).map(a -> Layout.nchwAxis((int) (a < 0 ? a + 4 : a))).toArray();
            layout = keep ? Layout.NCHW : Layout.AS_IN_TENSORFLOW;
        } else {
            input = node.graph().plain(x);
        }
        Node reduce = Node.op(onnxOp).in(input).attr("keepdims", keep ? 1 : 0);
        if (onnxOp.equals("ReduceSum")) {
            reduce.in(node.graph().int64s(node.name() + "/axes", axes));
        } else {
            reduce.ints("axes", axes);
        }
        node.output(0, node.emit(reduce), layout);
    }
}
