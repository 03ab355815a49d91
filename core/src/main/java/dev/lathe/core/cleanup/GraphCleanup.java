package dev.lathe.core.cleanup;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code cleanup} pass: removes nodes whose results are never used, bypasses {@code Identity} nodes,
 * and folds constants: every node of the main graph whose inputs are all constants is evaluated once in
 * ONNX Runtime and replaced by an initializer holding its result. Folding is skipped when it would make
 * the model larger by more than {@link #MAX_GROWTH_BYTES} (e.g. an {@code Expand} of a scalar). Exported
 * hard-swish chains become {@code x · HardSigmoid(x)} ({@link HardSwishRewrite}, option {@code hard-swish}). The
 * function never changes: ONNX operators have no side effects, random ops are never folded, and the hard-swish
 * rewrite computes the same function (in float, to the last bits).
 */
public final class GraphCleanup implements Pass {
    /** Folding may add at most this many bytes beyond the constants it consumes. */
    public static final long MAX_GROWTH_BYTES = 64 * 1024;
    private static final Set<String> NOT_FOLDABLE = Set.of("Constant", "RandomNormal", "RandomUniform",
            "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "If", "Loop", "Scan");

    private final Map<String, String> options;
    private final boolean fold;
    private final boolean hardSwish;

    /** A pass with these settings; {@link #options()} gives every setting. */
    public GraphCleanup(GraphCleanupSettings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given. */
    GraphCleanup(Map<String, String> options, GraphCleanupSettings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.fold = settings.fold();
        this.hardSwish = settings.hardSwish();
    }

    @Override
    public String name() {
        return GraphCleanupSettings.PASS;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        Map<String, Object> details = new LinkedHashMap<>();
        ModelEditor editor = model.edit();
        int dead = editor.removeDeadNodes();
        OnnxModel current = editor.build();
        int identities = countIdentities(current);
        current = bypassIdentities(current);
        identities -= countIdentities(current);
        int folded = 0;
        if (fold) {
            Folding folding = fold(current);
            current = folding.model;
            folded = folding.folded;
            if (folding.skipReason != null) {
                details.put("foldingSkipped", folding.skipReason);
            }
        }
        int hardSwishes = 0;
        if (hardSwish) {
            HardSwishRewrite.Result rewrite = HardSwishRewrite.apply(current);
            current = rewrite.model();
            hardSwishes = rewrite.rewritten();
        }
        ModelEditor tidy = current.edit();
        dead += tidy.removeDeadNodes();
        current = tidy.build();
        details.put("deadNodesRemoved", dead);
        details.put("identitiesBypassed", identities);
        details.put("nodesFolded", folded);
        details.put("hardSwishesRewritten", hardSwishes);
        details.put("nodesBefore", model.graph().nodes().size());
        details.put("nodesAfter", current.graph().nodes().size());
        return new PassResult(current, details);
    }

    private static int countIdentities(OnnxModel model) {
        return (int) model.graph().nodes().stream().filter(n -> n.getOpType().equals("Identity") && n.getDomain().isEmpty())
                .count();
    }

    /** Rewires readers of an Identity's output to its input, unless the output is a graph output or read by a subgraph. */
    private static OnnxModel bypassIdentities(OnnxModel model) throws LatheException {
        Graph graph = model.graph();
        Set<String> graphOutputs = new HashSet<>();
        graph.outputs().forEach(v -> graphOutputs.add(v.getName()));
        Set<String> readBySubgraphs = new HashSet<>();
        for (NodeProto node : graph.nodes()) {
            if (!graph.subgraphs(node).isEmpty()) {
                readBySubgraphs.addAll(graph.readsOf(node));
            }
        }
        Map<String, String> replacement = new HashMap<>();
        ModelEditor editor = model.edit();
        for (NodeProto node : editor.nodes()) {
            if (node.getOpType().equals("Identity") && node.getDomain().isEmpty() && node.getInputCount() == 1
                    && !graphOutputs.contains(node.getOutput(0)) && !readBySubgraphs.contains(node.getOutput(0))) {
                replacement.put(node.getOutput(0), node.getInput(0));
                editor.removeNode(node.getName());
            }
        }
        if (replacement.isEmpty()) {
            return model;
        }
        for (NodeProto node : editor.nodes()) {
            NodeProto.Builder rewired = node.toBuilder();
            boolean changed = false;
            for (int i = 0; i < node.getInputCount(); i++) {
                String source = resolve(replacement, node.getInput(i));
                if (!source.equals(node.getInput(i))) {
                    rewired.setInput(i, source);
                    changed = true;
                }
            }
            if (changed) {
                editor.replaceNode(node.getName(), rewired.build());
            }
        }
        return editor.build();
    }

    private static String resolve(Map<String, String> replacement, String value) {
        String current = value;
        while (replacement.containsKey(current)) {
            current = replacement.get(current);
        }
        return current;
    }

    /** The outcome of constant folding. */
    private record Folding(OnnxModel model, int folded, String skipReason) {
    }

    private Folding fold(OnnxModel model) throws LatheException {
        Graph graph = model.graph();
        Set<String> graphInputs = new HashSet<>();
        graph.proto().getInputList().forEach(v -> graphInputs.add(v.getName()));
        Set<String> constants = new HashSet<>();
        graph.initializers().keySet().stream().filter(n -> !graphInputs.contains(n)).forEach(constants::add);
        List<NodeProto> constantNodes = new ArrayList<>();
        for (NodeProto node : graph.nodes()) {
            if (Graph.isConstantNode(node)) {
                constants.addAll(node.getOutputList());
                constantNodes.add(node);
            }
        }
        List<NodeProto> foldable = new ArrayList<>();
        Set<String> foldedValues = new LinkedHashSet<>();
        for (NodeProto node : graph.nodes()) {
            boolean allConstant = node.getInputList().stream().allMatch(in -> in.isEmpty() || constants.contains(in));
            if (isFoldable(node) && allConstant && node.getInputList().stream().anyMatch(in -> !in.isEmpty())) {
                foldable.add(node);
                constants.addAll(node.getOutputList());
                foldedValues.addAll(node.getOutputList());
            }
        }
        if (foldable.isEmpty()) {
            return new Folding(model, 0, null);
        }
        Set<String> needed = neededOutside(graph, foldable, foldedValues);
        Set<String> reads = new HashSet<>();
        foldable.forEach(n -> reads.addAll(n.getInputList()));
        GraphProto.Builder sub = GraphProto.newBuilder().setName("constant_folding");
        long consumedBytes = 0;
        for (TensorProto initializer : graph.initializers().values()) {
            if (reads.contains(initializer.getName())) {
                sub.addInitializer(initializer);
                consumedBytes += OnnxModel.storedBytes(initializer);
            }
        }
        constantNodes.stream().filter(n -> reads.contains(n.getOutput(0))).forEach(sub::addNode);
        foldable.forEach(sub::addNode);
        needed.forEach(name -> sub.addOutput(ValueInfoProto.newBuilder().setName(name)));
        if (needed.isEmpty()) {
            return new Folding(model, 0, null);
        }
        ModelProto subModel = model.proto().toBuilder().setGraph(sub).clearMetadataProps().build();
        Map<String, TensorData> values;
        try (ModelSession session = ModelSession.open(OnnxModel.of(subModel, model.source() + " (constant folding)",
                model.baseDirectory().orElse(null)), SessionSettings.cpu().withOptimization(false))) {
            values = session.run(Map.of());
        } catch (RuntimeFailureException | IllegalArgumentException e) {
            return new Folding(model, 0, "ONNX Runtime could not evaluate the constant nodes: " + e.getMessage());
        }
        long producedBytes = values.values().stream().mapToLong(TensorData::byteSize).sum();
        if (producedBytes > consumedBytes + MAX_GROWTH_BYTES) {
            return new Folding(model, 0, "folding would add " + (producedBytes - consumedBytes) + " bytes of constants");
        }
        if (!values.keySet().containsAll(needed)) {
            throw new PassFailedException("cleanup: ONNX Runtime did not return every folded value of " + model.source());
        }
        ModelEditor editor = model.edit();
        for (NodeProto node : editor.nodes()) {
            if (!Graph.isConstantNode(node) && node.getOutputList().stream().anyMatch(foldedValues::contains)) {
                editor.removeNode(node.getName());
            }
        }
        for (String name : needed) {
            editor.putInitializer(name, values.get(name));
        }
        return new Folding(editor.build(), foldable.size(), null);
    }

    private static boolean isFoldable(NodeProto node) {
        if (!(node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx")) || NOT_FOLDABLE.contains(node.getOpType())) {
            return false;
        }
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.hasG() || attribute.getGraphsCount() > 0) {
                return false;
            }
        }
        return true;
    }

    /** Folded values that something outside the folded set reads: other nodes, subgraphs, graph outputs. */
    private static Set<String> neededOutside(Graph graph, List<NodeProto> foldable, Set<String> foldedValues) {
        Set<NodeProto> folded = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        folded.addAll(foldable);
        Set<String> needed = new LinkedHashSet<>();
        for (NodeProto node : graph.nodes()) {
            if (!folded.contains(node)) {
                graph.readsOf(node).stream().filter(foldedValues::contains).forEach(needed::add);
            }
        }
        graph.outputs().stream().map(ValueInfoProto::getName).filter(foldedValues::contains).forEach(needed::add);
        return needed;
    }
}
