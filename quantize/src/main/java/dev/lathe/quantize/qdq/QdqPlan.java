package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.weights.NodeFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a static int8 model gets its Q/DQ pairs: the main-graph nodes that compute in 8 bits (targets), the
 * activations around them, and the Relu/Clip nodes that a quantized output absorbs. Placed the way ONNX
 * Runtime's CPU provider fuses QDQ node units into integer kernels: every input and the output of a Conv,
 * MatMul or Gemm (QLinearConv, QLinearMatMul, QGemm), of Add and Mul (QLinearAdd/Mul, a constant operand
 * stored in 8 bits), Concat, average pooling and Sigmoid; shape-only ops (Reshape, Transpose, MaxPool ...)
 * pass a quantized input through with the same scale, so that ONNX Runtime drops their Q/DQ pair and moves bytes instead of floats. A Relu, or
 * a Clip from 0, right after a target is removed: quantizing the target's output to a range that starts at
 * 0 clips exactly as it did. A node whose output flows, within three elementwise or reducing steps, into an
 * op that blows up near zero (a layer norm's {@code sqrt(mean(x²) + eps)}, see {@link QdqWriter#SINGULAR})
 * stays in float: an 8-bit step turns a small variance into 0. TensorRT's placement quantizes only the inputs
 * of Conv, MatMul and Gemm (symmetric int8); TensorRT fuses the rest of the network around them itself.
 */
final class QdqPlan {
    /** How a target node is quantized. */
    enum Role {
        /** Conv, MatMul or Gemm with a constant weight: per-channel int8 weight, int32 bias. */
        WEIGHTED,
        /** An op whose inputs are all activations. */
        ACTIVATIONS
    }

    /**
     * One node computed in 8 bits.
     *
     * @param node       the node as it is in the graph
     * @param role       how it is quantized
     * @param inputs     the activations it reads that get Q/DQ pairs, by input position
     * @param constants  the float constants it reads that are stored in 8 bits (Add and Mul), by input position
     * @param output     the value whose Q/DQ pair follows it (a fused Relu/Clip's output when it absorbs one)
     * @param fused      the Relu/Clip node it absorbs, if any
     * @param weightAxis the axis of the weight's output channels (WEIGHTED only)
     * @param quantizedOutput whether the output gets a Q/DQ pair (not in TensorRT's placement)
     */
    record Target(NodeProto node, Role role, List<Integer> inputs, List<Integer> constants, String output,
            Optional<NodeProto> fused, int weightAxis, boolean quantizedOutput) {
        /** The node's name. */
        String name() {
            return node.getName();
        }
    }

    private static final Set<String> ALL_ACTIVATIONS = Set.of("Add", "Mul", "Concat", "GlobalAveragePool", "AveragePool",
            "Sigmoid");
    /**
     * Ops whose output is a rearrangement (or max) of their first input: it keeps the input's scale. Resize is
     * not one: ONNX Runtime 1.29's 8-bit Resize took 5.9 ms per run of PP-OCRv3 detection where the float one
     * took 1.4 ms (one thread, AVX-512 VNNI).
     */
    static final Set<String> PASS_THROUGH = Set.of("Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "MaxPool");
    /** Ops through which a small value stays small on its way to a division: a layer norm's variance path. */
    private static final Set<String> TOWARDS_SINGULARITY = Set.of("ReduceMean", "ReduceSum", "Add", "Sub", "Mul", "Pow");
    private static final int SINGULARITY_DEPTH = 3;
    private static final Set<String> WEIGHTED_OPS = Set.of("Conv", "MatMul", "Gemm");
    private static final Set<String> FUSIBLE_PRODUCERS = Set.of("Conv", "MatMul", "Gemm", "Add");

    private final List<Target> targets;
    private final Set<String> passThrough;
    private final Set<String> keptFloat;

    private QdqPlan(List<Target> targets, Set<String> passThrough, Set<String> keptFloat) {
        this.targets = List.copyOf(targets);
        this.passThrough = Set.copyOf(passThrough);
        this.keptFloat = Set.copyOf(keptFloat);
    }

    /**
     * The plan for a main graph.
     *
     * @param model     the model the graph's constants come from
     * @param filter    which op types and node names may be quantized
     * @param keepFloat node names to leave in float (accuracy fallback)
     * @param isFloat   which values are float tensors (known from calibration; others are never quantized)
     * @param tensorRt  TensorRT's placement: only the inputs of Conv, MatMul and Gemm
     */
    static QdqPlan of(OnnxModel model, GraphEditor graph, NodeFilter filter, Set<String> keepFloat,
            java.util.function.Predicate<String> isFloat, boolean tensorRt) {
        Set<String> graphOutputs = new HashSet<>();
        graph.outputs().forEach(output -> graphOutputs.add(output.getName()));
        List<Target> targets = new ArrayList<>();
        Set<String> passThrough = new HashSet<>();
        Set<String> absorbed = new HashSet<>();
        for (NodeProto node : graph.nodes()) {
            if (absorbed.contains(node.getName()) || !selected(node, filter) || keepFloat.contains(node.getName())) {
                continue;
            }
            if (tensorRt && !WEIGHTED_OPS.contains(node.getOpType())) {
                continue;
            }
            if (PASS_THROUGH.contains(node.getOpType())) {
                if (node.getOutputCount() == 1 && isFloat.test(node.getInput(0)) && isFloat.test(node.getOutput(0))) {
                    passThrough.add(node.getName());
                }
                continue;
            }
            Optional<Target> target = target(model, graph, node, filter, isFloat);
            if (target.isEmpty() || reachesSingularity(graph, node.getOutput(0), SINGULARITY_DEPTH)) {
                continue;
            }
            Optional<NodeProto> fused = tensorRt ? Optional.empty()
                    : fusible(model, graph, node, graphOutputs, filter, keepFloat, isFloat);
            fused.ifPresent(relu -> absorbed.add(relu.getName()));
            Target found = target.get();
            targets.add(new Target(node, found.role(), found.inputs(), found.constants(),
                    fused.map(relu -> relu.getOutput(0)).orElse(node.getOutput(0)), fused, found.weightAxis(), !tensorRt));
        }
        return new QdqPlan(targets, passThrough, keepFloat);
    }

    /**
     * Whether a value flows into a {@link QdqWriter#SINGULAR} op (a Div as its divisor) within {@code depth}
     * elementwise or reducing steps.
     */
    private static boolean reachesSingularity(GraphEditor graph, String value, int depth) {
        for (NodeProto consumer : graph.consumers(value)) {
            boolean divisor = consumer.getOpType().equals("Div") ? consumer.getInputCount() > 1
                    && consumer.getInput(1).equals(value) : QdqWriter.SINGULAR.contains(consumer.getOpType());
            if (divisor) {
                return true;
            }
            if (depth > 1 && TOWARDS_SINGULARITY.contains(consumer.getOpType()) && consumer.getOutputCount() == 1
                    && reachesSingularity(graph, consumer.getOutput(0), depth - 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean selected(NodeProto node, NodeFilter filter) {
        return node.getDomain().isEmpty() && filter.opTypes().contains(node.getOpType())
                && !filter.exclude().contains(node.getName())
                && (filter.include().isEmpty() || filter.include().contains(node.getName()));
    }

    /** The node as a target, if its inputs allow it (roles and positions; fused Relu not yet known). */
    private static Optional<Target> target(OnnxModel model, GraphEditor graph, NodeProto node, NodeFilter filter,
            java.util.function.Predicate<String> isFloat) {
        if (node.getOutputCount() != 1 || !isFloat.test(node.getOutput(0))) {
            return Optional.empty();
        }
        String op = node.getOpType();
        if (op.equals("Conv") || op.equals("MatMul") || op.equals("Gemm")) {
            Optional<TensorProto> weight = graph.constant(node.getInput(1));
            if (weight.isEmpty()) {
                boolean activations = op.equals("MatMul") && isFloat.test(node.getInput(0)) && isFloat.test(node.getInput(1))
                        && graph.constant(node.getInput(0)).isEmpty();
                return activations ? Optional.of(new Target(node, Role.ACTIVATIONS, List.of(0, 1), List.of(), "",
                        Optional.empty(), -1, true))
                        : Optional.empty();
            }
            long elements = weight.get().getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            if (weight.get().getDataType() != DataType.FLOAT.code() || elements < filter.minWeightElements()
                    || graph.constant(node.getInput(0)).isPresent() || !isFloat.test(node.getInput(0))) {
                return Optional.empty();
            }
            int axis;
            if (op.equals("Conv")) {
                axis = 0;
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty() && !constantFloat(graph, node.getInput(2), 1)) {
                    return Optional.empty();
                }
            } else if (op.equals("MatMul")) {
                if (weight.get().getDimsCount() != 2) {
                    return Optional.empty();
                }
                axis = 1;
            } else {
                boolean plain = NodeAttributes.getInt(node, "transA", 0) == 0
                        && NodeAttributes.getFloat(node, "alpha", 1f) == 1f
                        && NodeAttributes.getFloat(node, "beta", 1f) == 1f;
                boolean bias = node.getInputCount() < 3 || node.getInput(2).isEmpty()
                        || constantFloat(graph, node.getInput(2), 1);
                if (!plain || !bias) {
                    return Optional.empty();
                }
                axis = NodeAttributes.getInt(node, "transB", 0) == 1 ? 0 : 1;
            }
            return Optional.of(new Target(node, Role.WEIGHTED, List.of(0), List.of(), "", Optional.empty(), axis, true));
        }
        if (ALL_ACTIVATIONS.contains(op)) {
            List<Integer> inputs = new ArrayList<>();
            List<Integer> constants = new ArrayList<>();
            for (int i = 0; i < node.getInputCount(); i++) {
                String input = node.getInput(i);
                boolean binary = op.equals("Add") || op.equals("Mul");
                if (binary && constantFloat(graph, input)) {
                    if (!representable(model, graph, input)) {
                        return Optional.empty();
                    }
                    constants.add(i);
                } else if (input.isEmpty() || graph.constant(input).isPresent() || !isFloat.test(input)) {
                    return Optional.empty();
                } else {
                    inputs.add(i);
                }
            }
            return inputs.isEmpty() ? Optional.empty()
                    : Optional.of(new Target(node, Role.ACTIVATIONS, inputs, constants, "", Optional.empty(), -1, true));
        }
        return Optional.empty();
    }

    /**
     * Whether a constant operand survives one per-tensor 8-bit scale: every non-zero element within 5 % of its
     * value (a layer norm's per-channel gamma spanning two orders of magnitude does not, and would lose its
     * small channels).
     */
    private static boolean representable(OnnxModel model, GraphEditor graph, String value) {
        float[] values;
        try {
            values = FloatConstants.of(model, graph, value).orElseThrow();
        } catch (InvalidModelException e) {
            return false;
        }
        float low = 0;
        float high = 0;
        for (float v : values) {
            low = Math.min(low, v);
            high = Math.max(high, v);
        }
        double step = (high - low) / 255.0;
        for (float v : values) {
            if (v != 0 && step / 2 > 0.05 * Math.abs(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean constantFloat(GraphEditor graph, String value) {
        return graph.constant(value).filter(t -> t.getDataType() == DataType.FLOAT.code()).isPresent();
    }

    private static boolean constantFloat(GraphEditor graph, String value, int rank) {
        return graph.constant(value).filter(t -> t.getDataType() == DataType.FLOAT.code() && t.getDimsCount() == rank)
                .isPresent();
    }

    /** The Relu, or Clip from 0, that alone reads the node's output, when the quantized output can absorb it. */
    private static Optional<NodeProto> fusible(OnnxModel model, GraphEditor graph, NodeProto node,
            Set<String> graphOutputs, NodeFilter filter, Set<String> keepFloat,
            java.util.function.Predicate<String> isFloat) {
        String output = node.getOutput(0);
        if (!FUSIBLE_PRODUCERS.contains(node.getOpType()) || graphOutputs.contains(output)) {
            return Optional.empty();
        }
        List<NodeProto> readers = graph.consumers(output);
        if (readers.size() != 1) {
            return Optional.empty();
        }
        NodeProto reader = readers.get(0);
        if (!selected(reader, filter) || keepFloat.contains(reader.getName()) || !isFloat.test(reader.getOutput(0))
                || reader.getOutputCount() != 1 || !reader.getInput(0).equals(output)) {
            return Optional.empty();
        }
        if (reader.getOpType().equals("Relu")) {
            return Optional.of(reader);
        }
        if (reader.getOpType().equals("Clip") && clipsAtZero(model, graph, reader)) {
            return Optional.of(reader);
        }
        return Optional.empty();
    }

    private static boolean clipsAtZero(OnnxModel model, GraphEditor graph, NodeProto clip) {
        if (clip.getInputCount() < 2 || clip.getInput(1).isEmpty()) {
            return NodeAttributes.find(clip, "min").isPresent() && NodeAttributes.getFloat(clip, "min", -1) == 0f;
        }
        boolean maxConstant = clip.getInputCount() < 3 || clip.getInput(2).isEmpty()
                || graph.constant(clip.getInput(2)).isPresent();
        try {
            Optional<float[]> min = FloatConstants.of(model, graph, clip.getInput(1));
            return maxConstant && min.isPresent() && min.get().length == 1 && min.get()[0] == 0f;
        } catch (InvalidModelException e) {
            return false;
        }
    }

    /** The quantized nodes, in graph order. */
    List<Target> targets() {
        return targets;
    }

    /**
     * Names of the nodes kept in float for accuracy: they read their inputs unquantized (their producers then
     * compute in float too), where other float nodes read the dequantized values so that producers stay fused.
     */
    Set<String> keptFloat() {
        return keptFloat;
    }

    /** Names of the shape-only nodes that pass a quantized input through. */
    Set<String> passThrough() {
        return passThrough;
    }

    /** Every activation that needs a range: the targets' quantized inputs and outputs, in graph order. */
    Set<String> values() {
        Set<String> values = new LinkedHashSet<>();
        for (Target target : targets) {
            target.inputs().forEach(i -> values.add(target.node().getInput(i)));
            if (target.quantizedOutput()) {
                values.add(target.output());
            }
        }
        return values;
    }

    /** Candidate values of a graph before types are known: every input and output of a node that might be quantized. */
    static Collection<String> candidates(GraphEditor graph, NodeFilter filter) {
        Set<String> values = new LinkedHashSet<>();
        for (NodeProto node : graph.nodes()) {
            if (selected(node, filter)) {
                for (String input : node.getInputList()) {
                    if (!input.isEmpty() && graph.constant(input).isEmpty()) {
                        values.add(input);
                    }
                }
                values.addAll(node.getOutputList());
            }
        }
        values.remove("");
        return values;
    }

    /** The count of targets by op type (a fused Relu/Clip is counted as "Conv+Relu" and so on). */
    Map<String, Integer> countByOp() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Target target : targets) {
            String op = target.node().getOpType() + target.fused().map(f -> "+" + f.getOpType()).orElse("");
            counts.merge(op, 1, Integer::sum);
        }
        return counts;
    }
}
