package dev.lathe.prune.structured;

import static dev.lathe.prune.structured.ChannelGroups.dataAxis;
import static dev.lathe.prune.structured.ChannelGroups.label;
import static dev.lathe.prune.structured.ChannelGroups.operandAxis;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.OpFamilies;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.prune.structured.ChannelGroups.Consumer;
import dev.lathe.prune.structured.ChannelGroups.Derivation;
import dev.lathe.prune.structured.ChannelGroups.Group;
import dev.lathe.prune.structured.ChannelGroups.Operand;
import dev.lathe.prune.structured.ChannelGroups.Producer;
import dev.lathe.prune.structured.ChannelGroups.Segment;
import dev.lathe.prune.structured.ChannelGroups.ShapeConstant;
import dev.lathe.prune.structured.ChannelGroups.ShapeKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Walks the main graph of a model whose nodes all have unique names and ties values into
 * {@link ChannelGroups}: which values share channels (through elementwise ops, normalizations, pooling,
 * reshapes and concatenations), who produces and consumes each group's channels, and why a group cannot
 * shrink. The op families it knows are declared once, at the top.
 */
final class ChannelGroupAnalysis {
    /** Elementwise ops with several inputs that keep channels: OpFamilies' arithmetic and two fused contrib ops. */
    private static final Set<String> ELEMENTWISE = union(OpFamilies.BROADCAST_ARITHMETIC, Set.of("BiasGelu", "FastGelu"));

        /** Facts about a value found while walking nodes, attached to its group once values are tied. */
        private sealed interface Fact {
        }

        private record ProducerFact(Producer producer, int axis, int rank, long channels) implements Fact {
        }

        private record ConsumerFact(Consumer consumer, int axis, int rank, long channels) implements Fact {
        }

        private record DepthwiseFact(NodeProto node, int axis, int rank, long channels) implements Fact {
        }

        private record OperandFact(Operand operand) implements Fact {
        }

        private record ShapeFact(ShapeConstant constant) implements Fact {
        }

        private record BlockFact(String reason) implements Fact {
        }

    private final OnnxModel model;
    private final Graph graph;
    private final MainGraphConstants constants;
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, List<Fact>> facts = new LinkedHashMap<>();
    private final Map<String, Integer> valueOrder = new HashMap<>();
    private final List<NodeProto> concats = new ArrayList<>();

    ChannelGroupAnalysis(MainGraphConstants constants) {
        this.model = constants.model();
        this.graph = model.graph();
        this.constants = constants;
    }

    ChannelGroups run() throws InvalidModelException {
        for (ValueInfoProto input : graph.inputs()) {
            note(input.getName(), new BlockFact("tied to graph input '" + input.getName() + "'"));
        }
        for (NodeProto node : graph.nodes()) {
            if (!Graph.isConstantNode(node)) {
                classify(node);
            }
        }
        for (ValueInfoProto output : graph.outputs()) {
            note(output.getName(), new BlockFact("tied to graph output '" + output.getName() + "'"));
        }
        Map<String, Group> byRoot = new LinkedHashMap<>();
        List<String> ordered = new ArrayList<>(facts.keySet());
        ordered.sort((a, b) -> Integer.compare(valueOrder.getOrDefault(a, -1), valueOrder.getOrDefault(b, -1)));
        for (String value : ordered) {
            Group group = byRoot.computeIfAbsent(find(value), r -> new Group());
            group.values.add(value);
            if (group.values.size() == 1) {
                group.order = valueOrder.getOrDefault(value, -1);
            }
            for (Fact fact : facts.get(value)) {
                attach(group, fact);
            }
        }
        Map<String, Group> groupOf = new HashMap<>();
        byRoot.forEach((root, group) -> group.values.forEach(v -> groupOf.put(v, group)));
        for (NodeProto concat : concats) {
            resolveConcat(concat, groupOf);
        }
        for (Group group : byRoot.values()) {
            validate(group);
        }
        propagateBlocks(byRoot.values());
        List<Group> result = new ArrayList<>();
        for (Group group : byRoot.values()) {
            if (!group.producers.isEmpty() || group.concat != null) {
                result.add(group);
            }
        }
        result.sort((a, b) -> Integer.compare(a.order, b.order));
        return new ChannelGroups(constants, List.copyOf(result));
    }

