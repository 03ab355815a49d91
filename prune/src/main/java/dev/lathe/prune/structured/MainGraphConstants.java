package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The constant values of a model's main graph: initializers that are not graph inputs (those can be
 * overridden) and outputs of {@code Constant} nodes, by value name.
 */
final class MainGraphConstants {
    private final OnnxModel model;
    private final Map<String, TensorProto> tensors = new HashMap<>();
    private final Map<String, NodeProto> constantNodes = new HashMap<>();

    MainGraphConstants(OnnxModel model) {
        this.model = model;
        Graph graph = model.graph();
        Set<String> inputs = new HashSet<>();
        graph.declaredInputs().forEach(v -> inputs.add(v.getName()));
        graph.initializers().forEach((name, tensor) -> {
            if (!inputs.contains(name)) {
                tensors.put(name, tensor);
            }
        });
        for (NodeProto node : graph.nodes()) {
            if (Graph.isConstantNode(node) && node.getOutputCount() == 1) {
                Graph.constantNodeValue(node).ifPresent(t -> {
                    tensors.put(node.getOutput(0), t);
                    constantNodes.put(node.getOutput(0), node);
                });
            }
        }
    }

    /** The model the constants belong to. */
    OnnxModel model() {
        return model;
    }

    /** Whether a value is a constant. */
    boolean contains(String value) {
        return tensors.containsKey(value);
    }

    /** The tensor of a constant value, if it is one. */
    Optional<TensorProto> tensor(String value) {
        return Optional.ofNullable(tensors.get(value));
    }

    /** The Constant node defining a value, if a Constant node defines it (rather than an initializer). */
    Optional<NodeProto> constantNode(String value) {
        return Optional.ofNullable(constantNodes.get(value));
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
