package dev.lathe.core.model;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Edits the main graph of a model and builds a new, checked {@link OnnxModel}; the original is never
 * changed. Every node gets a unique name (nodes that had none are named after their op type), and
 * {@link #uniqueName(String)} hands out names no value or node of the model uses. {@link #build()} sorts
 * the nodes topologically and rejects any result that breaks {@link ModelInvariants}.
 */
public final class ModelEditor {
    private final OnnxModel base;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, String> metadata;
    private final Map<String, Long> opsets;
    private final Set<String> usedNames = new HashSet<>();

    ModelEditor(OnnxModel base) {
        this.base = base;
        this.metadata = base.metadata();
        this.opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto opset : base.proto().getOpsetImportList()) {
            opsets.put(opset.getDomain(), opset.getVersion());
        }
        for (Graph graph : base.graph().withAllSubgraphs()) {
            graph.proto().getInputList().forEach(v -> usedNames.add(v.getName()));
            graph.proto().getOutputList().forEach(v -> usedNames.add(v.getName()));
            graph.proto().getInitializerList().forEach(t -> usedNames.add(t.getName()));
            for (NodeProto node : graph.proto().getNodeList()) {
                usedNames.addAll(node.getOutputList());
                usedNames.addAll(node.getInputList());
                usedNames.add(node.getName());
            }
        }
        Set<String> seenNodeNames = new HashSet<>();
        for (NodeProto node : base.graph().proto().getNodeList()) {
            nodes.add(named(node, seenNodeNames));
        }
        base.graph().proto().getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    }

    /** The node with a name unique across the model, its subgraphs' nodes named likewise. */
    private NodeProto named(NodeProto node, Set<String> seenNodeNames) {
        boolean needsName = node.getName().isEmpty() || !seenNodeNames.add(node.getName());
        boolean holdsGraphs = node.getAttributeList().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0);
        if (!needsName && !holdsGraphs) {
            return node;
        }
        NodeProto.Builder builder = node.toBuilder();
        if (needsName) {
            builder.setName(uniqueName(nameBase(node)));
            seenNodeNames.add(builder.getName());
        }
        for (AttributeProto.Builder attribute : builder.getAttributeBuilderList()) {
            if (attribute.hasG()) {
                attribute.setG(named(attribute.getG(), seenNodeNames));
            }
            for (int i = 0; i < attribute.getGraphsCount(); i++) {
                attribute.setGraphs(i, named(attribute.getGraphs(i), seenNodeNames));
            }
        }
        return builder.build();
    }

    private GraphProto named(GraphProto graph, Set<String> seenNodeNames) {
        GraphProto.Builder builder = graph.toBuilder().clearNode();
        for (NodeProto node : graph.getNodeList()) {
            builder.addNode(named(node, seenNodeNames));
        }
        return builder.build();
    }

    private static String nameBase(NodeProto node) {
        return node.getName().isEmpty() ? node.getOpType() : node.getName();
    }

    /** A name no value or node of the model uses yet: {@code base} itself if free, else {@code base_N}. */
    public String uniqueName(String base) {
        if (base.isEmpty()) {
            throw new IllegalArgumentException("name base must not be empty");
        }
        String name = base;
        for (int n = 1; usedNames.contains(name); n++) {
            name = base + "_" + n;
        }
        usedNames.add(name);
        return name;
    }

    /** The main graph's nodes as edited so far, in insertion order. */
    public List<NodeProto> nodes() {
        return List.copyOf(nodes);
    }

    /** The node with this name, if present. */
    public Optional<NodeProto> node(String name) {
        return nodes.stream().filter(n -> n.getName().equals(name)).findFirst();
    }

    /** The main graph's initializer with this name, if present. */
    public Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    /**
     * Appends a node. Its name must be non-empty and unused (take one from {@link #uniqueName}).
     *
     * @throws IllegalArgumentException if the name is empty or already used by a node
     */
    public ModelEditor addNode(NodeProto node) {
        requireNewName(node);
        nodes.add(node);
        reserve(node);
        return this;
    }

    /** Replaces the named node by the given nodes, at its position. */
    public ModelEditor replaceNode(String name, NodeProto... replacements) {
        int index = indexOf(name);
        nodes.remove(index);
        for (int i = replacements.length - 1; i >= 0; i--) {
            NodeProto replacement = replacements[i];
            if (!replacement.getName().equals(name)) {
                requireNewName(replacement);
            }
            nodes.add(index, replacement);
            reserve(replacement);
        }
        return this;
    }

    /** Removes the named node. */
    public ModelEditor removeNode(String name) {
        nodes.remove(indexOf(name));
        return this;
    }

    /** Adds an initializer, or replaces the one with the same name. */
    public ModelEditor putInitializer(String name, TensorData data) {
        return putInitializer(TensorCodec.encode(name, data));
    }

    /** Adds an initializer, or replaces the one with the same name. */
    public ModelEditor putInitializer(TensorProto tensor) {
        if (tensor.getName().isEmpty()) {
            throw new IllegalArgumentException("an initializer needs a name");
        }
        initializers.put(tensor.getName(), tensor);
        usedNames.add(tensor.getName());
        return this;
    }

    /** Removes the named initializer if present. */
    public ModelEditor removeInitializer(String name) {
        initializers.remove(name);
        return this;
    }

    /** Sets a metadata_props entry (for provenance, for instance). */
    public ModelEditor putMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Makes the model import {@code domain} at least at {@code version} (raising, never lowering). */
    public ModelEditor requireOpset(String domain, long version) {
        opsets.merge(domain, version, Math::max);
        return this;
    }

    /**
     * Removes nodes none of whose outputs reach a graph output, and initializers no node reads (unless
     * they are graph inputs). ONNX operators have no side effects, so this never changes results.
     *
     * @return the number of nodes removed
     */
    public int removeDeadNodes() {
        GraphProto current = graphProto(nodes);
        Graph view = Graph.of(current);
        Set<String> live = new HashSet<>();
        current.getOutputList().forEach(v -> live.add(v.getName()));
        List<NodeProto> order = view.nodes();
        Set<NodeProto> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = order.size() - 1; i >= 0; i--) {
            NodeProto node = order.get(i);
            if (node.getOutputList().stream().anyMatch(live::contains)) {
                keep.add(node);
                live.addAll(view.readsOf(node));
            }
        }
        int before = nodes.size();
        nodes.removeIf(node -> !keep.contains(node));
        Set<String> inputs = new HashSet<>();
        current.getInputList().forEach(v -> inputs.add(v.getName()));
        initializers.keySet().removeIf(name -> !live.contains(name) && !inputs.contains(name));
        return before - nodes.size();
    }

    /**
     * Builds the edited model: nodes in topological order, all invariants checked.
     *
     * @throws InvalidModelException if the edit broke an invariant (the message lists what)
     */
    public OnnxModel build() throws InvalidModelException {
        GraphProto unsorted = graphProto(nodes);
        Graph view = Graph.of(unsorted);
        GraphProto sorted = view.isCyclic() ? unsorted : unsorted.toBuilder().clearNode().addAllNode(view.nodes()).build();
        List<String> violations = ModelInvariants.violations(Graph.of(sorted));
        if (!violations.isEmpty()) {
            throw new InvalidModelException(base.source() + ": the edit broke the graph: " + String.join("; ", violations));
        }
        ModelProto.Builder model = base.proto().toBuilder().setGraph(sorted).clearMetadataProps().clearOpsetImport();
        metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        opsets.forEach((domain, version) -> model.addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return base.derive(model.build());
    }

    private GraphProto graphProto(List<NodeProto> nodeList) {
        return base.graph().proto().toBuilder()
                .clearNode().addAllNode(nodeList)
                .clearInitializer().addAllInitializer(initializers.values())
                .build();
    }

    private int indexOf(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node named '" + name + "' in " + base.source());
    }

    private void requireNewName(NodeProto node) {
        if (node.getName().isEmpty()) {
            throw new IllegalArgumentException("a " + node.getOpType() + " node needs a name: use uniqueName()");
        }
        if (nodes.stream().anyMatch(n -> n.getName().equals(node.getName()))) {
            throw new IllegalArgumentException("a node named '" + node.getName() + "' already exists");
        }
    }

    private void reserve(NodeProto node) {
        usedNames.add(node.getName());
        usedNames.addAll(node.getOutputList());
    }
}
