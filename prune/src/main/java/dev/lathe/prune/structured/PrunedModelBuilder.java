package dev.lathe.prune.structured;

import dev.lathe.core.LatheException;
import dev.lathe.core.calibration.ChannelStatistics;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.prune.structured.ChannelGroups.Consumer;
import dev.lathe.prune.structured.ChannelGroups.Derivation;
import dev.lathe.prune.structured.ChannelGroups.Group;
import dev.lathe.prune.structured.ChannelGroups.Operand;
import dev.lathe.prune.structured.ChannelGroups.Producer;
import dev.lathe.prune.structured.ChannelGroups.Segment;
import dev.lathe.prune.structured.ChannelGroups.ShapeConstant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the pruned model for a choice of units to keep in some channel groups: derives the kept channels
 * of the concatenations they feed, slices every weight, bias, per-channel constant and shape constant tied
 * to them, and corrects the consumers whose inputs shrank (see {@link StructuredPruning} for the
 * corrections).
 */
final class PrunedModelBuilder {
    private final MainGraphConstants constants;
    private final ChannelGroups analysis;
    private final Map<String, ChannelStatistics> statistics;
    private final boolean refit;
    private final double ridge;

    /**
     * A pruned model and how its consumers were corrected.
     *
     * @param model       the pruned model
     * @param corrections consumers per kind of correction (least_squares, bias_compensation, none)
     */
    record Result(OnnxModel model, Map<String, Integer> corrections) {
    }

    /** How a consumer whose inputs shrank is corrected. */
    enum Correction {
        LEAST_SQUARES, BIAS_COMPENSATION, NONE;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A builder for one model.
     *
     * @param statistics calibration statistics of the values consumers read (Gram matrices for
     *                   least-squares re-fits); empty without calibration
     * @param refit      whether consumers are corrected
     * @param ridge      the relative ridge of the least-squares re-fit
     */
    PrunedModelBuilder(MainGraphConstants constants, ChannelGroups analysis, Map<String, ChannelStatistics> statistics, boolean refit,
            double ridge) {
        this.constants = constants;
        this.analysis = analysis;
        this.statistics = statistics;
        this.refit = refit;
        this.ridge = ridge;
    }

    /** The model with only {@code kept} units left in each group of the map (groups not in it stay whole). */
    Result build(Map<Group, int[]> kept) throws LatheException {
        Map<Group, int[]> all = new IdentityHashMap<>(kept);
        for (Group group : analysis.groups()) {
            if (group.concat().isPresent()) {
                all.put(group, concatenated(group, all));
            }
        }
        GraphSurgery surgery = new GraphSurgery(constants);
        Set<String> changedValues = new HashSet<>();
        Map<String, Integer> corrections = new TreeMap<>();
        for (Group group : analysis.groups()) {
            int[] keep = all.get(group);
            if (keep == null || keep.length == group.channels()) {
                continue;
            }
            shrink(group, keep, surgery, changedValues);
            for (Consumer consumer : group.consumers()) {
                Correction correction = refit ? correct(consumer, keep, surgery) : Correction.NONE;
                corrections.merge(correction.key(), 1, Integer::sum);
            }
        }
        return new Result(surgery.apply(changedValues), corrections);
    }

