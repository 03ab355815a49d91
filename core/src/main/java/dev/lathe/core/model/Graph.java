package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view of one ONNX graph for passes: nodes in topological order, producer and consumer
 * lookup, initializers, true inputs and outputs, and the subgraphs held by {@code If}/{@code Loop}/
 * {@code Scan} nodes (which may read values of the graphs around them).
 */
public final class Graph {
    private final GraphProto proto;
    private final String path;
    private final Graph parent;
    private final List<NodeProto> nodes;
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<NodeProto, List<Graph>> subgraphs = new IdentityHashMap<>();
    private final Map<NodeProto, Set<String>> outerReads = new IdentityHashMap<>();
    private final boolean cyclic;

    /** A view of the main graph of a model. */
    public static Graph of(GraphProto proto) {
        return new Graph(proto, "", null);
    }

    private Graph(GraphProto proto, String path, Graph parent) {
        this.proto = proto;
        this.path = path;
        this.parent = parent;
        for (TensorProto initializer : proto.getInitializerList()) {
            initializers.put(initializer.getName(), initializer);
        }
        int index = 0;
        for (NodeProto node : proto.getNodeList()) {
            String nodeLabel = node.getName().isEmpty() ? node.getOpType() + "#" + index : node.getName();
            index++;
            List<Graph> held = new ArrayList<>();
            for (AttributeProto attribute : node.getAttributeList()) {
                if (attribute.hasG()) {
                    held.add(new Graph(attribute.getG(), childPath(nodeLabel, attribute.getName()), this));
                }
                for (int i = 0; i < attribute.getGraphsCount(); i++) {
                    held.add(new Graph(attribute.getGraphs(i), childPath(nodeLabel, attribute.getName() + "[" + i + "]"), this));
                }
            }
            if (!held.isEmpty()) {
                subgraphs.put(node, List.copyOf(held));
                Set<String> reads = new LinkedHashSet<>();
                for (Graph subgraph : held) {
                    reads.addAll(subgraph.outerValueReads());
                }
                outerReads.put(node, Collections.unmodifiableSet(reads));
            }
            for (String output : node.getOutputList()) {
                if (!output.isEmpty()) {
                    producers.putIfAbsent(output, node);
                }
            }
        }
        for (NodeProto node : proto.getNodeList()) {
            for (String input : readsOf(node)) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        List<NodeProto> sorted = topologicalOrder();
        this.cyclic = sorted == null;
        this.nodes = sorted == null ? List.copyOf(proto.getNodeList()) : List.copyOf(sorted);
    }

    private String childPath(String nodeLabel, String attribute) {
        return (path.isEmpty() ? "" : path + "/") + nodeLabel + "/" + attribute;
    }

    /** Values this graph's nodes read that it does not define itself (values of enclosing graphs). */
    Set<String> outerValueReads() {
        Set<String> defined = new HashSet<>(initializers.keySet());
        proto.getInputList().forEach(v -> defined.add(v.getName()));
        proto.getNodeList().forEach(n -> defined.addAll(n.getOutputList()));
        Set<String> reads = new LinkedHashSet<>();
        for (NodeProto node : proto.getNodeList()) {
            for (String input : readsOf(node)) {
                if (!input.isEmpty() && !defined.contains(input)) {
                    reads.add(input);
                }
            }
        }
        for (ValueInfoProto output : proto.getOutputList()) {
            if (!defined.contains(output.getName())) {
                reads.add(output.getName());
            }
        }
        return reads;
    }

    /** Every value a node reads: its inputs (without omitted "" ones) and what its subgraphs read from outside. */
    public Set<String> readsOf(NodeProto node) {
        Set<String> reads = new LinkedHashSet<>();
        for (String input : node.getInputList()) {
            if (!input.isEmpty()) {
                reads.add(input);
            }
        }
        reads.addAll(outerReads.getOrDefault(node, Set.of()));
        return reads;
    }

    /** Kahn's algorithm, stable in file order; null when the nodes form a cycle. */
    private List<NodeProto> topologicalOrder() {
        List<NodeProto> all = proto.getNodeList();
        Map<NodeProto, Integer> pending = new IdentityHashMap<>();
        Map<NodeProto, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            position.put(all.get(i), i);
        }
        Map<NodeProto, List<NodeProto>> dependents = new IdentityHashMap<>();
        for (NodeProto node : all) {
            int count = 0;
            for (String input : readsOf(node)) {
                NodeProto producer = producers.get(input);
                if (producer != null) {
                    count++;
                    dependents.computeIfAbsent(producer, k -> new ArrayList<>()).add(node);
                }
            }
            pending.put(node, count);
        }
        java.util.PriorityQueue<NodeProto> ready = new java.util.PriorityQueue<>((a, b) -> position.get(a) - position.get(b));
        for (NodeProto node : all) {
            if (pending.get(node) == 0) {
                ready.add(node);
            }
        }
        List<NodeProto> order = new ArrayList<>(all.size());
        while (!ready.isEmpty()) {
            NodeProto node = ready.poll();
            order.add(node);
            for (NodeProto dependent : dependents.getOrDefault(node, List.of())) {
                if (pending.merge(dependent, -1, Integer::sum) == 0) {
                    ready.add(dependent);
                }
            }
        }
        return order.size() == all.size() ? order : null;
    }

