package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The exact Gelu as PyTorch exports it, {@code 0.5 · x · (1 + erf(x / √2))}, replaced by ONNX Runtime's
 * {@code com.microsoft.FastGelu}, the tanh approximation {@code 0.5 · x · (1 + tanh(0.797885 · x + 0.035677 ·
 * x³))}, which differs from it by less than 5·10⁻⁴ and runs faster. A constant bias added to x (after a MatMul)
 * goes into the fused node. The approximation changes the model's arithmetic, so it is only made when asked
 * ({@code gelu=fast}).
 *
 * @param input  x, or the MatMul output the bias is added to
 * @param bias   the bias constant, or "" when x has none
 * @param output the Gelu's result
 * @param last   the node producing the result, which the fused node replaces
 */
record GeluMatch(String input, String bias, String output, NodeProto last) implements Fusion {
    private static final double SQRT_2 = Math.sqrt(2);

    /** The Gelu whose {@code Erf} is {@code erf}, if it matches exactly. */
    static Matched<GeluMatch> around(NodeProto erf, GraphPatterns g) throws InvalidModelException {
        String argument = erf.getInput(0);
        Optional<NodeProto> scaling = g.producer(argument, "Div").or(() -> g.producer(argument, "Mul"));
        if (scaling.isEmpty() || scaling.get().getInputCount() != 2) {
            return Matched.no("the Erf's argument is not x / √2");
        }
        NodeProto scale = scaling.get();
        String x = scale.getInput(0);
        Optional<Float> factor = g.scalar(scale.getInput(1));
        if (scale.getOpType().equals("Mul") && factor.isEmpty()) {
            x = scale.getInput(1);
            factor = g.scalar(scale.getInput(0));
        }
        double expected = scale.getOpType().equals("Div") ? SQRT_2 : 1 / SQRT_2;
        if (factor.isEmpty() || Math.abs(factor.get() - expected) > 1e-4 * expected) {
            return Matched.no("the Erf's argument is not x / √2");
        }
        Optional<NodeProto> plusOne = g.soleReader(erf.getOutput(0), "Add");
        if (plusOne.isEmpty() || !g.scalar(GraphPatterns.other(plusOne.get(), erf.getOutput(0))).map(v -> v == 1f)
                .orElse(false)) {
            return Matched.no("the Erf is not followed by + 1");
        }
        Optional<List<NodeProto>> product = halfProduct(x, plusOne.get().getOutput(0), g);
        if (product.isEmpty()) {
            return Matched.no("the result is not 0.5 · x · (1 + erf)");
        }
        List<NodeProto> chain = new ArrayList<>(List.of(scale, erf, plusOne.get()));
        chain.addAll(product.get());
        NodeProto last = chain.get(chain.size() - 1);
        for (NodeProto node : chain.subList(0, chain.size() - 1)) {
            List<NodeProto> readers = g.consumers(node.getOutput(0));
            if (readers.stream().anyMatch(c -> !chain.contains(c))
                    || !g.readOnlyBy(node.getOutput(0), readers.toArray(NodeProto[]::new))) {
                return Matched.no("an intermediate value of the Gelu is read elsewhere");
            }
        }
        return Matched.of(biased(x, chain, last, g));
    }

    /**
     * The Mul nodes computing {@code 0.5 · x · onePlusErf} in one of the orders exporters write it, last one last:
     * {@code (x · a) · 0.5}, {@code x · (a · 0.5)} or {@code (x · 0.5) · a}.
     */
    private static Optional<List<NodeProto>> halfProduct(String x, String onePlusErf, GraphPatterns g)
            throws InvalidModelException {
        Optional<NodeProto> first = g.soleReader(onePlusErf, "Mul");
        if (first.isEmpty()) {
            return Optional.empty();
        }
        String other = GraphPatterns.other(first.get(), onePlusErf);
        Optional<NodeProto> halfX = g.producer(other, "Mul");
        if (halfX.isPresent() && halfX.get().getInputList().contains(x)
                && isHalf(GraphPatterns.other(halfX.get(), x), g)) {
            return Optional.of(List.of(halfX.get(), first.get()));
        }
        if (!other.equals(x) && !isHalf(other, g)) {
            return Optional.empty();
        }
        Optional<NodeProto> second = g.soleReader(first.get().getOutput(0), "Mul");
        if (second.isEmpty()) {
            return Optional.empty();
        }
        String last = GraphPatterns.other(second.get(), first.get().getOutput(0));
        boolean xThenHalf = other.equals(x) && isHalf(last, g);
        boolean halfThenX = isHalf(other, g) && last.equals(x);
        return xThenHalf || halfThenX ? Optional.of(List.of(first.get(), second.get())) : Optional.empty();
    }

    private static boolean isHalf(String value, GraphPatterns g) throws InvalidModelException {
        return g.scalar(value).map(v -> v == 0.5f).orElse(false);
    }

    /** The match, with x's constant bias Add folded in when x is MatMul + bias and read only by the Gelu. */
    private static GeluMatch biased(String x, List<NodeProto> chain, NodeProto last, GraphPatterns g) {
        Optional<NodeProto> add = g.producer(x, "Add");
        List<NodeProto> readers = g.consumers(x);
        if (add.isPresent() && readers.stream().allMatch(chain::contains)
                && g.readOnlyBy(x, readers.toArray(NodeProto[]::new))) {
            Optional<GraphPatterns.BiasedProduct> biased = g.matMulPlusBias(add.get())
                    .filter(b -> b.biasShape().length == 1);
            if (biased.isPresent()) {
                return new GeluMatch(biased.get().product(), biased.get().bias(), last.getOutput(0), last);
            }
        }
        return new GeluMatch(x, "", last.getOutput(0), last);
    }

    @Override
    public String kind() {
        return "FastGelu";
    }

    @Override
    public void apply(GraphEditor graph, Shared shared) {
        Node fused = Node.op("FastGelu").domain(Fusion.MICROSOFT).named(graph.uniqueName(last.getName() + "_fast_gelu"))
                .in(input).out(output);
        if (!bias.isEmpty()) {
            fused.in(bias);
        }
        graph.replaceNode(last.getName(), fused);
    }
}
