package dev.lathe.quantize.qdq;

import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Raises a model's default-domain opset to 13, the first with per-channel QuantizeLinear/DequantizeLinear
 * ({@code axis}). The operators whose meaning changed between 10 and 13 are rewritten to keep it:
 * Squeeze, Unsqueeze, ReduceSum and Split take their axes/splits as an input instead of an attribute;
 * Softmax, LogSoftmax and Hardmax are kept only when they work on the last axis (where the old and new
 * definitions agree; their input ranks come from a run of the model, see {@link #rankedValues}), and then say
 * {@code axis=-1}. Anything else that cannot be carried over is refused, naming the node.
 */
final class OpsetUpgrade {
    /** The opset per-channel quantization needs. */
    static final long TARGET = 13;
    private static final Set<String> AXES_TO_INPUT = Set.of("Squeeze", "Unsqueeze", "ReduceSum");
    private static final Set<String> LAST_AXIS_ONLY = Set.of("Softmax", "LogSoftmax", "Hardmax");

    private OpsetUpgrade() {
    }

    /** The values whose rank {@link #apply} needs: inputs of main-graph Softmax-like nodes, when an upgrade is due. */
    static Set<String> rankedValues(OnnxModel model) {
        if (model.opsetVersion("").orElse(1L) >= TARGET) {
            return Set.of();
        }
        Set<String> values = new java.util.LinkedHashSet<>();
        model.graph().nodes().stream().filter(n -> LAST_AXIS_ONLY.contains(n.getOpType()) && n.getDomain().isEmpty())
                .forEach(n -> values.add(n.getInput(0)));
        return values;
    }

    /**
     * Upgrades the editor's model when its default opset is below 13.
     *
     * @param ranks the ranks of {@link #rankedValues} (from a run of the model)
     * @return the opset it had, when it was upgraded
     * @throws IllegalArgumentException if the model's opset is below 10, or a node's meaning would change
     */
    static Optional<Long> apply(OnnxModel model, ModelEditor editor, Map<String, Integer> ranks) {
        long opset = model.opsetVersion("").orElse(1L);
        if (opset >= TARGET) {
            return Optional.empty();
        }
        if (opset < 10) {
            throw new IllegalArgumentException(model.source() + ": static quantization needs opset 10 or later "
                    + "(QuantizeLinear); the model imports ai.onnx " + opset);
        }
        for (GraphEditor graph : editor.graphs()) {
            for (NodeProto node : graph.nodes()) {
                if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                    continue;
                }
                if (AXES_TO_INPUT.contains(node.getOpType())) {
                    moveToInput(graph, node, "axes", 1);
                } else if (node.getOpType().equals("Split")) {
                    moveToInput(graph, node, "split", 1);
                } else if (LAST_AXIS_ONLY.contains(node.getOpType())) {
                    long axis = NodeAttributes.getInt(node, "axis", 1);
                    Integer rank = ranks.get(node.getInput(0));
                    if (axis != -1 && (rank == null || (axis < 0 ? axis + rank : axis) != rank - 1)) {
                        throw new IllegalArgumentException(model.source() + ": node '" + node.getName() + "' ("
                                + node.getOpType() + ", axis " + axis + (rank == null ? "" : " of " + rank)
                                + ") changes meaning at opset 13, which per-channel static quantization needs; quantize "
                                + "with per-channel=false, or export the model at opset 13 or later");
                    }
                    List<AttributeProto> kept = node.getAttributeList().stream().filter(a -> !a.getName().equals("axis"))
                            .toList();
                    graph.replaceNode(node.getName(), node.toBuilder().clearAttribute().addAllAttribute(kept)
                            .addAttribute(NodeAttributes.ofInt("axis", -1)).build());
                }
            }
        }
        editor.requireOpset("", TARGET);
        return Optional.of(opset);
    }

    /** Turns an ints attribute into a constant int64 input at {@code position} (no attribute: nothing to move). */
    private static void moveToInput(GraphEditor graph, NodeProto node, String attribute, int position) {
        Optional<long[]> values = NodeAttributes.getInts(node, attribute);
        if (values.isEmpty()) {
            return;
        }
        String constant = graph.uniqueName(node.getName() + "_" + attribute);
        graph.putInitializer(constant, TensorData.ofLongs(new long[] {values.get().length}, values.get()));
        List<AttributeProto> kept = node.getAttributeList().stream().filter(a -> !a.getName().equals(attribute)).toList();
        NodeProto.Builder replaced = node.toBuilder().clearAttribute().addAllAttribute(kept);
        while (replaced.getInputCount() < position) {
            replaced.addInput("");
        }
        if (replaced.getInputCount() == position) {
            replaced.addInput(constant);
        } else {
            replaced.setInput(position, constant);
        }
        graph.replaceNode(node.getName(), replaced.build());
    }
}
