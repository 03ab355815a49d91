package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Arrays;
import java.util.Optional;

/**
 * A residual {@code Add} followed by a layer norm, which ONNX Runtime's {@code com.microsoft.SkipLayerNormalization}
 * computes in one pass: {@code LayerNorm(input + skip + bias)}. The input is the sublayer's output (a MatMul, with
 * its constant bias Add folded into the fused node), the skip is the residual.
 *
 * @param norm  the layer norm
 * @param input the sublayer's MatMul output
 * @param skip  the residual
 * @param bias  the sublayer's bias constant, or "" when it has none
 */
record SkipLayerNormMatch(LayerNormMatch norm, String input, String skip, String bias) implements Fusion {

    /** The match for a layer norm, or why it is not a residual layer norm this fusion handles. */
    static Matched<SkipLayerNormMatch> of(LayerNormMatch norm, GraphPatterns g) throws InvalidModelException {
        Optional<NodeProto> add = g.producer(norm.input(), "Add");
        if (add.isEmpty() || add.get().getInputCount() != 2) {
            return Matched.no("its input is not a residual Add");
        }
        if (!g.readOnlyBy(norm.input(), norm.first().toArray(NodeProto[]::new))) {
            return Matched.no("the residual sum is also read outside the layer norm");
        }
        long width = GraphPatterns.shape(g.floatConstant(norm.gamma()).orElseThrow())[0];
        for (int side = 0; side < 2; side++) {
            String addend = add.get().getInput(side);
            String residual = add.get().getInput(1 - side);
            if (g.isConstant(addend) || g.isConstant(residual)) {
                return Matched.no("the Add has a constant operand");
            }
            if (g.producer(addend, "MatMul").isPresent()) {
                return Matched.of(new SkipLayerNormMatch(norm, addend, residual, ""));
            }
            Optional<NodeProto> biasAdd = g.producer(addend, "Add");
            if (biasAdd.isPresent() && g.readOnlyBy(addend, add.get())) {
                Optional<GraphPatterns.BiasedProduct> biased = g.matMulPlusBias(biasAdd.get())
                        .filter(b -> Arrays.equals(b.biasShape(), new long[] {width}));
                if (biased.isPresent()) {
                    return Matched.of(new SkipLayerNormMatch(norm, biased.get().product(), residual, biased.get().bias()));
                }
            }
        }
        return Matched.no("neither addend of the residual Add is a MatMul output, so which one is the residual is "
                + "unknown");
    }

    @Override
    public String kind() {
        return "SkipLayerNormalization";
    }

    @Override
    public String output() {
        return norm.output();
    }

    @Override
    public void apply(GraphEditor graph, Shared shared) {
        String name = graph.uniqueName(norm.last().getName() + "_skip_layer_norm");
        Node fused = Node.op("SkipLayerNormalization").domain(Fusion.MICROSOFT).named(name)
                .in(input, skip, norm.gamma(), norm.beta()).out(norm.output()).attr("epsilon", norm.epsilon());
        if (!bias.isEmpty()) {
            fused.in(bias);
        }
        graph.replaceNode(norm.last().getName(), fused);
    }
}
