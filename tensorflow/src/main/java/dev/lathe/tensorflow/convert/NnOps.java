package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorData;
import java.util.Map;

/**
 * Convolutions, batch normalization, pooling and softmax. NHWC inputs are held as NCHW from one of these
 * ops to the next ({@link Layout}); NCHW graphs ({@code data_format=NCHW}) need no transposes at all.
 */
final class NnOps {
    private NnOps() {
    }

    /** Registers the converters of this family. */
    static void register(Map<String, OpConverter> table) {
        table.put("Conv2D", NnOps::conv2d);
        table.put("DepthwiseConv2dNative", NnOps::depthwise);
        table.put("Conv2DBackpropInput", NnOps::convTranspose);
        table.put("FusedBatchNorm", NnOps::batchNorm);
        table.put("FusedBatchNormV2", NnOps::batchNorm);
        table.put("FusedBatchNormV3", NnOps::batchNorm);
        table.put("MaxPool", node -> pool(node, "MaxPool", node.ints("ksize"), node.ints("strides")));
        table.put("MaxPoolV2", node -> pool(node, "MaxPool", node.constantInts(1), node.constantInts(2)));
        table.put("AvgPool", node -> pool(node, "AveragePool", node.ints("ksize"), node.ints("strides")));
        table.put("Softmax", node -> node.output(node.emit(Node.op("Softmax").in(node.graph().plain(node.input(0)))
                .attr("axis", -1))));
        table.put("LogSoftmax", node -> node.output(node.emit(Node.op("LogSoftmax").in(node.graph().plain(node.input(0)))
                .attr("axis", -1))));
    }

    /** The image input as NCHW, and the layout the op's output is held in. */
    private record Image(String nchw, Layout outputLayout, boolean channelsFirst) {
    }

    private static Image image(NodeContext node) {
        boolean channelsFirst = node.string("data_format", "NHWC").equals("NCHW");
        if (channelsFirst) {
            return new Image(node.graph().plain(node.input(0)), Layout.AS_IN_TENSORFLOW, true);
        }
        if (node.inputRank(0) != 4) {
            throw node.unsupported("expects a rank-4 NHWC input, got rank " + node.inputRank(0));
        }
        return new Image(node.graph().nchw(node.input(0)), Layout.NCHW, false);
    }

    /** The two spatial entries of a 4-entry attribute in the op's data format. */
    private static long[] spatial(long[] values, boolean channelsFirst, long fallback) {
        if (values.length == 0) {
            return new long[] {fallback, fallback};
        }
        return channelsFirst ? new long[] {values[2], values[3]} : new long[] {values[1], values[2]};
    }

    private static Node padding(NodeContext node, Node op, boolean channelsFirst) {
        String padding = node.string("padding", "VALID");
        switch (padding) {
            case "VALID" -> op.ints("pads", 0, 0, 0, 0);
            case "SAME" -> op.attr("auto_pad", "SAME_UPPER");
            case "EXPLICIT" -> {
                long[] explicit = node.ints("explicit_paddings");
                if (explicit.length != 8) {
                    throw node.unsupported("explicit_paddings needs 8 values (2 per dimension), it has " + explicit.length);
                }
                int h = channelsFirst ? 2 : 1;
                op.ints("pads", explicit[2 * h], explicit[2 * h + 2], explicit[2 * h + 1], explicit[2 * h + 3]);
            }
            default -> throw node.unsupported("padding '" + padding + "'");
        }
        return op;
    }

    private static void conv2d(NodeContext node) {
        Image image = image(node);
        TensorData filter = node.constant(1);
        long[] shape = filter.shape();
        // A filter with fewer input channels than the image is a grouped convolution.
        long[] input = node.inputShape(0);
        long channels = input.length == 4 ? input[image.channelsFirst() ? 1 : 3] : -1;
        long groups = channels > 0 ? channels / shape[2] : 1;
        if (channels > 0 && channels % shape[2] != 0) {
            throw node.unsupported(channels + " input channels for a filter of " + shape[2]);
        }
        String weight = node.graph().constant(node.name() + "/weight", Tensors.transpose(filter, new long[] {3, 2, 0, 1}));
        Node conv = Node.op("Conv").in(image.nchw(), weight).ints("kernel_shape", shape[0], shape[1]).attr("group", groups)
                .ints("strides", spatial(node.ints("strides"), image.channelsFirst(), 1))
                .ints("dilations", spatial(node.ints("dilations"), image.channelsFirst(), 1));
        node.output(0, node.emit(padding(node, conv, image.channelsFirst())), image.outputLayout());
    }