    private void classify(NodeProto node) throws InvalidModelException {
        String op = node.getOpType();
        boolean known = node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx")
                || node.getDomain().equals("com.microsoft")
                        && Set.of("Gelu", "QuickGelu", "BiasGelu", "FastGelu").contains(op);
        for (String output : node.getOutputList()) {
            valueOrder.putIfAbsent(output, valueOrder.size());
        }
        if (!known || !graph.subgraphs(node).isEmpty()) {
            opaque(node);
            return;
        }
        switch (op) {
            case "Conv" -> conv(node);
            case "ConvTranspose" -> convTranspose(node);
            case "MatMul" -> matMul(node);
            case "Gemm" -> gemm(node);
            case "Concat" -> concat(node);
            case "Reshape" -> reshape(node);
            case "Resize", "Upsample" -> resize(node);
            default -> {
                if (OpFamilies.CHANNELWISE_UNARY.contains(op) || OpFamilies.POOLING.contains(op)) {
                    passThrough(node, false);
                } else if (OpFamilies.PER_CHANNEL_NORMALIZATION.contains(op)) {
                    passThrough(node, true);
                } else if (ELEMENTWISE.contains(op)) {
                    elementwise(node);
                } else {
                    opaque(node);
                }
            }
        }
    }

    /** Conv: a producer and consumer when ungrouped, a tie when depthwise, opaque otherwise. */
    private void conv(NodeProto node) {
        Optional<long[]> weight = floatWeight(node, 1);
        if (weight.isEmpty() || computed(node, 2) || constant(node.getInput(0))) {
            opaque(node);
            return;
        }
        long[] w = weight.get();
        int rank = w.length;
        int axis = -(rank - 1);
        long groups = NodeAttributes.getInt(node, "group", 1);
        String x = node.getInput(0);
        String y = node.getOutput(0);
        if (groups == 1) {
            note(y, new ProducerFact(new Producer(node, 0, hasInput(node, 2) ? 2 : -1), axis, rank, w[0]));
            note(x, new ConsumerFact(new Consumer(node, x, 1), axis, rank, w[1]));
        } else if (groups == w[0] && w[1] == 1) {
            union(x, y);
            note(y, new DepthwiseFact(node, axis, rank, w[0]));
        } else {
            opaque(node);
        }
        blockExtraOutputs(node, 1);
    }

    private void convTranspose(NodeProto node) {
        Optional<long[]> weight = floatWeight(node, 1);
        if (weight.isEmpty() || computed(node, 2) || constant(node.getInput(0)) || NodeAttributes.getInt(node, "group", 1) != 1) {
            opaque(node);
            return;
        }
        long[] w = weight.get();
        int axis = -(w.length - 1);
        note(node.getOutput(0), new ProducerFact(new Producer(node, 1, hasInput(node, 2) ? 2 : -1), axis, w.length, w[1]));
        note(node.getInput(0), new ConsumerFact(new Consumer(node, node.getInput(0), 0), axis, w.length, w[0]));
        blockExtraOutputs(node, 1);
    }

    private void matMul(NodeProto node) {
        Optional<long[]> weight = floatWeight(node, 1);
        if (weight.isEmpty() || weight.get().length != 2 || constant(node.getInput(0))) {
            opaque(node);
            return;
        }
        long[] w = weight.get();
        note(node.getOutput(0), new ProducerFact(new Producer(node, 1, -1), -1, 0, w[1]));
        note(node.getInput(0), new ConsumerFact(new Consumer(node, node.getInput(0), 0), -1, 0, w[0]));
    }

