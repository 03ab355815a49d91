package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.prune.structured.StructuredPruningSettings.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The channel groups of a model's main graph: sets of values that share one index space of channels (or
 * neurons), so that removing channel j from one of them means removing it from all. Values are tied
 * together by the ops that keep channels in place: elementwise ops (whose other inputs are constants of a
 * broadcastable shape, or other values, which are then tied too: residual {@code Add}s, squeeze-excite
 * {@code Mul}s), {@code BatchNormalization}, pooling, {@code Resize}, depthwise convolutions, and
 * {@code Reshape}s that keep the last axis. Each group records the nodes whose weights have one slice per
 * channel: <em>producers</em> (Conv, ConvTranspose, MatMul, Gemm writing the channels, weight sliced on the
 * output axis), <em>consumers</em> (the same ops reading them, weight sliced on the input axis), and the
 * constants, depthwise convolutions and shape constants along the way.
 *
 * <p>A {@code Concat} along the channel axis makes a group whose channels are those of its inputs' groups,
 * one after the other; its units are not chosen on their own but follow from its inputs. A group is
 * <em>blocked</em> (left whole) when any of its values is read or produced by anything else (a graph
 * input or output, a {@code Reshape} or {@code Transpose} that moves channels, a reduction, a subgraph),
 * when its channel axis or count is inconsistent, or when it flows into a blocked concatenation. The
 * analysis covers the main graph; values read inside {@code If}/{@code Loop}/{@code Scan} subgraphs block
 * their groups.
 */
final class ChannelGroups {
    private final MainGraphConstants constants;
    private final List<Group> groups;

    ChannelGroups(MainGraphConstants constants, List<Group> groups) {
        this.constants = constants;
        this.groups = groups;
    }

    /** The constants of the analyzed model. */
    MainGraphConstants constants() {
        return constants;
    }

    /** Groups with at least one producer or a channel concatenation, in graph order. */
    List<Group> groups() {
        return groups;
    }

    /** Candidate groups: those with producers (not concatenations). */
    List<Group> producerGroups() {
        return groups.stream().filter(g -> !g.producers.isEmpty()).toList();
    }

    /**
     * A node whose weight holds one slice per channel of a group on its output side.
     *
     * @param node       the node
     * @param weightAxis the weight axis indexed by output channel
     * @param biasInput  the bias input indexed by output channel, or -1
     */
    record Producer(NodeProto node, int weightAxis, int biasInput) {
    }

    /**
     * A node whose weight holds one slice per channel of a group on its input side.
     *
     * @param node       the node
     * @param input      the value it reads (a value of the group)
     * @param weightAxis the weight axis indexed by input channel
     */
    record Consumer(NodeProto node, String input, int weightAxis) {
    }

    /**
     * A constant input of a channel-preserving op, which may have to be sliced with the channels.
     *
     * @param node       the op
     * @param input      which input
     * @param shape      the shape the op sees (after a derivation, if any)
     * @param positional true for per-channel parameters indexed on axis 0 (normalization); false for
     *                   operands broadcast against the group's values
     * @param derivation how the operand is computed from a constant, or null when it is a constant
     */
    record Operand(NodeProto node, int input, long[] shape, boolean positional, Derivation derivation) {
    }

    /**
     * An operand computed from a constant by {@code Reshape} (with a constant shape) or {@code Unsqueeze}: a
     * per-channel bias [C] reshaped to [1, C, 1, 1], as PaddlePaddle exports write them.
     *
     * @param node      the Reshape or Unsqueeze node
     * @param dataShape the shape of the constant it reads (input 0)
     * @param shapeInput for Reshape, its constant shape input (index 1); -1 otherwise
     * @param target    for Reshape, the values of the shape constant
     */
    record Derivation(NodeProto node, long[] dataShape, int shapeInput, long[] target) {
    }

    /**
     * A shape constant that holds the channel count of a group.
     *
     * @param node  the node reading it
     * @param input which input
     * @param values the constant's values
     * @param kind  what it is
     */
    record ShapeConstant(NodeProto node, int input, long[] values, ShapeKind kind) {
    }

    /** Kinds of shape constants that carry a channel count. */
    enum ShapeKind {
        /** The target shape of a Reshape that keeps the last axis: its last entry is the channel count. */
        RESHAPE_LAST,
        /** The sizes input of a Resize: its entry on the channel axis is the channel count. */
        RESIZE_SIZES,
        /** The scales input of a Resize (or Upsample): its entry on the channel axis must be 1. */
        RESIZE_SCALES
    }

    /**
     * Where the channels of one group appear in a concatenation's group.
     *
     * @param group  the group fed (the concatenation's) or feeding
     * @param offset the index of the first channel in the concatenation
     */
    record Segment(Group group, int offset) {
    }