    private static void depthwise(NodeContext node) {
        Image image = image(node);
        TensorData filter = node.constant(1);
        long[] shape = filter.shape();
        TensorData weight = Tensors.reshape(Tensors.transpose(filter, new long[] {2, 3, 0, 1}),
                shape[2] * shape[3], 1, shape[0], shape[1]);
        Node conv = Node.op("Conv").in(image.nchw(), node.graph().constant(node.name() + "/weight", weight))
                .ints("kernel_shape", shape[0], shape[1]).attr("group", shape[2])
                .ints("strides", spatial(node.ints("strides"), image.channelsFirst(), 1))
                .ints("dilations", spatial(node.ints("dilations"), image.channelsFirst(), 1));
        node.output(0, node.emit(padding(node, conv, image.channelsFirst())), image.outputLayout());
    }

    /**
     * Conv2DBackpropInput (a transposed convolution): inputs are the output size, the filter
     * [kh, kw, out, in] and the input. Pads and output padding are computed from the output size, as
     * TensorFlow's SAME and VALID define them.
     */
    private static void convTranspose(NodeContext node) {
        boolean channelsFirst = node.string("data_format", "NHWC").equals("NCHW");
        TfValue x = node.input(2);
        String input = channelsFirst ? node.graph().plain(x) : node.graph().nchw(x);
        TensorData filter = node.constant(1);
        long[] k = filter.shape();
        long[] size = node.input(0).isConstant() && node.constantInts(0).length == 4 ? node.constantInts(0)
                : node.outputShape(0);
        if (size.length != 4) {
            throw node.unsupported("the output's height and width must be known at conversion time");
        }
        long[] out = spatial(size, channelsFirst, -1);
        long[] strides = spatial(node.ints("strides"), channelsFirst, 1);
        long[] dilations = spatial(node.ints("dilations"), channelsFirst, 1);
        if (out[0] < 0 || out[1] < 0) {
            throw node.unsupported("the output's height and width must be known at conversion time");
        }
        boolean same = node.string("padding", "VALID").equals("SAME");
        if (!same && !node.string("padding", "VALID").equals("VALID")) {
            throw node.unsupported("padding '" + node.string("padding", "") + "'");
        }
        long[] before = new long[2];
        long[] after = new long[2];
        long[] outputPadding = new long[2];
        for (int i = 0; i < 2; i++) {
            long kernel = (k[i] - 1) * dilations[i] + 1;
            long in = same ? (out[i] + strides[i] - 1) / strides[i] : (out[i] - kernel) / strides[i] + 1;
            long total = same ? Math.max((in - 1) * strides[i] + kernel - out[i], 0) : 0;
            before[i] = total / 2;
            after[i] = total - before[i];
            outputPadding[i] = out[i] - ((in - 1) * strides[i] + kernel - total);
        }
        String weight = node.graph().constant(node.name() + "/weight", Tensors.transpose(filter, new long[] {3, 2, 0, 1}));
        Node conv = Node.op("ConvTranspose").in(input, weight).ints("kernel_shape", k[0], k[1]).ints("strides", strides)
                .ints("dilations", dilations).ints("pads", before[0], before[1], after[0], after[1])
                .ints("output_padding", outputPadding);
        node.output(0, node.emit(conv), channelsFirst ? Layout.AS_IN_TENSORFLOW : Layout.NCHW);
    }

    private static void batchNorm(NodeContext node) {
        if (node.bool("is_training")) {
            throw node.unsupported("is_training=true (a training graph); export the model for inference");
        }
        Image image = image(node);
        ConversionGraph g = node.graph();
        Node bn = Node.op("BatchNormalization").in(image.nchw(), g.plain(node.input(1)), g.plain(node.input(2)),
                g.plain(node.input(3)), g.plain(node.input(4))).attr("epsilon", node.real("epsilon", 1e-4f));
        node.output(0, node.emit(bn), image.outputLayout());
    }

    private static void pool(NodeContext node, String onnxOp, long[] ksize, long[] strides) {
        Image image = image(node);
        long[] kernel = spatial(ksize, image.channelsFirst(), 1);
        long[] step = spatial(strides, image.channelsFirst(), 1);
        long batchAndChannels = image.channelsFirst() ? ksize[0] * ksize[1] : ksize[0] * ksize[3];
        if (batchAndChannels != 1) {
            throw node.unsupported("pooling across the batch or channels (ksize " + java.util.Arrays.toString(ksize) + ")");
        }
        Node pool = Node.op(onnxOp).in(image.nchw()).ints("kernel_shape", kernel).ints("strides", step);
        node.output(0, node.emit(padding(node, pool, image.channelsFirst())), image.outputLayout());
    }
}
