package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.List;
import java.util.Optional;

/**
 * A layer normalization over the last axis, as a {@code LayerNormalization} node or as the chain PyTorch exports
 * before opset 17: {@code m = ReduceMean(x); d = Sub(x, m); v = ReduceMean(Pow(d, 2)); y = Add(Mul(Div(d,
 * Sqrt(Add(v, eps))), gamma), beta)}, with constant gamma and beta vectors.
 *
 * @param input   the normalized value x
 * @param output  the result y
 * @param gamma   the scale constant
 * @param beta    the shift constant
 * @param epsilon the variance epsilon
 * @param first   the nodes reading x (ReduceMean and Sub, or the LayerNormalization)
 * @param last    the node producing y, which the fused node replaces
 */
record LayerNormMatch(String input, String output, String gamma, String beta, float epsilon, List<NodeProto> first,
        NodeProto last) {

    /** The layer norm whose first ReduceMean (or LayerNormalization node) is {@code node}, if it matches exactly. */
    static Optional<LayerNormMatch> startingAt(NodeProto node, GraphPatterns g) throws InvalidModelException {
        if (node.getOpType().equals("LayerNormalization") && node.getDomain().isEmpty()) {
            return ofNode(node, g);
        }
        if (!node.getOpType().equals("ReduceMean") || !node.getDomain().isEmpty() || !lastAxis(node, g)) {
            return Optional.empty();
        }
        String x = node.getInput(0);
        String mean = node.getOutput(0);
        Optional<NodeProto> sub = g.soleReader(mean, "Sub")
                .filter(s -> s.getInput(0).equals(x) && s.getInput(1).equals(mean));
        if (sub.isEmpty()) {
            return Optional.empty();
        }
        String centered = sub.get().getOutput(0);
        List<NodeProto> readers = g.consumers(centered);
        Optional<NodeProto> pow = readers.stream().filter(n -> n.getOpType().equals("Pow")).findFirst();
        Optional<NodeProto> div = readers.stream()
                .filter(n -> n.getOpType().equals("Div") && n.getInput(0).equals(centered)).findFirst();
        if (readers.size() != 2 || pow.isEmpty() || div.isEmpty() || !pow.get().getInput(0).equals(centered)
                || !g.scalar(pow.get().getInput(1)).map(e -> e == 2f).orElse(false)) {
            return Optional.empty();
        }
        Optional<NodeProto> variance = g.soleReader(pow.get().getOutput(0), "ReduceMean");
        if (variance.isEmpty() || !lastAxis(variance.get(), g)) {
            return Optional.empty();
        }
        Optional<NodeProto> addEps = g.soleReader(variance.get().getOutput(0), "Add");
        if (addEps.isEmpty()) {
            return Optional.empty();
        }
        Optional<Float> epsilon = g.scalar(GraphPatterns.other(addEps.get(), variance.get().getOutput(0)));
        Optional<NodeProto> sqrt = g.soleReader(addEps.get().getOutput(0), "Sqrt");
        if (epsilon.isEmpty() || sqrt.isEmpty() || !div.get().getInput(1).equals(sqrt.get().getOutput(0))
                || !g.readOnlyBy(sqrt.get().getOutput(0), div.get())) {
            return Optional.empty();
        }
        Optional<NodeProto> mul = g.soleReader(div.get().getOutput(0), "Mul");
        if (mul.isEmpty()) {
            return Optional.empty();
        }
        String gamma = GraphPatterns.other(mul.get(), div.get().getOutput(0));
        Optional<NodeProto> add = g.soleReader(mul.get().getOutput(0), "Add");
        if (add.isEmpty()) {
            return Optional.empty();
        }
        String beta = GraphPatterns.other(add.get(), mul.get().getOutput(0));
        if (!vectors(g, gamma, beta)) {
            return Optional.empty();
        }
        return Optional.of(new LayerNormMatch(x, add.get().getOutput(0), gamma, beta, epsilon.get(),
                List.of(node, sub.get()), add.get()));
    }

    private static Optional<LayerNormMatch> ofNode(NodeProto node, GraphPatterns g) {
        long axis = NodeAttributes.getInt(node, "axis", -1);
        if (axis != -1 || node.getInputCount() < 3 || node.getOutputCount() > 1
                || !vectors(g, node.getInput(1), node.getInput(2))) {
            return Optional.empty();
        }
        return Optional.of(new LayerNormMatch(node.getInput(0), node.getOutput(0), node.getInput(1), node.getInput(2),
                NodeAttributes.getFloat(node, "epsilon", 1e-5f), List.of(node), node));
    }

    /** Whether gamma and beta are float constant vectors of one length. */
    private static boolean vectors(GraphPatterns g, String gamma, String beta) {
        Optional<TensorProto> scale = g.floatConstant(gamma);
        Optional<TensorProto> shift = g.floatConstant(beta);
        return scale.isPresent() && shift.isPresent() && GraphPatterns.shape(scale.get()).length == 1
                && java.util.Arrays.equals(GraphPatterns.shape(scale.get()), GraphPatterns.shape(shift.get()));
    }

    /** Whether a ReduceMean reduces the last axis only, keeping it. */
    private static boolean lastAxis(NodeProto reduce, GraphPatterns g) throws InvalidModelException {
        Optional<long[]> axes = g.axes(reduce);
        return axes.isPresent() && axes.get().length == 1 && axes.get()[0] == -1
                && NodeAttributes.getInt(reduce, "keepdims", 1) == 1;
    }
}