    private void gemm(NodeProto node) throws InvalidModelException {
        Optional<long[]> weight = floatWeight(node, 1);
        if (weight.isEmpty() || NodeAttributes.getInt(node, "transA", 0) != 0 || computed(node, 2) || constant(node.getInput(0))) {
            opaque(node);
            return;
        }
        long[] w = weight.get();
        boolean transB = NodeAttributes.getInt(node, "transB", 0) != 0;
        String y = node.getOutput(0);
        note(y, new ProducerFact(new Producer(node, transB ? 0 : 1, -1), -1, 2, transB ? w[0] : w[1]));
        note(node.getInput(0), new ConsumerFact(new Consumer(node, node.getInput(0), transB ? 1 : 0), -1, 2,
                transB ? w[1] : w[0]));
        if (hasInput(node, 2)) {
            note(y, new OperandFact(operand(node, 2, false)));
        }
    }

    private void concat(NodeProto node) {
        concats.add(node);
        for (String input : node.getInputList()) {
            if (!input.isEmpty()) {
                touch(input);
            }
        }
        touch(node.getOutput(0));
    }

    /** Reshape of a computed value by a constant shape: tied when it keeps the last axis (checked later). */
    private void reshape(NodeProto node) throws InvalidModelException {
        Optional<TensorProto> shape = node.getInputCount() > 1 ? constants.tensor(node.getInput(1)) : Optional.empty();
        if (shape.isEmpty() || constant(node.getInput(0))) {
            opaque(node);
            return;
        }
        union(node.getInput(0), node.getOutput(0));
        note(node.getOutput(0), new ShapeFact(new ShapeConstant(node, 1, model.tensorData(shape.get()).toLongArray(),
                ShapeKind.RESHAPE_LAST)));
    }

    /** Resize/Upsample: tied when scales (or sizes) are constants; the channel entry is checked later. */
    private void resize(NodeProto node) throws InvalidModelException {
        boolean upsample = node.getOpType().equals("Upsample");
        int scalesInput = upsample ? 1 : 2;
        int sizesInput = 3;
        if (constant(node.getInput(0))) {
            opaque(node);
            return;
        }
        for (int i = 1; i < node.getInputCount(); i++) {
            if (computed(node, i)) {
                opaque(node);
                return;
            }
        }
        union(node.getInput(0), node.getOutput(0));
        if (hasInput(node, sizesInput) && constants.tensor(node.getInput(sizesInput)).orElseThrow().getDimsCount() == 1
                && constants.tensor(node.getInput(sizesInput)).orElseThrow().getDims(0) > 0) {
            note(node.getOutput(0), new ShapeFact(new ShapeConstant(node, sizesInput,
                    model.tensorData(constants.tensor(node.getInput(sizesInput)).orElseThrow()).toLongArray(),
                    ShapeKind.RESIZE_SIZES)));
        } else if (hasInput(node, scalesInput)) {
            double[] scales = model.tensorData(constants.tensor(node.getInput(scalesInput)).orElseThrow()).toDoubleArray();
            long[] asLongs = new long[scales.length];
            for (int i = 0; i < scales.length; i++) {
                asLongs[i] = scales[i] == 1.0 ? 1 : 0;
            }
            note(node.getOutput(0), new ShapeFact(new ShapeConstant(node, scalesInput, asLongs, ShapeKind.RESIZE_SCALES)));
        } else if (NodeAttributes.find(node, "scales").isPresent()) {
            List<Float> scales = NodeAttributes.find(node, "scales").get().getFloatsList();
            long[] asLongs = scales.stream().mapToLong(s -> s == 1f ? 1 : 0).toArray();
            note(node.getOutput(0), new ShapeFact(new ShapeConstant(node, -1, asLongs, ShapeKind.RESIZE_SCALES)));
        }
    }

    /** Input 0 and output 0 tied; other constant inputs are operands (positional for normalizations). */
    private void passThrough(NodeProto node, boolean positionalParameters) throws InvalidModelException {
        if (constant(node.getInput(0))) {
            opaque(node);
            return;
        }
        union(node.getInput(0), node.getOutput(0));
        for (int i = 1; i < node.getInputCount(); i++) {
            if (node.getInput(i).isEmpty()) {
                continue;
            }
            if (!constant(node.getInput(i))) {
                block(node.getInput(i), "computed parameter of " + label(node));
                block(node.getOutput(0), "computed parameter of " + label(node));
                continue;
            }
            note(node.getOutput(0), new OperandFact(operand(node, i, positionalParameters)));
        }
        blockExtraOutputs(node, 1);
    }

