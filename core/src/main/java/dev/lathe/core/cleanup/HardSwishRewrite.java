package dev.lathe.core.cleanup;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rewrites hard-swish as exporters write it, {@code x · clip(x + 3, 0, 6) / 6} (four nodes: Add, Clip, Mul, Div, or
 * the division by 6 before the product, or a product by 1/6 in its place), as {@code x · HardSigmoid(x)} with
 * {@code alpha = 1/6, beta = 0.5}: the same function in two nodes, which ONNX Runtime's CPU provider keeps in its
 * blocked (NCHWc) convolution layout. On PP-OCRv3 recognition (27 hard-swishes) that took single-thread latency from
 * 16.0 to 12.4 ms with the same decodes. Only the main graph is rewritten.
 */
public final class HardSwishRewrite {
    private static final float SIXTH = 1f / 6;

    private HardSwishRewrite() {
    }

    /** The model with every matching hard-swish rewritten, and how many were. */
    public record Result(OnnxModel model, int rewritten) {
    }

    /** A matched hard-swish: its input, its output and the nodes that compute it, the one producing it last. */
    private record Match(String input, String output, List<NodeProto> nodes) {
    }

    /**
     * Rewrites every hard-swish of the main graph whose intermediate values nothing else reads.
     *
     * @throws InvalidModelException if the rewritten model is not valid
     */
    public static Result apply(OnnxModel model) throws InvalidModelException {
        Graph graph = model.graph();
        List<Match> matches = new ArrayList<>();
        for (NodeProto node : graph.nodes()) {
            if (node.getOpType().equals("Clip") && node.getDomain().isEmpty()) {
                match(node, model).ifPresent(matches::add);
            }
        }
        if (matches.isEmpty()) {
            return new Result(model, 0);
        }
        ModelEditor editor = model.edit();
        GraphEditor main = editor.mainGraph();
        for (Match m : matches) {
            NodeProto last = m.nodes().get(m.nodes().size() - 1);
            String gate = main.uniqueName(m.input() + "_hard_sigmoid");
            main.replaceNode(last.getName(),
                    Node.op("HardSigmoid").named(main.uniqueName(last.getName() + "_hard_sigmoid")).in(m.input())
                            .out(gate).attr("alpha", SIXTH).attr("beta", 0.5f),
                    Node.op("Mul").named(main.uniqueName(last.getName() + "_hard_swish")).in(m.input(), gate)
                            .out(m.output()));
        }
        editor.removeDeadNodes();
        return new Result(editor.build(), matches.size());
    }

    /** The hard-swish around {@code clip}, if it matches exactly. */
    private static Optional<Match> match(NodeProto clip, OnnxModel model) throws InvalidModelException {
        Graph graph = model.graph();
        if (!clipsTo(clip, 0, 6, model)) {
            return Optional.empty();
        }
        Optional<NodeProto> add = graph.producer(clip.getInput(0)).filter(n -> isOp(n, "Add"));
        if (add.isEmpty() || add.get().getInputCount() != 2 || graph.consumers(clip.getInput(0)).size() != 1) {
            return Optional.empty();
        }
        String x = null;
        for (int side = 0; side < 2; side++) {
            if (model.scalarConstant(add.get().getInput(1 - side)).filter(v -> v == 3f).isPresent()) {
                x = add.get().getInput(side);
            }
        }
        Optional<NodeProto> next = sole(clip.getOutput(0), graph);
        if (x == null || next.isEmpty()) {
            return Optional.empty();
        }
        List<NodeProto> nodes = new ArrayList<>(List.of(add.get(), clip, next.get()));
        Optional<NodeProto> after = sole(next.get().getOutput(0), graph);
        if (after.isEmpty()) {
            return Optional.empty();
        }
        nodes.add(after.get());
        boolean productFirst = isProductWith(next.get(), x, clip.getOutput(0)) && isSixth(after.get(), model);
        boolean sixthFirst = isSixth(next.get(), model) && isProductWith(after.get(), x, next.get().getOutput(0));
        if (!productFirst && !sixthFirst) {
            return Optional.empty();
        }
        for (NodeProto node : nodes.subList(0, 3)) {
            if (graph.outputs().stream().anyMatch(v -> v.getName().equals(node.getOutput(0)))) {
                return Optional.empty();
            }
        }
        return Optional.of(new Match(x, after.get().getOutput(0), nodes));
    }

    /** Whether {@code node} is {@code Mul(x, value)} in either order. */
    private static boolean isProductWith(NodeProto node, String x, String value) {
        return isOp(node, "Mul") && node.getInputCount() == 2
                && (node.getInput(0).equals(x) && node.getInput(1).equals(value)
                        || node.getInput(1).equals(x) && node.getInput(0).equals(value));
    }

    /** Whether {@code node} divides its first input by 6 or multiplies it by 1/6. */
    private static boolean isSixth(NodeProto node, OnnxModel model) throws InvalidModelException {
        if (node.getInputCount() != 2) {
            return false;
        }
        if (isOp(node, "Div")) {
            return model.scalarConstant(node.getInput(1)).filter(v -> v == 6f).isPresent();
        }
        if (isOp(node, "Mul")) {
            for (String input : node.getInputList()) {
                if (model.scalarConstant(input).filter(v -> Math.abs(v - SIXTH) <= 1e-7f).isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a Clip bounds to [low, high], by constant inputs (opset 11 on) or attributes (before). */
    private static boolean clipsTo(NodeProto clip, float low, float high, OnnxModel model) throws InvalidModelException {
        if (clip.getInputCount() >= 3) {
            return model.scalarConstant(clip.getInput(1)).filter(v -> v == low).isPresent()
                    && model.scalarConstant(clip.getInput(2)).filter(v -> v == high).isPresent();
        }
        return clip.getInputCount() == 1 && NodeAttributes.getFloat(clip, "min", Float.NaN) == low
                && NodeAttributes.getFloat(clip, "max", Float.NaN) == high;
    }

    /** The single node reading {@code value}, if exactly one does. */
    private static Optional<NodeProto> sole(String value, Graph graph) {
        List<NodeProto> readers = graph.consumers(value);
        return readers.size() == 1 ? Optional.of(readers.get(0)) : Optional.empty();
    }

    private static boolean isOp(NodeProto node, String opType) {
        return node.getOpType().equals(opType) && node.getDomain().isEmpty();
    }
}
