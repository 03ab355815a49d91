package dev.lathe.core.weights;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the nodes whose weight input is a constant float32 matrix, in every graph of a model (subgraphs of
 * If/Loop/Scan included), whether the weight is an initializer or a Constant node's value, here or in an
 * enclosing graph.
 */
public final class WeightedNodes {
    private WeightedNodes() {
    }

    /**
     * A node with a constant weight.
     *
     * @param graph       the editor of the graph holding the node
     * @param node        the node
     * @param weightInput which input is the weight
     * @param weight      the weight tensor
     */
    public record WeightedNode(GraphEditor graph, NodeProto node, int weightInput, TensorProto weight) {
        /** The weight's value name. */
        public String weightName() {
            return node.getInput(weightInput);
        }

        /** The weight's shape. */
        public long[] weightShape() {
            return TensorCodec.shapeOf(weight);
        }
    }

    /**
     * Nodes of the given op types whose input {@code weightInput} is a constant 2-D float32 tensor, in graph
     * order (main graph first).
     */
    public static List<WeightedNode> find(ModelEditor editor, java.util.Set<String> opTypes, int weightInput) {
        List<WeightedNode> found = new ArrayList<>();
        for (GraphEditor graph : editor.graphs()) {
            for (NodeProto node : graph.nodes()) {
                if (!opTypes.contains(node.getOpType()) || !(node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"))
                        || node.getInputCount() <= weightInput) {
                    continue;
                }
                Optional<TensorProto> weight = graph.constant(node.getInput(weightInput));
                if (weight.isPresent() && weight.get().getDataType() == DataType.FLOAT.code()
                        && weight.get().getDimsCount() == 2) {
                    found.add(new WeightedNode(graph, node, weightInput, weight.get()));
                }
            }
        }
        return found;
    }
}