    /** Elementwise ops: computed inputs are tied with the output; constant ones are operands. */
    private void elementwise(NodeProto node) throws InvalidModelException {
        String output = node.getOutput(0);
        boolean anyComputed = false;
        for (int i = 0; i < node.getInputCount(); i++) {
            String input = node.getInput(i);
            if (input.isEmpty()) {
                continue;
            }
            Optional<Operand> operand = constantOperand(node, i);
            if (operand.isPresent()) {
                note(output, new OperandFact(operand.get()));
            } else {
                union(input, output);
                anyComputed = true;
            }
        }
        if (!anyComputed) {
            block(output, "computed from constants by " + label(node));
        }
        blockExtraOutputs(node, 1);
    }

    /** Blocks the groups of everything the node reads and writes. */
    private void opaque(NodeProto node) {
        String reason = label(node);
        for (String input : graph.readsOf(node)) {
            if (!constant(input)) {
                block(input, "read by " + reason);
            }
        }
        for (String output : node.getOutputList()) {
            if (!output.isEmpty()) {
                block(output, "produced by " + reason);
            }
        }
    }

    private void blockExtraOutputs(NodeProto node, int kept) {
        for (int i = kept; i < node.getOutputCount(); i++) {
            if (!node.getOutput(i).isEmpty()) {
                block(node.getOutput(i), "extra output of " + label(node));
            }
        }
    }

    /** The operand for a constant input, or one derived from a constant by Reshape/Unsqueeze. */
    private Optional<Operand> constantOperand(NodeProto node, int input) throws InvalidModelException {
        String value = node.getInput(input);
        if (constant(value)) {
            return Optional.of(operand(node, input, false));
        }
        Optional<NodeProto> producer = graph.producer(value);
        if (producer.isEmpty() || producer.get().getInputCount() == 0 || !constant(producer.get().getInput(0))
                || producer.get().getOutputCount() != 1) {
            return Optional.empty();
        }
        NodeProto derived = producer.get();
        long[] dataShape = TensorCodec.shapeOf(constants.tensor(derived.getInput(0)).orElseThrow());
        if (derived.getOpType().equals("Reshape") && derived.getInputCount() == 2 && constant(derived.getInput(1))) {
            long[] target = model.tensorData(constants.tensor(derived.getInput(1)).orElseThrow()).toLongArray();
            long[] shape = reshaped(dataShape, target);
            return shape == null ? Optional.empty()
                    : Optional.of(new Operand(node, input, shape, false, new Derivation(derived, dataShape, 1, target)));
        }
        if (derived.getOpType().equals("Unsqueeze")) {
            long[] axes;
            if (derived.getInputCount() > 1 && constant(derived.getInput(1))) {
                axes = model.tensorData(constants.tensor(derived.getInput(1)).orElseThrow()).toLongArray();
            } else if (NodeAttributes.getInts(derived, "axes").isPresent()) {
                axes = NodeAttributes.getInts(derived, "axes").get();
            } else {
                return Optional.empty();
            }
            long[] shape = unsqueezed(dataShape, axes);
            return shape == null ? Optional.empty()
                    : Optional.of(new Operand(node, input, shape, false, new Derivation(derived, dataShape, -1, null)));
        }
        return Optional.empty();
    }

    private Operand operand(NodeProto node, int input, boolean positional) {
        long[] shape = TensorCodec.shapeOf(constants.tensor(node.getInput(input)).orElseThrow());
        return new Operand(node, input, shape, positional, null);
    }