    /** The underlying protobuf message. */
    public GraphProto proto() {
        return proto;
    }

    /** "" for the main graph; for a subgraph, the node/attribute path that leads to it. */
    public String path() {
        return path;
    }

    /** The graph enclosing this subgraph, if any. */
    public Optional<Graph> parent() {
        return Optional.ofNullable(parent);
    }

    /** Whether the nodes' data dependencies form a cycle (then {@link #nodes()} is in file order). */
    public boolean isCyclic() {
        return cyclic;
    }

    /** Nodes in topological order (stable with respect to file order). */
    public List<NodeProto> nodes() {
        return nodes;
    }

    /** The node that produces a value in this graph, if any. */
    public Optional<NodeProto> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** Nodes of this graph that read a value, directly or through their subgraphs. */
    public List<NodeProto> consumers(String value) {
        return Collections.unmodifiableList(consumers.getOrDefault(value, List.of()));
    }

    /**
     * Nodes of this graph that read a value: as an input, and also through their subgraphs when
     * {@code subgraphReads} (as {@link #consumers(String)} does).
     */
    public List<NodeProto> consumers(String value, boolean subgraphReads) {
        List<NodeProto> all = consumers(value);
        return subgraphReads ? all : all.stream().filter(n -> n.getInputList().contains(value)).toList();
    }

    /** Initializers by name, in file order. */
    public Map<String, TensorProto> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    /**
     * The constant tensor a value names as seen from this graph: an initializer that is not also a graph input
     * (those can be overridden), or a {@code Constant} node output of this graph or, failing that, of an
     * enclosing graph. Empty for inputs and computed values. {@link GraphEditor#constant} answers the same
     * for a graph being edited.
     */
    public Optional<TensorProto> constant(String value) {
        if (proto.getInputList().stream().anyMatch(v -> v.getName().equals(value))) {
            return Optional.empty();
        }
        TensorProto initializer = initializers.get(value);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        Optional<NodeProto> node = producer(value);
        if (node.isPresent()) {
            return isConstantNode(node.get()) && node.get().getOutputCount() == 1 ? constantNodeValue(node.get())
                    : Optional.empty();
        }
        return parent == null ? Optional.empty() : parent.constant(value);
    }

    /** The {@code Constant} node that defines a value in this graph, if one does. */
    public Optional<NodeProto> constantNode(String value) {
        return producer(value).filter(node -> isConstantNode(node) && node.getOutputCount() == 1
                && constantNodeValue(node).isPresent());
    }

