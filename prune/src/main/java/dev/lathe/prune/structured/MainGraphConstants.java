package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.Optional;

/**
 * The constant values of a model's main graph, as {@link Graph#constant} finds them (initializers that are not
 * graph inputs, outputs of {@code Constant} nodes), with their elements.
 */
final class MainGraphConstants {
    private final OnnxModel model;
    private final Graph graph;

    MainGraphConstants(OnnxModel model) {
        this.model = model;
        this.graph = model.graph();
    }

    /** The model the constants belong to. */
    OnnxModel model() {
        return model;
    }

    /** Whether a value is a constant. */
    boolean contains(String value) {
        return graph.constant(value).isPresent();
    }

    /** The tensor of a constant value, if it is one ({@link Graph#constant}). */
    Optional<TensorProto> tensor(String value) {
        return graph.constant(value);
    }

    /** The Constant node defining a value, if a Constant node defines it (rather than an initializer). */
    Optional<NodeProto> constantNode(String value) {
        return graph.constantNode(value);
    }

    /** The constant a node input reads, if it reads one. */
    Optional<TensorProto> input(NodeProto node, int input) {
        return node.getInputCount() > input ? tensor(node.getInput(input)) : Optional.empty();
    }

    /** The elements of the constant a node input reads. */
    TensorData data(NodeProto node, int input) throws InvalidModelException {
        return model.tensorData(input(node, input).orElseThrow(
                () -> new IllegalStateException(ChannelGroups.label(node) + " input " + input + " is not a constant")));
    }

    /** The elements of a constant value. */
    TensorData data(String value) throws InvalidModelException {
        return model.tensorData(tensor(value).orElseThrow(() -> new IllegalStateException("'" + value + "' is not a constant")));
    }
}
