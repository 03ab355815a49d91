package dev.lathe.prune.unstructured;

import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.List;
import java.util.Optional;

/**
 * A constant float weight a sparsity pass rewrites, with every node that multiplies by it. A weight read by
 * several nodes is one {@code PrunableWeight}, so it is pruned once.
 *
 * @param owner        the graph holding the initializer or Constant node (may enclose the readers' graphs)
 * @param name         the weight's value name
 * @param tensor       the weight
 * @param constantNode the Constant node whose {@code value} the weight is, or empty for an initializer
 * @param readers      the nodes that multiply by it, in graph order
 * @param layout       how its elements map to outputs and input channels (the same for every reader)
 */
record PrunableWeight(GraphEditor owner, String name, TensorProto tensor, Optional<NodeProto> constantNode,
        List<Reader> readers, WeightLayout layout) {

    /**
     * A node that multiplies by the weight.
     *
     * @param graph the graph holding the node
     * @param node  the MatMul, Gemm or Conv node; its input 0 is the activation
     */
    record Reader(GraphEditor graph, NodeProto node) {
    }

    /** Copies the readers. */
    PrunableWeight {
        readers = List.copyOf(readers);
    }

    /** Names of the reading nodes. */
    List<String> nodeNames() {
        return readers.stream().map(r -> r.node().getName()).toList();
    }

    /**
     * Replaces the weight's values where it is defined, under the same name: the initializer is replaced, or
     * the Constant node is replaced by one with the same name and output holding the new value.
     */
    void write(float[] values) {
        TensorData data = TensorData.ofFloats(TensorCodec.shapeOf(tensor), values);
        if (constantNode.isEmpty()) {
            owner.putInitializer(TensorCodec.encode(name, data));
            return;
        }
        NodeProto node = constantNode.get();
        owner.replaceNode(node.getName(), node.toBuilder().clearAttribute()
                .addAttribute(NodeAttributes.ofTensor("value", TensorCodec.encode(tensor.getName(), data))).build());
    }
}