    /** The kept channels of a concatenation's group: each input's kept channels, shifted by its offset. */
    private static int[] concatenated(Group group, Map<Group, int[]> kept) {
        List<Integer> channels = new ArrayList<>();
        for (Segment segment : group.segments()) {
            int[] inputKept = kept.get(segment.group());
            int size = segment.group().channels();
            for (int j = 0; j < (inputKept == null ? size : inputKept.length); j++) {
                channels.add(segment.offset() + (inputKept == null ? j : inputKept[j]));
            }
        }
        return channels.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Registers every slice a group's shrinking needs. */
    private static void shrink(Group group, int[] keep, GraphSurgery surgery, Set<String> changedValues) {
        changedValues.addAll(group.values());
        for (Producer producer : group.producers()) {
            surgery.keep(producer.node(), 1, producer.weightAxis(), keep);
            if (producer.biasInput() >= 0) {
                surgery.keep(producer.node(), producer.biasInput(), 0, keep);
            } else if (!producer.node().getOpType().equals("MatMul")) {
                // A Conv, ConvTranspose or Gemm without bias: if a correction creates one, it shrinks too.
                surgery.keep(producer.node(), 2, 0, keep);
            }
        }
        for (Consumer consumer : group.consumers()) {
            surgery.keep(consumer.node(), 1, consumer.weightAxis(), keep);
        }
        for (NodeProto depthwise : group.depthwise()) {
            surgery.keep(depthwise, 1, 0, keep);
            if (depthwise.getInputCount() > 2 && !depthwise.getInput(2).isEmpty()) {
                surgery.keep(depthwise, 2, 0, keep);
            }
            surgery.setIntAttribute(depthwise, "group", keep.length);
        }
        for (Operand operand : group.operands()) {
            int position = ChannelGroups.operandAxis(group, operand);
            if (position < 0 || operand.shape()[position] == 1 && !operand.positional()) {
                continue;
            }
            Derivation derivation = operand.derivation();
            if (derivation == null) {
                surgery.keep(operand.node(), operand.input(), position, keep);
                continue;
            }
            changedValues.add(derivation.node().getOutput(0));
            surgery.keep(derivation.node(), 0, ChannelGroups.dataAxis(derivation, group.channels()), keep);
            if (derivation.shapeInput() >= 0 && derivation.target()[position] == group.channels()) {
                surgery.replace(derivation.node(), derivation.shapeInput(),
                        withEntry(derivation.target(), position, keep.length));
            }
        }
        for (ShapeConstant constant : group.shapeConstants()) {
            long[] values = constant.values();
            switch (constant.kind()) {
                case RESHAPE_LAST -> surgery.replace(constant.node(), constant.input(),
                        withEntry(values, values.length - 1, keep.length));
                case RESIZE_SIZES -> surgery.replace(constant.node(), constant.input(),
                        withEntry(values, values.length + group.axis(), keep.length));
                case RESIZE_SCALES -> {
                    // Scales of 1 on the channel axis hold for any channel count.
                }
                default -> throw new IllegalStateException("unknown shape constant kind " + constant.kind());
            }
        }
    }

    private static TensorData withEntry(long[] values, int index, long value) {
        long[] edited = values.clone();
        edited[index] = value;
        return TensorData.ofLongs(new long[] {edited.length}, edited);
    }

    /** How a consumer node can be corrected once its inputs shrink. */
    static Correction correction(NodeProto node) {
        switch (node.getOpType()) {
            case "MatMul", "Gemm" -> {
                return Correction.LEAST_SQUARES;
            }
            case "Conv" -> {
                boolean pointwise = NodeAttributes.find(node, "kernel_shape")
                        .map(a -> a.getIntsList().stream().allMatch(k -> k == 1)).orElse(false);
                boolean unitStrides = NodeAttributes.find(node, "strides")
                        .map(a -> a.getIntsList().stream().allMatch(s -> s == 1)).orElse(true);
                boolean unpadded = NodeAttributes.find(node, "pads")
                        .map(a -> a.getIntsList().stream().allMatch(p -> p == 0)).orElse(true)
                        && NodeAttributes.find(node, "auto_pad").map(a -> a.getS().toStringUtf8())
                                .map(p -> p.equals("NOTSET") || p.equals("VALID")).orElse(true);
                return pointwise && unitStrides && unpadded ? Correction.LEAST_SQUARES : Correction.BIAS_COMPENSATION;
            }
            default -> {
                return Correction.NONE;
            }
        }
    }

    /** Corrects a consumer whose input channels shrank to {@code keep}; returns what was done. */
    private Correction correct(Consumer consumer, int[] keep, GraphSurgery surgery) throws LatheException {
        ChannelStatistics values = statistics.get(consumer.input());
        if (values == null) {
            return Correction.NONE;
        }
        return switch (correction(consumer.node())) {
            case LEAST_SQUARES -> values.gram() != null && leastSquares(consumer, keep, surgery, values)
                    ? Correction.LEAST_SQUARES : Correction.NONE;
            case BIAS_COMPENSATION -> compensateBias(consumer, keep, surgery, values)
                    ? Correction.BIAS_COMPENSATION : Correction.NONE;
            default -> Correction.NONE;
        };
    }

    private boolean leastSquares(Consumer consumer, int[] keep, GraphSurgery surgery, ChannelStatistics values) throws LatheException {
        NodeProto node = consumer.node();
        TensorData stored = constants.data(node, 1);
        long[] shape = stored.shape();
        float[] weightValues = stored.toFloatArray();
        boolean transposed = consumer.weightAxis() != 0;
        int in = (int) shape[consumer.weightAxis()];
        int out = weightValues.length / in;
        double[][] weights = new double[in][out];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                weights[i][o] = transposed ? weightValues[o * in + i] : weightValues[i * out + o];
            }
        }
        Optional<BiasSlot> bias = biasSlot(node, out);
        Optional<LeastSquaresRefit.Solution> solution = LeastSquaresRefit.solve(values.gram(), values.sums(), values.rows(),
                weights, keep, bias.isPresent(), ridge);
        if (solution.isEmpty()) {
            return false;
        }
        double[][] refitted = solution.get().weights();
        float[] replaced = new float[keep.length * out];
        for (int i = 0; i < keep.length; i++) {
            for (int o = 0; o < out; o++) {
                replaced[transposed ? o * keep.length + i : i * out + o] = (float) refitted[i][o];
            }
        }
        long[] replacedShape = shape.clone();
        replacedShape[consumer.weightAxis()] = keep.length;
        surgery.replace(node, 1, TensorData.ofFloats(replacedShape, replaced));
        surgery.forgetKeep(node, 1, consumer.weightAxis());
        bias.ifPresent(slot -> surgery.addDelta(slot.node(), slot.input(), slot.axis(), solution.get().bias()));
        return true;
    }