    /** The initializer with the given name in this graph (not enclosing ones), if any. */
    public Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    /** Inputs a caller must feed: graph inputs that are not also initializers. */
    public List<ValueInfoProto> inputs() {
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto input : proto.getInputList()) {
            if (!initializers.containsKey(input.getName())) {
                inputs.add(input);
            }
        }
        return inputs;
    }

    /** Every declared graph input, including initializers that are also inputs (defaults a caller may override). */
    public List<ValueInfoProto> declaredInputs() {
        return proto.getInputList();
    }

    /** Graph outputs. */
    public List<ValueInfoProto> outputs() {
        return proto.getOutputList();
    }

    /** The value_info entries: declared types and shapes of intermediate values. */
    public List<ValueInfoProto> valueInfo() {
        return proto.getValueInfoList();
    }

    /** The subgraphs a node holds in its graph attributes (empty for most nodes). */
    public List<Graph> subgraphs(NodeProto node) {
        return subgraphs.getOrDefault(node, List.of());
    }

    /** This graph and all graphs nested in it, depth first, this graph first. */
    public List<Graph> withAllSubgraphs() {
        List<Graph> all = new ArrayList<>();
        Deque<Graph> stack = new ArrayDeque<>();
        stack.push(this);
        while (!stack.isEmpty()) {
            Graph graph = stack.pop();
            all.add(graph);
            List<NodeProto> graphNodes = graph.proto.getNodeList();
            for (int i = graphNodes.size() - 1; i >= 0; i--) {
                List<Graph> held = graph.subgraphs(graphNodes.get(i));
                for (int j = held.size() - 1; j >= 0; j--) {
                    stack.push(held.get(j));
                }
            }
        }
        return all;
    }

    /** Constant tensors of this graph and its subgraphs: initializers and Constant-node values. */
    public List<ConstantTensor> constants() {
        List<ConstantTensor> constants = new ArrayList<>();
        for (Graph graph : withAllSubgraphs()) {
            for (TensorProto initializer : graph.initializers.values()) {
                constants.add(new ConstantTensor(initializer.getName(), ConstantTensor.Origin.INITIALIZER, graph.path, "",
                        initializer));
            }
            for (NodeProto node : graph.proto.getNodeList()) {
                if (isConstantNode(node) && node.getOutputCount() == 1) {
                    Optional<TensorProto> value = constantNodeValue(node);
                    value.ifPresent(tensor -> constants.add(new ConstantTensor(node.getOutput(0),
                            ConstantTensor.Origin.CONSTANT_NODE, graph.path, node.getName(), tensor)));
                }
            }
        }
        return constants;
    }

    /** Whether the node is an ONNX {@code Constant}. */
    public static boolean isConstantNode(NodeProto node) {
        return node.getOpType().equals("Constant") && (node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"));
    }

    /**
     * The tensor a Constant node defines: its {@code value} attribute, or a tensor built from
     * {@code value_float} (float32 scalar), {@code value_floats} (float32 vector), {@code value_int} (int64
     * scalar) or {@code value_ints} (int64 vector), named after the node's output. Empty for the other forms
     * ({@code value_string}, {@code value_strings}, {@code sparse_value}), which hold no weights or shapes.
     */
    public static Optional<TensorProto> constantNodeValue(NodeProto node) {
        String name = node.getOutputCount() == 0 ? "" : node.getOutput(0);
        for (AttributeProto attribute : node.getAttributeList()) {
            switch (attribute.getName()) {
                case "value" -> {
                    if (attribute.hasT()) {
                        return Optional.of(attribute.getT());
                    }
                }
                case "value_float" -> {
                    return Optional.of(TensorCodec.encode(name, TensorData.ofFloats(new long[0], attribute.getF())));
                }
                case "value_floats" -> {
                    float[] values = new float[attribute.getFloatsCount()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = attribute.getFloats(i);
                    }
                    return Optional.of(TensorCodec.encode(name, TensorData.ofFloats(new long[] {values.length}, values)));
                }
                case "value_int" -> {
                    return Optional.of(TensorCodec.encode(name, TensorData.ofLongs(new long[0], attribute.getI())));
                }
                case "value_ints" -> {
                    long[] values = attribute.getIntsList().stream().mapToLong(Long::longValue).toArray();
                    return Optional.of(TensorCodec.encode(name, TensorData.ofLongs(new long[] {values.length}, values)));
                }
                default -> {
                    // value_string(s), sparse_value or a foreign attribute: no numeric tensor.
                }
            }
        }
        return Optional.empty();
    }
}
