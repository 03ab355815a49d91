package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Edits one graph of a model, the main graph or a subgraph of an {@code If}/{@code Loop}/{@code Scan}
 * node, as part of a {@link ModelEditor}. Names come from the model-wide {@link #uniqueName}; nodes that
 * hold subgraphs keep their (edited) subgraphs as long as they keep their name and graph attributes.
 */
public final class GraphEditor {
    private final ModelEditor owner;
    private final GraphProto base;
    private final String path;
    private final GraphEditor parent;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, List<Child>> children = new LinkedHashMap<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<ValueInfoProto> valueInfo = new ArrayList<>();

    /** A subgraph held by a node: attribute name, index in {@code graphs} (-1 for {@code g}) and its editor. */
    private record Child(String attribute, int index, GraphEditor editor) {
    }

    GraphEditor(ModelEditor owner, GraphProto graph, String path, GraphEditor parent) {
        this.owner = owner;
        this.base = graph;
        this.path = path;
        this.parent = parent;
        nodes.addAll(graph.getNodeList());
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        inputs.addAll(graph.getInputList());
        outputs.addAll(graph.getOutputList());
        valueInfo.addAll(graph.getValueInfoList());
        for (NodeProto node : graph.getNodeList()) {
            List<Child> held = new ArrayList<>();
            for (AttributeProto attribute : node.getAttributeList()) {
                if (attribute.hasG()) {
                    held.add(new Child(attribute.getName(), -1, new GraphEditor(owner, attribute.getG(),
                            childPath(node, attribute.getName()), this)));
                }
                for (int i = 0; i < attribute.getGraphsCount(); i++) {
                    held.add(new Child(attribute.getName(), i, new GraphEditor(owner, attribute.getGraphs(i),
                            childPath(node, attribute.getName() + "[" + i + "]"), this)));
                }
            }
            if (!held.isEmpty()) {
                children.put(node.getName(), held);
            }
        }
    }

    private String childPath(NodeProto node, String attribute) {
        return (path.isEmpty() ? "" : path + "/") + node.getName() + "/" + attribute;
    }

    /** "" for the main graph; else the node/attribute path of the subgraph, as {@link Graph#path()} gives it. */
    public String path() {
        return path;
    }

    /** The editor of the enclosing graph, for subgraphs. */
    public Optional<GraphEditor> parent() {
        return Optional.ofNullable(parent);
    }

    /** This graph's editor and those of all graphs nested in it, this one first. */
    public List<GraphEditor> withAllSubgraphs() {
        List<GraphEditor> all = new ArrayList<>();
        all.add(this);
        for (NodeProto node : nodes) {
            for (Child child : children.getOrDefault(node.getName(), List.of())) {
                all.addAll(child.editor.withAllSubgraphs());
            }
        }
        return all;
    }

    /** A name no value or node of the model uses yet: {@code base} itself if free, else {@code base_N}. */
    public String uniqueName(String nameBase) {
        return owner.uniqueName(nameBase);
    }

    /** The graph's nodes as edited so far, in insertion order. */
    public List<NodeProto> nodes() {
        return List.copyOf(nodes);
    }

    /** The node with this name in this graph, if present. */
    public Optional<NodeProto> node(String name) {
        return nodes.stream().filter(n -> n.getName().equals(name)).findFirst();
    }

    /**
     * Nodes of this graph that read a value, directly or through their subgraphs (the meaning
     * {@link Graph#consumers(String)} has).
     */
    public List<NodeProto> consumers(String value) {
        return consumers(value, true);
    }

    /** Nodes of this graph that read a value: as an input, and also through their subgraphs when {@code subgraphReads}. */
    public List<NodeProto> consumers(String value, boolean subgraphReads) {
        return nodes.stream().filter(n -> n.getInputList().contains(value)
                || subgraphReads && children.getOrDefault(n.getName(), List.of()).stream()
                        .anyMatch(child -> child.editor.readsFromOutside(value))).toList();
    }

    /** Whether this graph (or a subgraph of it) reads a value it neither defines nor receives as an input. */
    private boolean readsFromOutside(String value) {
        if (initializers.containsKey(value) || inputs.stream().anyMatch(v -> v.getName().equals(value))
                || nodes.stream().anyMatch(n -> n.getOutputList().contains(value))) {
            return false;
        }
        return outputs.stream().anyMatch(v -> v.getName().equals(value)) || !consumers(value, true).isEmpty();
    }

    /** This graph's initializer with this name, if present. */
    public Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    /**
     * The constant tensor a value names as seen from this graph: an initializer or a {@code Constant}
     * node output of this graph or, failing that, of an enclosing graph. Empty for anything else (inputs,
     * computed values, initializers that are also graph inputs and can therefore be overridden).
     */
    public Optional<TensorProto> constant(String value) {
        if (inputs.stream().anyMatch(v -> v.getName().equals(value))) {
            return Optional.empty();
        }
        TensorProto initializer = initializers.get(value);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        for (NodeProto node : nodes) {
            if (Graph.isConstantNode(node) && node.getOutputCount() == 1 && node.getOutput(0).equals(value)) {
                return Graph.constantNodeValue(node);
            }
        }
        if (nodes.stream().anyMatch(n -> n.getOutputList().contains(value))) {
            return Optional.empty();
        }
        return parent == null ? Optional.empty() : parent.constant(value);
    }

    /**
     * Appends a node. Its name must be non-empty and not used by another node of this graph (take one from
     * {@link #uniqueName}).
     */
    public GraphEditor addNode(NodeProto node) {
        requireNewName(node);
        nodes.add(node);
        owner.reserve(node);
        return this;
    }

    /**
     * Appends a node written with {@link Node}; an unnamed one is named uniquely after its first output and
     * op type.
     *
     * @return the node's first output
     */
    public String add(Node node) {
        if (!node.hasName()) {
            node.named(uniqueName(node.firstOutput().isEmpty() ? node.opType() : node.firstOutput() + "_" + node.opType()));
        }
        NodeProto built = node.build();
        addNode(built);
        return node.firstOutput();
    }

    /**
     * Replaces the named node by nodes written with {@link Node}, at its position; unnamed replacements are
     * named as {@link #add} names them.
     */
    public GraphEditor replaceNode(String name, Node... replacements) {
        NodeProto[] built = new NodeProto[replacements.length];
        for (int i = 0; i < replacements.length; i++) {
            Node replacement = replacements[i];
            if (!replacement.hasName()) {
                String output = replacement.firstOutput();
                replacement.named(uniqueName(output.isEmpty() ? replacement.opType() : output + "_" + replacement.opType()));
            }
            built[i] = replacement.build();
        }
        return replaceNode(name, built);
    }

    /** The graph's declared inputs (initializers that are also inputs included), as edited so far. */
    public List<ValueInfoProto> inputs() {
        return List.copyOf(inputs);
    }

    /** The graph's outputs, as edited so far. */
    public List<ValueInfoProto> outputs() {
        return List.copyOf(outputs);
    }

    /** The graph's value_info entries (types and shapes of intermediate values), as edited so far. */
    public List<ValueInfoProto> valueInfo() {
        return List.copyOf(valueInfo);
    }

    /**
     * Renames a graph output; the node producing it must be changed to write the new name.
     *
     * @throws IllegalArgumentException if the graph has no such output
     */
    public GraphEditor renameOutput(String from, String to) {
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).getName().equals(from)) {
                outputs.set(i, outputs.get(i).toBuilder().setName(to).build());
                return this;
            }
        }
        throw new IllegalArgumentException("no output named '" + from + "' in " + describe());
    }

    /**
     * Sets the element type of a value wherever this graph declares it (inputs, outputs, value_info); a value
     * it does not declare is left alone.
     */
    public GraphEditor retype(String value, DataType type) {
        for (List<ValueInfoProto> declared : List.of(inputs, outputs, valueInfo)) {
            for (int i = 0; i < declared.size(); i++) {
                ValueInfoProto info = declared.get(i);
                if (info.getName().equals(value) && info.getType().hasTensorType()) {
                    ValueInfoProto.Builder builder = info.toBuilder();
                    builder.getTypeBuilder().getTensorTypeBuilder().setElemType(type.code());
                    declared.set(i, builder.build());
                }
            }
        }
        return this;
    }

    /** Drops the value_info entries of these values (after an edit changed their shapes, for instance). */
    public GraphEditor removeValueInfo(java.util.Collection<String> values) {
        valueInfo.removeIf(info -> values.contains(info.getName()));
        return this;
    }

    private String describe() {
        return path.isEmpty() ? "the main graph" : "subgraph " + path;
    }

    /** Replaces the named node by the given nodes, at its position. */
    public GraphEditor replaceNode(String name, NodeProto... replacements) {
        int index = indexOf(name);
        nodes.remove(index);
        for (int i = replacements.length - 1; i >= 0; i--) {
            NodeProto replacement = replacements[i];
            if (!replacement.getName().equals(name)) {
                requireNewName(replacement);
            }
            nodes.add(index, replacement);
            owner.reserve(replacement);
        }
        return this;
    }

    /** Removes the named node. */
    public GraphEditor removeNode(String name) {
        nodes.remove(indexOf(name));
        return this;
    }

    /** Adds an initializer to this graph, or replaces the one with the same name. */
    public GraphEditor putInitializer(String name, TensorData data) {
        return putInitializer(TensorCodec.encode(name, data));
    }

    /** Adds an initializer to this graph, or replaces the one with the same name. */
    public GraphEditor putInitializer(TensorProto tensor) {
        if (tensor.getName().isEmpty()) {
            throw new IllegalArgumentException("an initializer needs a name");
        }
        initializers.put(tensor.getName(), tensor);
        owner.reserveName(tensor.getName());
        return this;
    }

    /** Removes the named initializer of this graph, if present. */
    public GraphEditor removeInitializer(String name) {
        initializers.remove(name);
        return this;
    }

    /**
     * Removes nodes none of whose outputs reach this graph's outputs, and initializers nothing reads
     * (unless they are graph inputs). ONNX operators have no side effects, so this never changes results.
     *
     * @return the number of nodes removed
     */
    public int removeDeadNodes() {
        GraphProto current = build(false);
        Graph view = Graph.of(current);
        Set<String> live = new HashSet<>();
        current.getOutputList().forEach(v -> live.add(v.getName()));
        List<NodeProto> order = view.nodes();
        Set<String> keep = new HashSet<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            NodeProto node = order.get(i);
            if (node.getOutputList().stream().anyMatch(live::contains)) {
                keep.add(node.getName());
                live.addAll(view.readsOf(node));
            }
        }
        int before = nodes.size();
        nodes.removeIf(node -> !keep.contains(node.getName()));
        Set<String> inputNames = new HashSet<>();
        inputs.forEach(v -> inputNames.add(v.getName()));
        initializers.keySet().removeIf(name -> !live.contains(name) && !inputNames.contains(name));
        return before - nodes.size();
    }

    /**
     * The edited graph with its edited subgraphs; nodes topologically sorted when {@code sorted} and
     * acyclic.
     */
    GraphProto build(boolean sorted) {
        List<NodeProto> built = new ArrayList<>(nodes.size());
        for (NodeProto node : nodes) {
            List<Child> held = children.get(node.getName());
            if (held == null) {
                built.add(node);
                continue;
            }
            NodeProto.Builder builder = node.toBuilder();
            for (Child child : held) {
                for (AttributeProto.Builder attribute : builder.getAttributeBuilderList()) {
                    if (!attribute.getName().equals(child.attribute)) {
                        continue;
                    }
                    if (child.index < 0 && attribute.hasG()) {
                        attribute.setG(child.editor.build(sorted));
                    } else if (child.index >= 0 && child.index < attribute.getGraphsCount()) {
                        attribute.setGraphs(child.index, child.editor.build(sorted));
                    }
                }
            }
            built.add(builder.build());
        }
        GraphProto unsorted = base.toBuilder().clearNode().addAllNode(built)
                .clearInitializer().addAllInitializer(initializers.values())
                .clearInput().addAllInput(inputs).clearOutput().addAllOutput(outputs)
                .clearValueInfo().addAllValueInfo(valueInfo).build();
        if (!sorted) {
            return unsorted;
        }
        Graph view = Graph.of(unsorted);
        return view.isCyclic() ? unsorted : unsorted.toBuilder().clearNode().addAllNode(view.nodes()).build();
    }

    private int indexOf(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node named '" + name + "' in " + (path.isEmpty() ? "the main graph"
                : "subgraph " + path));
    }

    private void requireNewName(NodeProto node) {
        if (node.getName().isEmpty()) {
            throw new IllegalArgumentException("a " + node.getOpType() + " node needs a name: use uniqueName()");
        }
        if (nodes.stream().anyMatch(n -> n.getName().equals(node.getName()))) {
            throw new IllegalArgumentException("a node named '" + node.getName() + "' already exists");
        }
    }
}
