package dev.lathe.core.model;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Edits a model and builds a new, checked {@link OnnxModel}; the original is never changed. The main
 * graph is edited through this class's own methods (or {@link #mainGraph()}); every graph, subgraphs of
 * {@code If}/{@code Loop}/{@code Scan} included, through {@link #graphs()}. Every node gets a unique
 * name (nodes that had none are named after their op type), and {@link #uniqueName(String)} hands out
 * names no value or node of the model uses. {@link #build()} sorts nodes topologically and rejects any
 * result that breaks {@link ModelInvariants}.
 */
public final class ModelEditor {
    private final OnnxModel base;
    private final GraphEditor main;
    private final Map<String, String> metadata;
    private final Map<String, Long> opsets;
    private final Set<String> usedNames;

    ModelEditor(OnnxModel base) {
        this.base = base;
        this.metadata = base.metadata();
        this.opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto opset : base.proto().getOpsetImportList()) {
            opsets.put(opset.getDomain(), opset.getVersion());
        }
        this.usedNames = NodeNames.usedNames(base.graph().proto());
        this.main = new GraphEditor(this, base.graph().proto(), "", null);
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

    /** The editor of the main graph. */
    public GraphEditor mainGraph() {
        return main;
    }

    /** Editors of every graph: the main graph first, then subgraphs depth first. */
    public List<GraphEditor> graphs() {
        return main.withAllSubgraphs();
    }

    /** The main graph's nodes as edited so far, in insertion order. */
    public List<NodeProto> nodes() {
        return main.nodes();
    }

    /** The main graph's node with this name, if present. */
    public Optional<NodeProto> node(String name) {
        return main.node(name);
    }

    /** The main graph's initializer with this name, if present. */
    public Optional<TensorProto> initializer(String name) {
        return main.initializer(name);
    }

    /**
     * Appends a node to the main graph. Its name must be non-empty and unused (take one from
     * {@link #uniqueName}).
     *
     * @throws IllegalArgumentException if the name is empty or already used by a node
     */
    public ModelEditor addNode(NodeProto node) {
        main.addNode(node);
        return this;
    }

    /** Replaces the named main-graph node by the given nodes, at its position. */
    public ModelEditor replaceNode(String name, NodeProto... replacements) {
        main.replaceNode(name, replacements);
        return this;
    }

    /** Removes the named main-graph node. */
    public ModelEditor removeNode(String name) {
        main.removeNode(name);
        return this;
    }

    /** Adds an initializer to the main graph, or replaces the one with the same name. */
    public ModelEditor putInitializer(String name, TensorData data) {
        main.putInitializer(name, data);
        return this;
    }

    /** Adds an initializer to the main graph, or replaces the one with the same name. */
    public ModelEditor putInitializer(TensorProto tensor) {
        main.putInitializer(tensor);
        return this;
    }

    /** Removes the named main-graph initializer if present. */
    public ModelEditor removeInitializer(String name) {
        main.removeInitializer(name);
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
     * Removes, in every graph, nodes none of whose outputs reach that graph's outputs, and initializers
     * nothing reads (unless they are graph inputs). ONNX operators have no side effects, so this never
     * changes results. Subgraphs are cleaned before the graphs that hold them.
     *
     * @return the number of nodes removed
     */
    public int removeDeadNodes() {
        List<GraphEditor> all = graphs();
        int removed = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            removed += all.get(i).removeDeadNodes();
        }
        return removed;
    }

    /**
     * Builds the edited model: nodes in topological order, all invariants checked.
     *
     * @throws InvalidModelException if the edit broke an invariant (the message lists what)
     */
    public OnnxModel build() throws InvalidModelException {
        GraphProto sorted = main.build(true);
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

    /** Records a node's name and outputs as taken. */
    void reserve(NodeProto node) {
        usedNames.add(node.getName());
        usedNames.addAll(node.getOutputList());
    }

    /** Records a value name as taken. */
    void reserveName(String name) {
        usedNames.add(name);
    }
}