    private void resolveConcat(NodeProto node, Map<String, Group> groupOf) {
        Group output = groupOf.get(node.getOutput(0));
        List<Group> inputs = new ArrayList<>();
        String problem = null;
        for (String input : node.getInputList()) {
            if (input.isEmpty() || constant(input)) {
                problem = "Concat " + label(node) + " joins a constant";
                break;
            }
            inputs.add(groupOf.get(input));
        }
        long attributeAxis = NodeAttributes.getInt(node, "axis", 0);
        int axis = 0;
        int rank = 0;
        if (problem == null) {
            for (Group input : inputs) {
                if (input.axis == 0 || input.channels < 0) {
                    problem = "Concat " + label(node) + " joins values whose channels are unknown";
                    break;
                }
                rank = Math.max(rank, input.rank);
            }
        }
        if (problem == null) {
            axis = attributeAxis < 0 ? (int) attributeAxis : rank > 0 ? (int) attributeAxis - rank : 0;
            for (Group input : inputs) {
                if (input.axis != axis || input == output) {
                    problem = "Concat " + label(node) + " joins along another axis than the channels";
                    break;
                }
            }
        }
        if (problem == null && (output.concat != null || !output.producers.isEmpty())) {
            problem = "Concat " + label(node) + " output is tied to other producers";
        }
        if (problem != null) {
            output.block(problem);
            for (Group input : inputs) {
                if (input != null) {
                    input.block(problem);
                }
            }
            return;
        }
        output.concat = node;
        int offset = 0;
        for (Group input : inputs) {
            output.segments.add(new Segment(input, offset));
            input.feeds.add(new Segment(output, offset));
            offset += input.channels;
        }
        output.declare(axis, rank, offset, node);
    }

    /** Checks operands and shape constants against the group's channel axis and count. */
    private void validate(Group group) {
        if (group.channels <= 0 || group.axis == 0) {
            group.block("channel count unknown");
            return;
        }
        long matrixProducts = group.producers.stream().filter(p -> isMatrixProduct(p.node())).count();
        if (matrixProducts > 0 && matrixProducts < group.producers.size()) {
            group.block("mixes matrix products and convolutions");
        }
        for (Operand operand : group.operands) {
            String problem = operandProblem(group, operand);
            if (problem != null) {
                group.block(problem);
            }
        }
        for (ShapeConstant constant : group.shapeConstants) {
            String problem = shapeProblem(group, constant);
            if (problem != null) {
                group.block(problem);
            }
        }
    }

    private String operandProblem(Group group, Operand operand) {
        long[] shape = operand.shape();
        int position = operandAxis(group, operand);
        if (position < 0 || shape[position] == 1 && !operand.positional()) {
            return null;
        }
        if (shape[position] != group.channels) {
            return "operand " + (operand.input() + 1) + " of " + label(operand.node()) + " has shape "
                    + java.util.Arrays.toString(shape) + ", not per channel";
        }
        Derivation derivation = operand.derivation();
        if (derivation != null) {
            if (dataAxis(derivation, group.channels) < 0) {
                return "operand of " + label(operand.node()) + " derived from a constant of shape "
                        + java.util.Arrays.toString(derivation.dataShape()) + " that is not a channel vector";
            }
            if (graph.consumers(derivation.node().getOutput(0)).size() != 1) {
                return "operand of " + label(operand.node()) + " is shared with other nodes";
            }
            if (derivation.target() != null) {
                long entry = derivation.target()[position];
                if (entry != group.channels && entry != 0 && entry != -1) {
                    return "shape constant of " + label(derivation.node()) + " does not name the channel count";
                }
            }
        }
        return null;
    }

    private String shapeProblem(Group group, ShapeConstant constant) {
        long[] values = constant.values();
        switch (constant.kind()) {
            case RESHAPE_LAST -> {
                if (group.axis != -1 || values.length == 0 || values[values.length - 1] != group.channels) {
                    return "Reshape " + label(constant.node()) + " moves the channels";
                }
                return null;
            }
            case RESIZE_SIZES, RESIZE_SCALES -> {
                int position = values.length + group.axis;
                long expected = constant.kind() == ShapeKind.RESIZE_SIZES ? group.channels : 1;
                if (position < 0 || values[position] != expected) {
                    return label(constant.node()) + " resizes the channel axis";
                }
                return null;
            }
            default -> throw new IllegalStateException("unknown shape constant kind " + constant.kind());
        }
    }

