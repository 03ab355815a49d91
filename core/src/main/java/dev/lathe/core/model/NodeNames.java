package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.HashSet;
import java.util.Set;

/**
 * The one node identity of a model: every node gets a name unique across the model, subgraphs included.
 * Nodes that have one keep it; an unnamed node (or the second of two with the same name) is named after its
 * op type (or its old name), made unique as {@link ModelEditor#uniqueName} makes names. {@link OnnxModel}'s
 * graph view and {@link ModelEditor} both start from the graph this class names, so a node has the same name
 * in both; the model file itself is not renamed until it is edited.
 */
final class NodeNames {
    private final Set<String> used = new HashSet<>();
    private final Set<String> seenNodes = new HashSet<>();

    private NodeNames(GraphProto main) {
        collect(main, used);
    }

    /** Every value, initializer and node name the main graph and its subgraphs use. */
    static Set<String> usedNames(GraphProto main) {
        Set<String> names = new HashSet<>();
        collect(main, names);
        return names;
    }

    /** The main graph with every node of every graph uniquely named; {@code main} itself when all already are. */
    static GraphProto named(GraphProto main) {
        return needsNames(main, new HashSet<>()) ? new NodeNames(main).name(main) : main;
    }

    private static boolean needsNames(GraphProto graph, Set<String> seen) {
        for (NodeProto node : graph.getNodeList()) {
            if (node.getName().isEmpty() || !seen.add(node.getName())) {
                return true;
            }
            for (AttributeProto attribute : node.getAttributeList()) {
                if (attribute.hasG() && needsNames(attribute.getG(), seen)) {
                    return true;
                }
                for (GraphProto body : attribute.getGraphsList()) {
                    if (needsNames(body, seen)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void collect(GraphProto graph, Set<String> names) {
        graph.getInputList().forEach(v -> names.add(v.getName()));
        graph.getOutputList().forEach(v -> names.add(v.getName()));
        graph.getInitializerList().forEach(t -> names.add(t.getName()));
        for (NodeProto node : graph.getNodeList()) {
            names.addAll(node.getOutputList());
            names.addAll(node.getInputList());
            names.add(node.getName());
            for (AttributeProto attribute : node.getAttributeList()) {
                if (attribute.hasG()) {
                    collect(attribute.getG(), names);
                }
                attribute.getGraphsList().forEach(body -> collect(body, names));
            }
        }
    }

    private GraphProto name(GraphProto graph) {
        GraphProto.Builder builder = graph.toBuilder().clearNode();
        for (NodeProto node : graph.getNodeList()) {
            builder.addNode(name(node));
        }
        return builder.build();
    }

    private NodeProto name(NodeProto node) {
        boolean needsName = node.getName().isEmpty() || !seenNodes.add(node.getName());
        boolean holdsGraphs = node.getAttributeList().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0);
        if (!needsName && !holdsGraphs) {
            return node;
        }
        NodeProto.Builder builder = node.toBuilder();
        if (needsName) {
            builder.setName(unique(node.getName().isEmpty() ? node.getOpType() : node.getName()));
            seenNodes.add(builder.getName());
        }
        for (AttributeProto.Builder attribute : builder.getAttributeBuilderList()) {
            if (attribute.hasG()) {
                attribute.setG(name(attribute.getG()));
            }
            for (int i = 0; i < attribute.getGraphsCount(); i++) {
                attribute.setGraphs(i, name(attribute.getGraphs(i)));
            }
        }
        return builder.build();
    }

    private String unique(String base) {
        String name = base;
        for (int n = 1; used.contains(name); n++) {
            name = base + "_" + n;
        }
        used.add(name);
        return name;
    }
}