    /** One channel group: its values, the nodes to rewrite when it shrinks, and why it cannot, if so. */
    static final class Group {
        final List<String> values = new ArrayList<>();
        final List<Producer> producers = new ArrayList<>();
        final List<Consumer> consumers = new ArrayList<>();
        final List<Operand> operands = new ArrayList<>();
        final List<NodeProto> depthwise = new ArrayList<>();
        final List<ShapeConstant> shapeConstants = new ArrayList<>();
        final List<Segment> segments = new ArrayList<>();
        final List<Segment> feeds = new ArrayList<>();
        final List<String> blockers = new ArrayList<>();
        NodeProto concat;
        int axis;
        int rank;
        int channels = -1;
        int order;

        /** A readable name: the first producer's node, or the concatenation. */
        String name() {
            if (!producers.isEmpty()) {
                return producers.get(0).node().getName();
            }
            return concat == null ? values.get(0) : concat.getName();
        }

        /** The group's values, in graph order. */
        List<String> values() {
            return values;
        }

        /** Nodes writing the channels. */
        List<Producer> producers() {
            return producers;
        }

        /** Nodes reading the channels through a weight. */
        List<Consumer> consumers() {
            return consumers;
        }

        /** Constant operands along the way. */
        List<Operand> operands() {
            return operands;
        }

        /** Depthwise convolutions along the way (one filter per channel). */
        List<NodeProto> depthwise() {
            return depthwise;
        }

        /** Shape constants along the way. */
        List<ShapeConstant> shapeConstants() {
            return shapeConstants;
        }

        /** For a concatenation's group: the groups concatenated, with their offsets. */
        List<Segment> segments() {
            return segments;
        }

        /** The concatenations this group's channels flow into, with the offset of its first channel. */
        List<Segment> feeds() {
            return feeds;
        }

        /** Whether the group must stay whole. */
        boolean blocked() {
            return !blockers.isEmpty();
        }

        /** Why the group must stay whole (the first reason found). */
        String blocker() {
            return blockers.isEmpty() ? "" : blockers.get(0);
        }

        /** The channel axis counted from the end (-1 for the last axis, -3 for NCHW). */
        int axis() {
            return axis;
        }

        /** The rank of the group's values, 0 when unknown (groups of matrix products). */
        int rank() {
            return rank;
        }

        /** Number of channels, -1 when unknown. */
        int channels() {
            return channels;
        }

        /** The Concat node whose output this group holds, if it is a concatenation's group. */
        Optional<NodeProto> concat() {
            return Optional.ofNullable(concat);
        }

        /** The kind of the producers: FFN for MatMul/Gemm, CONV for Conv/ConvTranspose. */
        Target kind() {
            return producers.stream().allMatch(p -> p.node().getOpType().equals("MatMul") || p.node().getOpType().equals("Gemm"))
                    ? Target.FFN : Target.CONV;
        }

        void block(String reason) {
            if (!blockers.contains(reason)) {
                blockers.add(reason);
            }
        }

        /** Records the channel axis, rank (0 if unknown) and count implied by a node; conflicts block. */
        void declare(int declaredAxis, int declaredRank, long declaredChannels, NodeProto by) {
            if (axis == 0) {
                axis = declaredAxis;
            } else if (axis != declaredAxis) {
                block("channel axis conflict at " + label(by));
            }
            if (declaredRank != 0) {
                if (rank == 0) {
                    rank = declaredRank;
                } else if (rank != declaredRank) {
                    block("rank conflict at " + label(by));
                }
            }
            if (channels < 0) {
                channels = (int) declaredChannels;
            } else if (channels != declaredChannels) {
                block("channel count conflict at " + label(by) + " (" + channels + " vs " + declaredChannels + ")");
            }
        }
    }

    /** Analyzes the main graph of a model whose nodes all have unique names. */
    static ChannelGroups analyze(MainGraphConstants constants) throws InvalidModelException {
        return new ChannelGroupAnalysis(constants).run();
    }

    /** The position in an operand's shape that is indexed by channel, or -1 when it broadcasts over channels. */
    static int operandAxis(Group group, Operand operand) {
        if (operand.positional()) {
            return operand.shape().length == 0 ? -1 : 0;
        }
        int position = operand.shape().length + group.axis();
        return position < 0 ? -1 : position;
    }

    /** The axis of a derivation's constant that holds the channels: its single non-unit axis of size C. */
    static int dataAxis(Derivation derivation, int channels) {
        int found = -1;
        long[] shape = derivation.dataShape();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == channels && found < 0) {
                found = i;
            } else if (shape[i] != 1) {
                return -1;
            }
        }
        return found;
    }


    static String label(NodeProto node) {
        return node.getOpType() + " '" + node.getName() + "'";
    }
}