    /** Blocks the inputs of blocked concatenations, until nothing changes. */
    private void propagateBlocks(java.util.Collection<Group> all) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Group group : all) {
                if (group.concat == null || !group.blocked()) {
                    continue;
                }
                for (Segment segment : group.segments) {
                    if (!segment.group().blocked()) {
                        segment.group().block("feeds " + label(group.concat) + ", whose output cannot shrink: "
                                + group.blocker());
                        changed = true;
                    }
                }
            }
        }
    }

    private void attach(Group group, Fact fact) {
        if (fact instanceof ProducerFact p) {
            group.producers.add(p.producer());
            group.declare(p.axis(), p.rank(), p.channels(), p.producer().node());
        } else if (fact instanceof ConsumerFact c) {
            group.consumers.add(c.consumer());
            group.declare(c.axis(), c.rank(), c.channels(), c.consumer().node());
        } else if (fact instanceof DepthwiseFact d) {
            group.depthwise.add(d.node());
            group.declare(d.axis(), d.rank(), d.channels(), d.node());
        } else if (fact instanceof OperandFact o) {
            group.operands.add(o.operand());
        } else if (fact instanceof ShapeFact s) {
            group.shapeConstants.add(s.constant());
        } else if (fact instanceof BlockFact b) {
            group.block(b.reason());
        }
    }

    private void note(String value, Fact fact) {
        touch(value);
        facts.get(value).add(fact);
    }

    private void touch(String value) {
        facts.computeIfAbsent(value, v -> new ArrayList<>());
        parent.putIfAbsent(value, value);
    }

    private void block(String value, String reason) {
        note(value, new BlockFact(reason));
    }

    private void union(String a, String b) {
        touch(a);
        touch(b);
        String rootA = find(a);
        String rootB = find(b);
        if (!rootA.equals(rootB)) {
            parent.put(rootB, rootA);
        }
    }

    private String find(String value) {
        String root = value;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        String current = value;
        while (!current.equals(root)) {
            String next = parent.get(current);
            parent.put(current, root);
            current = next;
        }
        return root;
    }

    private boolean constant(String value) {
        return constants.contains(value);
    }

    private boolean hasInput(NodeProto node, int input) {
        return node.getInputCount() > input && !node.getInput(input).isEmpty();
    }

    /** Whether an optional input is present and not a constant. */
    private boolean computed(NodeProto node, int input) {
        return hasInput(node, input) && !constant(node.getInput(input));
    }

    /** The shape of a float32 constant weight input. */
    private Optional<long[]> floatWeight(NodeProto node, int input) {
        if (!hasInput(node, input)) {
            return Optional.empty();
        }
        TensorProto weight = constants.tensor(node.getInput(input)).orElse(null);
        if (weight == null || weight.getDataType() != DataType.FLOAT.code()) {
            return Optional.empty();
        }
        return Optional.of(TensorCodec.shapeOf(weight));
    }

    private static boolean isMatrixProduct(NodeProto node) {
        return node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm");
    }

    /** The shape a Reshape gives a constant of shape {@code data}, or null if the target is invalid. */
    private static long[] reshaped(long[] data, long[] target) {
        long total = 1;
        for (long dim : data) {
            total *= dim;
        }
        long[] shape = new long[target.length];
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0) {
                if (i >= data.length) {
                    return null;
                }
                shape[i] = data[i];
            } else if (target[i] == -1) {
                if (inferred >= 0) {
                    return null;
                }
                inferred = i;
                continue;
            } else {
                shape[i] = target[i];
            }
            known *= shape[i];
        }
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                return null;
            }
            shape[inferred] = total / known;
        } else if (known != total) {
            return null;
        }
        return shape;
    }

    /** The shape Unsqueeze gives a constant of shape {@code data}, or null if the axes are invalid. */
    private static long[] unsqueezed(long[] data, long[] axes) {
        int rank = data.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long axis : axes) {
            int position = (int) (axis < 0 ? axis + rank : axis);
            if (position < 0 || position >= rank || inserted[position]) {
                return null;
            }
            inserted[position] = true;
        }
        long[] shape = new long[rank];
        for (int i = 0, d = 0; i < rank; i++) {
            shape[i] = inserted[i] ? 1 : data[d++];
        }
        return shape;
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new java.util.HashSet<>(first);
        all.addAll(second);
        return Set.copyOf(all);
    }
}
