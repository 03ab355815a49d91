package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Multi-head self-attention as BERT-family encoders export it from PyTorch ({@code torch.onnx}: BERT, MiniLM, BGE,
 * E5 and alike), fused into ONNX Runtime's {@code com.microsoft.Attention}. The pattern, from the Softmax:
 * three projections {@code Add(bias, MatMul(x, W))} of one input x, each split into heads by a Reshape to
 * [batch, sequence, heads, size] and a Transpose (perm 0,2,1,3; the key's 0,2,3,1), scores {@code MatMul(q, k)}
 * divided (or multiplied) by a constant, plus an optional additive mask {@code (1 - Cast(Unsqueeze(mask))) · c}
 * made from a [batch, sequence] graph input, Softmax over the last axis, {@code MatMul} with the values, Transpose
 * (0,2,1,3) and a Reshape back to [batch, sequence, hidden]. The three weights are packed into one [in, 3·hidden]
 * weight, the biases into one vector; the mask goes in as int32 with {@code mask_filter_value} = c.
 */
final class AttentionMatch implements Fusion {
    private final String input;
    private final Projection[] projections;
    private final long heads;
    private final float scale;
    private final Optional<MaskInput> mask;
    private final NodeProto outputReshape;
    private final GraphPatterns patterns;

    /** The [batch, sequence] graph input an additive mask is made from, its type, and the value masked scores get. */
    private record MaskInput(String input, DataType type, float filter) {
    }

    /** One of the query, key and value projections: x · weight + bias. */
    private record Projection(String input, TensorProto weight, Optional<TensorProto> bias, String output) {
    }

    private AttentionMatch(String input, Projection[] projections, long heads, float scale, Optional<MaskInput> mask,
            NodeProto outputReshape, GraphPatterns patterns) {
        this.input = input;
        this.projections = projections;
        this.heads = heads;
        this.scale = scale;
        this.mask = mask;
        this.outputReshape = outputReshape;
        this.patterns = patterns;
    }

    /** The attention around {@code softmax}, or why it does not match exactly. */
    static Matched<AttentionMatch> around(NodeProto softmax, GraphPatterns g) throws InvalidModelException {
        long axis = NodeAttributes.getInt(softmax, "axis", Long.MIN_VALUE);
        if (axis != -1 && axis != 3) {
            return Matched.no("Softmax is not over axis 3 of the scores (axis "
                    + (axis == Long.MIN_VALUE ? "default" : axis) + ")");
        }
        String scores = softmax.getInput(0);
        String scaled = scores;
        String maskTerm = null;
        Optional<NodeProto> maskAdd = g.producer(scores, "Add");
        if (maskAdd.isPresent()) {
            for (int side = 0; side < 2 && maskTerm == null; side++) {
                String candidate = maskAdd.get().getInput(side);
                if (g.producer(candidate, "Div").isPresent() || g.producer(candidate, "Mul").isPresent()) {
                    scaled = candidate;
                    maskTerm = maskAdd.get().getInput(1 - side);
                }
            }
            if (maskTerm == null) {
                return Matched.no("the scores are not scaled before the mask is added");
            }
        }
        String scaledScores = scaled;
        NodeProto scaling = g.producer(scaledScores, "Div").or(() -> g.producer(scaledScores, "Mul")).orElse(null);
        if (scaling == null) {
            return Matched.no("the scores are not scaled by a constant");
        }
        Optional<NodeProto> product = Optional.empty();
        float scale = 0;
        for (int side = 0; side < 2 && product.isEmpty(); side++) {
            Optional<Float> constant = g.scalar(scaling.getInput(1 - side));
            Optional<NodeProto> matMul = g.producer(scaling.getInput(side), "MatMul");
            if (constant.isPresent() && matMul.isPresent() && (scaling.getOpType().equals("Mul") || side == 0)) {
                product = matMul;
                scale = scaling.getOpType().equals("Mul") ? constant.get() : 1 / constant.get();
            }
        }
        if (product.isEmpty()) {
            return Matched.no("the scores are not MatMul(query, key) scaled by a constant");
        }
        Matched<Projection> query = heads(product.get().getInput(0), new long[] {0, 2, 1, 3}, g);
        Matched<Projection> key = heads(product.get().getInput(1), new long[] {0, 2, 3, 1}, g);
        Optional<NodeProto> context = g.soleReader(softmax.getOutput(0), "MatMul")
                .filter(m -> m.getInput(0).equals(softmax.getOutput(0)));
        if (context.isEmpty()) {
            return Matched.no("the probabilities are not read by one MatMul with the values");
        }
        Matched<Projection> value = heads(context.get().getInput(1), new long[] {0, 2, 1, 3}, g);
        for (Matched<Projection> m : List.of(query, key, value)) {
            if (m.match().isEmpty()) {
                return Matched.no(m.reason());
            }
        }
        Projection[] projections = {query.match().get(), key.match().get(), value.match().get()};
        String x = projections[0].input();
        long in = GraphPatterns.shape(projections[0].weight())[0];
        long hidden = GraphPatterns.shape(projections[0].weight())[1];
        for (Projection p : projections) {
            if (!p.input().equals(x) || !Arrays.equals(GraphPatterns.shape(p.weight()), new long[] {in, hidden})) {
                return Matched.no("query, key and value do not project one input with weights of one shape");
            }
        }
        Optional<long[]> split = headSplit(projections[0].output(), g);
        long heads = split.map(h -> h[0] > 0 ? h[0] : h[1] > 0 && hidden % h[1] == 0 ? hidden / h[1] : 0).orElse(0L);
        if (heads <= 0 || hidden % heads != 0 || split.get()[1] > 0 && heads * split.get()[1] != hidden) {
            return Matched.no("the head count cannot be read off the query's Reshape");
        }
        Optional<NodeProto> merge = g.soleReader(context.get().getOutput(0), "Transpose")
                .filter(t -> Arrays.equals(GraphPatterns.perm(t), new long[] {0, 2, 1, 3}));
        // Besides the Reshape, only Shape nodes (that compute the Reshape's target) may read the merged heads.
        Optional<NodeProto> reshape = merge.flatMap(t -> GraphPatterns.only(g.consumers(t.getOutput(0)).stream()
                .filter(n -> !n.getOpType().equals("Shape")).toList(), "Reshape"))
                .filter(r -> r.getInput(0).equals(merge.get().getOutput(0)));
        if (reshape.isEmpty()) {
            return Matched.no("the context is not merged back by Transpose(0,2,1,3) and Reshape");
        }
        Optional<MaskInput> mask = Optional.empty();
        if (maskTerm != null) {
            mask = mask(maskTerm, g);
            if (mask.isEmpty()) {
                return Matched.no("the additive mask is not (1 - mask[batch, sequence]) · constant");
            }
        }
        return Matched.of(new AttentionMatch(x, projections, heads, scale, mask, reshape.get(), g));
    }

    /** The projection behind Transpose(perm)(Reshape(Add(bias, MatMul(x, W)))), or why there is none. */
    private static Matched<Projection> heads(String value, long[] perm, GraphPatterns g) throws InvalidModelException {
        Optional<NodeProto> transpose = g.producer(value, "Transpose")
                .filter(t -> Arrays.equals(GraphPatterns.perm(t), perm));
        Optional<NodeProto> reshape = transpose.flatMap(t -> g.producer(t.getInput(0), "Reshape"));
        if (reshape.isEmpty()) {
            return Matched.no("a head split is not Transpose(" + Arrays.toString(perm) + ") of a Reshape");
        }
        String projected = reshape.get().getInput(0);
        Optional<NodeProto> add = g.producer(projected, "Add");
        Optional<TensorProto> bias = Optional.empty();
        String product = projected;
        if (add.isPresent()) {
            for (int side = 0; side < 2 && bias.isEmpty(); side++) {
                Optional<TensorProto> constant = g.floatConstant(add.get().getInput(side));
                if (constant.isPresent() && GraphPatterns.shape(constant.get()).length == 1) {
                    bias = constant;
                    product = add.get().getInput(1 - side);
                }
            }
        }
        Optional<NodeProto> matMul = g.producer(product, "MatMul");
        Optional<TensorProto> weight = matMul.flatMap(m -> g.floatConstant(m.getInput(1)))
                .filter(w -> GraphPatterns.shape(w).length == 2);
        if (weight.isEmpty() || g.isConstant(matMul.get().getInput(0))) {
            return Matched.no("a projection is not MatMul(input, constant weight) plus an optional constant bias");
        }
        if (bias.isPresent() && GraphPatterns.shape(bias.get())[0] != GraphPatterns.shape(weight.get())[1]) {
            return Matched.no("a projection's bias does not match its weight");
        }
        return Matched.of(new Projection(matMul.get().getInput(0), weight.get(), bias, projected));
    }

    /**
     * {heads, head size} as the Reshape of the projected query writes them (either may be 0 or -1, inferred by
     * Reshape): a constant shape, or a Concat ending in constants.
     */
    private static Optional<long[]> headSplit(String projected, GraphPatterns g) throws InvalidModelException {
        for (NodeProto reader : g.consumers(projected)) {
            if (!reader.getOpType().equals("Reshape")) {
                continue;
            }
            Optional<long[]> constant = g.longs(reader.getInput(1));
            if (constant.isPresent() && constant.get().length == 4) {
                return Optional.of(new long[] {constant.get()[2], constant.get()[3]});
            }
            Optional<NodeProto> concat = g.producer(reader.getInput(1), "Concat");
            if (concat.isPresent()) {
                // The exporter concatenates the batch and sequence sizes it reads at run time with constants that
                // end in [heads, head size].
                List<Long> trailing = new ArrayList<>();
                for (int i = concat.get().getInputCount() - 1; i >= 0 && trailing.size() < 2; i--) {
                    Optional<long[]> values = g.longs(concat.get().getInput(i));
                    if (values.isEmpty()) {
                        break;
                    }
                    for (int j = values.get().length - 1; j >= 0; j--) {
                        trailing.add(0, values.get()[j]);
                    }
                }
                if (trailing.size() >= 2) {
                    int last = trailing.size() - 1;
                    return Optional.of(new long[] {trailing.get(last - 1), trailing.get(last)});
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The mask input of {@code (1 - m) · c} where m is a [batch, sequence] graph input passed through Cast and
     * Unsqueeze nodes (before or after the arithmetic) that insert axes 1 and 2, if that is the term.
     */
    private static Optional<MaskInput> mask(String term, GraphPatterns g) throws InvalidModelException {
        List<long[]> outerAxes = new ArrayList<>();
        String outer = unwrap(term, outerAxes, g);
        Optional<NodeProto> mul = g.producer(outer, "Mul");
        if (mul.isEmpty()) {
            return Optional.empty();
        }
        for (int side = 0; side < 2; side++) {
            Optional<Float> filter = g.scalar(mul.get().getInput(1 - side));
            Optional<NodeProto> sub = g.producer(mul.get().getInput(side), "Sub");
            boolean oneMinus = sub.isPresent() && g.scalar(sub.get().getInput(0)).map(one -> one == 1f).orElse(false);
            if (filter.isEmpty() || !oneMinus) {
                continue;
            }
            List<long[]> axes = new ArrayList<>();
            String input = unwrap(sub.get().getInput(1), axes, g);
            axes.addAll(outerAxes);
            if (!g.isGraphInput(input) || !insertsHeadAndQueryAxes(axes)) {
                return Optional.empty();
            }
            Optional<DataType> type = g.matrixInputType(input);
            if (type.isPresent()) {
                return Optional.of(new MaskInput(input, type.get(), filter.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * The value behind a chain of Cast and Unsqueeze nodes ending at {@code value}; the Unsqueezes' axes are added to
     * {@code unsqueezes} in the order the chain runs (input first).
     */
    private static String unwrap(String value, List<long[]> unsqueezes, GraphPatterns g) throws InvalidModelException {
        String current = value;
        while (true) {
            String now = current;
            Optional<NodeProto> node = g.producer(now, "Cast").or(() -> g.producer(now, "Unsqueeze"));
            if (node.isEmpty()) {
                return current;
            }
            if (node.get().getOpType().equals("Unsqueeze")) {
                Optional<long[]> axes = g.axes(node.get());
                if (axes.isEmpty()) {
                    return current;
                }
                unsqueezes.add(0, axes.get());
            }
            current = node.get().getInput(0);
        }
    }

    /** Whether these Unsqueezes, in order, turn [batch, sequence] into [batch, 1, 1, sequence]. */
    private static boolean insertsHeadAndQueryAxes(List<long[]> unsqueezes) {
        List<String> dims = new ArrayList<>(List.of("batch", "sequence"));
        for (long[] axes : unsqueezes) {
            long[] sorted = axes.clone();
            Arrays.sort(sorted);
            for (long axis : sorted) {
                if (axis < 0 || axis > dims.size()) {
                    return false;
                }
                dims.add((int) axis, "1");
            }
        }
        return dims.equals(List.of("batch", "1", "1", "sequence"));
    }

    /** The graph input the attention mask is made from, if the attention is masked. */
    Optional<String> maskInput() {
        return mask.map(MaskInput::input);
    }

    @Override
    public String kind() {
        return "Attention";
    }

    @Override
    public String output() {
        return outputReshape.getOutput(0);
    }

    @Override
    public void apply(GraphEditor graph, Shared shared) throws InvalidModelException {
        long in = GraphPatterns.shape(projections[0].weight())[0];
        int hidden = (int) GraphPatterns.shape(projections[0].weight())[1];
        float[] packed = new float[(int) in * 3 * hidden];
        float[] biases = new float[3 * hidden];
        for (int p = 0; p < 3; p++) {
            float[] weight = patterns.floats(projections[p].weight());
            for (int row = 0; row < in; row++) {
                System.arraycopy(weight, row * hidden, packed, (row * 3 + p) * hidden, hidden);
            }
            if (projections[p].bias().isPresent()) {
                System.arraycopy(patterns.floats(projections[p].bias().get()), 0, biases, p * hidden, hidden);
            }
        }
        String base = outputReshape.getName();
        String weights = graph.uniqueName(base + "_qkv_weight");
        graph.putInitializer(weights, TensorData.ofFloats(new long[] {in, 3L * hidden}, packed));
        String bias = graph.uniqueName(base + "_qkv_bias");
        graph.putInitializer(bias, TensorData.ofFloats(new long[] {3L * hidden}, biases));
        Node attention = Node.op("Attention").domain(MICROSOFT).named(graph.uniqueName(base + "_attention"))
                .in(input, weights, bias).out(output()).attr("num_heads", heads).attr("scale", scale);
        if (mask.isPresent()) {
            attention.in(shared.int32(graph, mask.get().input(), mask.get().type()))
                    .attr("mask_filter_value", mask.get().filter());
        }
        graph.replaceNode(outputReshape.getName(), attention);
    }
}
