package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The embedding layer of a BERT-style encoder, which ONNX Runtime's {@code com.microsoft.EmbedLayerNormalization}
 * computes in one kernel: {@code LayerNorm(word[input_ids] + position[0..S-1] + segment[token_type_ids])}. The
 * lookups are {@code Gather}s of constant tables by a 2-D integer graph input; the positions are the exporters'
 * {@code Slice} of a constant {@code 0, 1, 2, ...} row up to the sequence length, which is the fused op's default
 * when it gets no position ids. The segment lookup is optional. The ids go in as int32, cast where the model takes
 * int64.
 *
 * @param norm        the layer norm over the sum
 * @param words       the word table
 * @param ids         the graph input indexing the word table
 * @param idsType     its element type
 * @param position    the position table
 * @param segments    the segment table, or "" when there is none
 * @param segment     the graph input indexing the segment table, or ""
 * @param segmentType its element type (null without segments)
 */
record EmbedLayerNormMatch(LayerNormMatch norm, String words, String ids, DataType idsType, String position,
        String segments, String segment, DataType segmentType) implements Fusion {

    /** A table lookup {@code Gather(table, indices)} feeding the sum. */
    private record Lookup(String table, long rows, String indices) {
    }

    /** The match for a layer norm, or why it is not an embedding layer norm this fusion handles. */
    static Matched<EmbedLayerNormMatch> of(LayerNormMatch norm, GraphPatterns g) throws InvalidModelException {
        Optional<NodeProto> sum = g.producer(norm.input(), "Add");
        if (sum.isEmpty()) {
            return Matched.no("its input is not a sum of embeddings");
        }
        if (!g.readOnlyBy(norm.input(), norm.first().toArray(NodeProto[]::new))) {
            return Matched.no("the embedding sum is also read outside the layer norm");
        }
        long width = GraphPatterns.shape(g.floatConstant(norm.gamma()).orElseThrow())[0];
        List<String> addends = new ArrayList<>();
        Deque<NodeProto> adds = new ArrayDeque<>(List.of(sum.get()));
        while (!adds.isEmpty()) {
            NodeProto add = adds.pop();
            for (String addend : add.getInputList()) {
                Optional<NodeProto> inner = g.producer(addend, "Add");
                if (inner.isPresent() && g.readOnlyBy(addend, add)) {
                    adds.push(inner.get());
                } else {
                    addends.add(addend);
                }
            }
        }
        if (addends.size() < 2 || addends.size() > 3) {
            return Matched.no("the sum has " + addends.size() + " addends, not 2 or 3 embedding lookups");
        }
        List<Lookup> byInput = new ArrayList<>();
        Lookup position = null;
        for (String addend : addends) {
            Optional<NodeProto> gather = g.producer(addend, "Gather");
            List<NodeProto> readers = g.consumers(addend);
            if (gather.isEmpty() || NodeAttributes.getInt(gather.get(), "axis", 0) != 0 || readers.size() != 1
                    || !g.readOnlyBy(addend, readers.get(0))) {
                return Matched.no("addend " + addend + " is not a Gather (axis 0) read only by the sum");
            }
            Optional<TensorProto> table = g.floatConstant(gather.get().getInput(0));
            if (table.isEmpty() || GraphPatterns.shape(table.get()).length != 2
                    || GraphPatterns.shape(table.get())[1] != width) {
                return Matched.no(addend + " does not look up a constant [rows, " + width + "] table");
            }
            Lookup lookup = new Lookup(gather.get().getInput(0), GraphPatterns.shape(table.get())[0],
                    gather.get().getInput(1));
            if (g.isGraphInput(lookup.indices())) {
                byInput.add(lookup);
            } else if (position == null && countsFromZero(lookup.indices(), g)) {
                position = lookup;
            } else {
                return Matched.no(addend + " is indexed neither by a graph input nor by positions 0, 1, 2, ...");
            }
        }
        if (position == null || byInput.isEmpty() || byInput.size() > 2) {
            return Matched.no("not one position lookup and one or two lookups by graph inputs");
        }
        // The larger table is the vocabulary; a segment table has a few rows.
        byInput.sort((a, b) -> Long.compare(b.rows(), a.rows()));
        Lookup word = byInput.get(0);
        Optional<DataType> idsType = integerInput(word.indices(), g);
        if (idsType.isEmpty()) {
            return Matched.no(word.indices() + " is not a 2-D int32 or int64 input");
        }
        if (byInput.size() == 1) {
            return Matched.of(new EmbedLayerNormMatch(norm, word.table(), word.indices(), idsType.get(),
                    position.table(), "", "", null));
        }
        Lookup segment = byInput.get(1);
        Optional<DataType> segmentType = integerInput(segment.indices(), g);
        if (segment.rows() == word.rows() || segmentType.isEmpty()) {
            return Matched.no("which of " + word.indices() + " and " + segment.indices() + " holds the word ids is "
                    + "unclear");
        }
        return Matched.of(new EmbedLayerNormMatch(norm, word.table(), word.indices(), idsType.get(), position.table(),
                segment.table(), segment.indices(), segmentType.get()));
    }

    /**
     * Whether {@code indices} is {@code Slice(r, 0, end, axis 1)} of a constant row {@code r = [[0, 1, 2, ...]]}
     * (steps 1), so that it holds the positions 0 to end - 1.
     */
    private static boolean countsFromZero(String indices, GraphPatterns g) throws InvalidModelException {
        Optional<NodeProto> slice = g.producer(indices, "Slice");
        if (slice.isEmpty() || slice.get().getInputCount() < 4) {
            return false;
        }
        NodeProto s = slice.get();
        Optional<long[]> row = g.longs(s.getInput(0));
        Optional<long[]> starts = g.longs(s.getInput(1));
        Optional<long[]> axes = g.longs(s.getInput(3));
        Optional<long[]> steps = s.getInputCount() > 4 ? g.longs(s.getInput(4)) : Optional.of(new long[] {1});
        long[] rowShape = g.graph().constant(s.getInput(0)).map(GraphPatterns::shape).orElse(new long[0]);
        if (row.isEmpty() || starts.isEmpty() || axes.isEmpty() || steps.isEmpty() || rowShape.length != 2
                || rowShape[0] != 1 || starts.get().length != 1 || starts.get()[0] != 0 || axes.get().length != 1
                || (axes.get()[0] != 1 && axes.get()[0] != -1) || steps.get().length != 1 || steps.get()[0] != 1) {
            return false;
        }
        for (int i = 0; i < row.get().length; i++) {
            if (row.get()[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** The element type of a 2-D int32 or int64 graph input. */
    private static Optional<DataType> integerInput(String input, GraphPatterns g) {
        return g.matrixInputType(input).filter(t -> t == DataType.INT32 || t == DataType.INT64);
    }

    @Override
    public String kind() {
        return "EmbedLayerNormalization";
    }

    @Override
    public String output() {
        return norm.output();
    }

    @Override
    public void apply(GraphEditor graph, Shared shared) {
        String name = graph.uniqueName(norm.last().getName() + "_embed_layer_norm");
        String segmentIds = segment.isEmpty() ? "" : shared.int32(graph, segment, segmentType);
        Node fused = Node.op("EmbedLayerNormalization").domain(Fusion.MICROSOFT).named(name)
                .in(shared.int32(graph, ids, idsType), segmentIds, words, position, segments, norm.gamma(), norm.beta())
                // ONNX Runtime's schema requires the mask index output even without a mask; nothing reads it.
                .out(norm.output(), graph.uniqueName(name + "_mask_index")).attr("epsilon", norm.epsilon());
        graph.replaceNode(norm.last().getName(), fused);
    }
}