    /** Adds the removed channels' mean contribution to a convolution's bias. */
    private boolean compensateBias(Consumer consumer, int[] keep, GraphSurgery surgery, ChannelStatistics values)
            throws LatheException {
        NodeProto node = consumer.node();
        TensorData weight = constants.data(node, 1);
        long[] shape = weight.shape();
        float[] weightValues = weight.toFloatArray();
        int out = (int) shape[0];
        int in = (int) shape[1];
        int kernel = weightValues.length / (out * in);
        boolean[] kept = new boolean[in];
        for (int channel : keep) {
            kept[channel] = true;
        }
        double[] means = values.means();
        double[] delta = new double[out];
        boolean any = false;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                if (kept[i] || means[i] == 0) {
                    continue;
                }
                double sum = 0;
                for (int k = 0; k < kernel; k++) {
                    sum += weightValues[(o * in + i) * kernel + k];
                }
                delta[o] += means[i] * sum;
                any = true;
            }
        }
        if (any) {
            surgery.addDelta(node, 2, 0, delta);
        }
        return any;
    }

    /** Where a consumer's per-output bias lives, for a bias correction. */
    private record BiasSlot(NodeProto node, int input, int axis) {
    }

    /** The bias of a Conv or Gemm (created when missing), or the constant of a MatMul's sole following Add. */
    private Optional<BiasSlot> biasSlot(NodeProto node, int out) {
        switch (node.getOpType()) {
            case "Conv" -> {
                return Optional.of(new BiasSlot(node, 2, 0));
            }
            case "Gemm" -> {
                if (node.getInputCount() < 3 || node.getInput(2).isEmpty()) {
                    return Optional.of(new BiasSlot(node, 2, 0));
                }
                return lastAxisSlot(node, 2, out);
            }
            case "MatMul" -> {
                Graph graph = constants.model().graph();
                List<NodeProto> readers = graph.consumers(node.getOutput(0));
                if (readers.size() != 1 || !readers.get(0).getOpType().equals("Add") || readers.get(0).getInputCount() != 2) {
                    return Optional.empty();
                }
                NodeProto add = readers.get(0);
                return lastAxisSlot(add, add.getInput(0).equals(node.getOutput(0)) ? 1 : 0, out);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private Optional<BiasSlot> lastAxisSlot(NodeProto node, int input, int out) {
        Optional<TensorProto> bias = constants.input(node, input);
        if (bias.isEmpty() || bias.get().getDataType() != DataType.FLOAT.code()) {
            return Optional.empty();
        }
        long[] shape = TensorCodec.shapeOf(bias.get());
        return shape.length > 0 && shape[shape.length - 1] == out ? Optional.of(new BiasSlot(node, input, shape.length - 1))
                : Optional.empty();
    }
}
