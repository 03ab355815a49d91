package dev.lathe.quantize.fp16;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One application of {@link Float16Conversion} to one model: decides which nodes run in float16, which
 * values and constants change type, and rewrites every graph accordingly. Used once, then dropped.
 *
 * <p>The model must have a name on every node (as {@link ModelEditor#build()} guarantees), so that node
 * names and graph paths identify nodes and graphs across the read-only views and the editors.
 */
final class Float16Rewrite {
    /** What the conversion does with a node. */
    private enum Role {
        /** Runs in float16: its data inputs and outputs become float16. */
        CONVERT,
        /** Computes in float32 (blocked, excluded, unknown, control flow) and keeps its types. */
        KEEP,
        /** Touches no float32 value. */
        IGNORE,
        /** A Constant node with a float32 value, converted as a constant. */
        CONSTANT
    }

    /**
     * A float32 constant: an initializer ({@code nodeName} empty) or a Constant node's value.
     *
     * @param graphPath the graph holding it
     * @param nodeName  the Constant node, or "" for an initializer
     * @param tensor    the stored float32 tensor
     */
    private record ConstantSite(String graphPath, String nodeName, TensorProto tensor) {
        long elements() {
            return TensorData.elementCount(TensorCodec.shapeOf(tensor));
        }
    }

    private final OnnxModel model;
    private final Float16Settings settings;
    private final Set<String> blocked;
    private final ElementTypes types;
    private final Map<String, Graph> views = new LinkedHashMap<>();
    private final Map<String, Role> roles = new HashMap<>();
    private final Map<String, ConstantSite> constants = new LinkedHashMap<>();
    /** Values whose element type changes, with their new type. */
    private final Map<String, DataType> changed = new HashMap<>();
    private final Map<String, String> producedBy = new HashMap<>();
    private final Map<String, Boolean> beyondRange = new HashMap<>();
    private final Set<String> keptForRange = new HashSet<>();
    private final Map<String, GraphEditor> editors = new HashMap<>();
    private final Map<String, String> conversions = new HashMap<>();
    private final Map<String, String> outputRenames = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> subgraphOutputRenames = new HashMap<>();
    private ModelEditor editor;
    private int constantsConverted;
    private int constantsDuplicated;
    private int castsInserted;
    private int constantsClamped;
    private long valuesClamped;
    private long valuesRaisedToSubnormal;

    Float16Rewrite(OnnxModel model, Float16Settings settings, Set<String> blocked) {
        this.model = model;
        this.settings = settings;
        this.blocked = blocked;
        this.types = ElementTypes.infer(model.graph());
        for (Graph graph : model.graph().withAllSubgraphs()) {
            views.put(graph.path(), graph);
        }
    }

    /** Plans and applies the conversion; returns the converted model. */
    OnnxModel run() throws InvalidModelException {
        assignRoles();
        keepCastsThatFeedOnlyFloat32();
        decideValueTypes();
        editor = model.edit();
        for (GraphEditor graph : editor.graphs()) {
            editors.put(graph.path(), graph);
        }
        convertConstants();
        renameMainOutputs();
        for (GraphEditor graph : editor.graphs()) {
            rewriteNodes(graph);
        }
        castMainOutputs();
        for (GraphEditor graph : editor.graphs()) {
            if (!graph.path().isEmpty()) {
                castSubgraphOutputs(graph);
            }
        }
        for (GraphEditor graph : editor.graphs()) {
            subgraphOutputRenames.getOrDefault(graph.path(), Map.of()).forEach(graph::renameOutput);
            changed.forEach(graph::retype);
        }
        return editor.build();
    }

    /** The step details: counts of what changed. */
    Map<String, Object> details() {
        Map<String, Integer> kept = new TreeMap<>();
        int converted = 0;
        for (Graph graph : views.values()) {
            for (NodeProto node : graph.nodes()) {
                Role role = roles.get(node.getName());
                if (role == Role.KEEP) {
                    kept.merge(node.getOpType(), 1, Integer::sum);
                } else if (role == Role.CONVERT) {
                    converted++;
                }
            }
        }
        long values = changed.keySet().stream().filter(v -> !constants.containsKey(v)).count();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("nodesConverted", converted);
        details.put("constantsConverted", constantsConverted);
        details.put("valuesConverted", values);
        details.put("castsInserted", castsInserted);
        details.put("constantsDuplicatedInFloat32", constantsDuplicated);
        details.put("nodesKeptInFloat32", kept);
        details.put("nodesKeptForOutOfRangeConstants", keptForRange.size());
        details.put("constantsClamped", constantsClamped);
        details.put("valuesClamped", valuesClamped);
        details.put("valuesRaisedToSmallestSubnormal", valuesRaisedToSubnormal);
        return details;
    }

    // ---- planning ----

    private void assignRoles() throws InvalidModelException {
        for (Graph graph : views.values()) {
            Set<String> inputs = new HashSet<>();
            graph.declaredInputs().forEach(v -> inputs.add(v.getName()));
            for (TensorProto initializer : graph.initializers().values()) {
                if (initializer.getDataType() == DataType.FLOAT.code() && !inputs.contains(initializer.getName())) {
                    constants.put(initializer.getName(), new ConstantSite(graph.path(), "", initializer));
                }
            }
            for (NodeProto node : graph.nodes()) {
                node.getOutputList().forEach(output -> producedBy.put(output, graph.path()));
                Optional<TensorProto> value = floatConstantValue(node);
                if (value.isPresent()) {
                    roles.put(node.getName(), Role.CONSTANT);
                    constants.put(node.getOutput(0), new ConstantSite(graph.path(), node.getName(), value.get()));
                } else {
                    roles.put(node.getName(), role(node, graph));
                }
            }
        }
    }

    /** The float32 tensor a Constant node defines (value, value_float or value_floats), if it defines one. */
    private static Optional<TensorProto> floatConstantValue(NodeProto node) {
        if (!Graph.isConstantNode(node) || node.getOutputCount() != 1) {
            return Optional.empty();
        }
        return Graph.constantNodeValue(node).filter(tensor -> tensor.getDataType() == DataType.FLOAT.code());
    }

    /**
     * A Cast to float32 whose result no converted node reads (an attention mask cast for float32 Sub and Mul,
     * say) stays a Cast to float32 rather than casting to float16 and back; this also makes converting an
     * already converted model change nothing.
     */
    private void keepCastsThatFeedOnlyFloat32() {
        Map<String, List<Map.Entry<NodeProto, Integer>>> readers = new HashMap<>();
        for (Graph graph : views.values()) {
            for (NodeProto node : graph.nodes()) {
                for (int i = 0; i < node.getInputCount(); i++) {
                    readers.computeIfAbsent(node.getInput(i), k -> new ArrayList<>()).add(Map.entry(node, i));
                }
            }
        }
        Set<String> mainOutputs = new HashSet<>();
        model.graph().outputs().forEach(v -> mainOutputs.add(v.getName()));
        for (Graph graph : views.values()) {
            for (NodeProto node : graph.nodes()) {
                if (roles.get(node.getName()) != Role.CONVERT || !node.getOpType().equals("Cast")
                        || !types.isFloat(node.getOutput(0))) {
                    continue;
                }
                String output = node.getOutput(0);
                boolean needed = readers.getOrDefault(output, List.of()).stream()
                        .anyMatch(r -> required(r.getKey(), r.getValue()).orElse(null) == DataType.FLOAT16)
                        || mainOutputs.contains(output) && requiredOutput("", output).orElse(null) == DataType.FLOAT16;
                if (!needed) {
                    roles.put(node.getName(), Role.KEEP);
                }
            }
        }
    }

    private Role role(NodeProto node, Graph graph) throws InvalidModelException {
        boolean touchesFloat = node.getInputList().stream().anyMatch(types::isFloat)
                || node.getOutputList().stream().anyMatch(types::isFloat);
        if (!touchesFloat) {
            return Role.IGNORE;
        }
        Optional<OpTypeRules.Rule> found = OpTypeRules.of(node);
        if (settings.compute() == Float16Conversion.Compute.FLOAT32 || !graph.subgraphs(node).isEmpty()
                || found.isEmpty() || blocked.contains(node.getOpType())
                || settings.exclude().contains(node.getName())) {
            return Role.KEEP;
        }
        OpTypeRules.Rule rule = found.get();
        for (int i = 0; i < node.getInputCount(); i++) {
            String input = node.getInput(i);
            if (!input.isEmpty() && rule.input(i) == OpTypeRules.Slot.DATA && types.of(input).isEmpty()) {
                return Role.KEEP;
            }
        }
        Optional<DataType> data = types.dataType(node, rule);
        if (data.isPresent() && data.get() != DataType.FLOAT) {
            return Role.KEEP;
        }
        if (!OpTypeRules.CLAMP_SAFE.contains(node.getOpType())) {
            for (int i = 0; i < node.getInputCount(); i++) {
                if (rule.input(i) == OpTypeRules.Slot.DATA && outOfRange(node.getInput(i))) {
                    keptForRange.add(node.getName());
                    return Role.KEEP;
                }
            }
        }
        return Role.CONVERT;
    }

    /** Whether a value is a float32 constant with finite elements beyond ±65504. */
    private boolean outOfRange(String value) throws InvalidModelException {
        ConstantSite site = constants.get(value);
        if (site == null) {
            return false;
        }
        Boolean known = beyondRange.get(value);
        if (known == null) {
            known = Float16Narrowing.hasValuesBeyondRange(model.tensorData(site.tensor()));
            beyondRange.put(value, known);
        }
        return known;
    }

    /** The type a node needs at input position {@code index}; empty when it takes any type. */
    private Optional<DataType> required(NodeProto node, int index) {
        Optional<DataType> original = types.of(node.getInput(index));
        if (roles.get(node.getName()) != Role.CONVERT) {
            return original;
        }
        return switch (OpTypeRules.of(node).orElseThrow().input(index)) {
            case DATA -> original.map(t -> t == DataType.FLOAT ? DataType.FLOAT16 : t);
            case ANY -> Optional.empty();
            case KEEP -> original;
        };
    }

    /**
     * The type the graph itself needs for output {@code value}: its original type, or float16 for float outputs
     * of the main graph without keep-io-types.
     */
    private Optional<DataType> requiredOutput(String graphPath, String value) {
        Optional<DataType> original = types.of(value);
        if (graphPath.isEmpty() && !settings.keepIoTypes()) {
            return original.map(t -> t == DataType.FLOAT ? DataType.FLOAT16 : t);
        }
        return original;
    }

    private void decideValueTypes() throws InvalidModelException {
        Map<String, Set<DataType>> constantNeeds = new HashMap<>();
        Map<String, Boolean> readAsDataOnly = new HashMap<>();
        Map<String, DataType> constantOutputNeeds = new HashMap<>();
        for (Graph graph : views.values()) {
            if (graph.path().isEmpty() && !settings.keepIoTypes()) {
                graph.declaredInputs().stream().map(ValueInfoProto::getName).filter(types::isFloat)
                        .forEach(input -> changed.put(input, DataType.FLOAT16));
            }
            for (NodeProto node : graph.nodes()) {
                Role role = roles.get(node.getName());
                if (role == Role.CONVERT) {
                    OpTypeRules.Rule rule = OpTypeRules.of(node).orElseThrow();
                    for (int i = 0; i < node.getOutputCount(); i++) {
                        char letter = rule.output(i);
                        if (types.isFloat(node.getOutput(i)) && (letter == 'D' || letter == 'C')) {
                            changed.put(node.getOutput(i), DataType.FLOAT16);
                        }
                    }
                }
                for (int i = 0; i < node.getInputCount(); i++) {
                    String input = node.getInput(i);
                    if (constants.containsKey(input)) {
                        required(node, i).ifPresent(t -> constantNeeds
                                .computeIfAbsent(input, k -> EnumSet.noneOf(DataType.class)).add(t));
                        int slot = i;
                        boolean data = graph.subgraphs(node).isEmpty()
                                && OpTypeRules.of(node).map(r -> r.input(slot) == OpTypeRules.Slot.DATA).orElse(false);
                        readAsDataOnly.merge(input, data, Boolean::logicalAnd);
                    }
                }
            }
            for (ValueInfoProto output : graph.outputs()) {
                if (constants.containsKey(output.getName())) {
                    requiredOutput(graph.path(), output.getName())
                            .ifPresent(t -> constantOutputNeeds.put(output.getName(), t));
                }
            }
        }
        boolean weightsOnly = settings.compute() == Float16Conversion.Compute.FLOAT32;
        for (Map.Entry<String, ConstantSite> constant : constants.entrySet()) {
            Set<DataType> needs = constantNeeds.getOrDefault(constant.getKey(), Set.of());
            boolean narrow = weightsOnly ? needs.contains(DataType.FLOAT) && readAsDataOnly.get(constant.getKey())
                    && constant.getValue().elements() > Float16Conversion.WEIGHT_MIN_ELEMENTS && !outOfRange(constant.getKey())
                    : needs.contains(DataType.FLOAT16);
            DataType stored = constantOutputNeeds.getOrDefault(constant.getKey(),
                    narrow ? DataType.FLOAT16 : DataType.FLOAT);
            if (stored == DataType.FLOAT16) {
                changed.put(constant.getKey(), DataType.FLOAT16);
            }
        }
    }

    /** The element type a value has in the converted model so far. */
    private Optional<DataType> currentType(String value) {
        DataType type = changed.get(value);
        return type != null ? Optional.of(type) : types.of(value);
    }

    // ---- rewriting ----

    private void convertConstants() throws InvalidModelException {
        for (Map.Entry<String, ConstantSite> entry : constants.entrySet()) {
            if (changed.get(entry.getKey()) != DataType.FLOAT16) {
                continue;
            }
            ConstantSite site = entry.getValue();
            GraphEditor graph = editors.get(site.graphPath());
            TensorData narrowed = narrow(site.tensor());
            if (site.nodeName().isEmpty()) {
                graph.putInitializer(entry.getKey(), narrowed);
            } else {
                NodeProto node = graph.node(site.nodeName()).orElseThrow();
                TensorProto value = TensorCodec.encode(site.tensor().getName(), narrowed);
                graph.replaceNode(node.getName(),
                        node.toBuilder().clearAttribute().addAttribute(NodeAttributes.ofTensor("value", value)).build());
            }
            constantsConverted++;
        }
        if (!settings.keepIoTypes()) {
            GraphEditor main = editors.get("");
            for (ValueInfoProto input : model.graph().declaredInputs()) {
                Optional<TensorProto> initializer = main.initializer(input.getName());
                if (initializer.isPresent() && initializer.get().getDataType() == DataType.FLOAT.code()) {
                    main.putInitializer(input.getName(), narrow(initializer.get()));
                    constantsConverted++;
                }
            }
        }
    }

    private TensorData narrow(TensorProto tensor) throws InvalidModelException {
        Float16Narrowing narrowing = Float16Narrowing.of(model.tensorData(tensor));
        valuesClamped += narrowing.clamped();
        valuesRaisedToSubnormal += narrowing.raisedToSubnormal();
        constantsClamped += narrowing.clamped() > 0 ? 1 : 0;
        return narrowing.data();
    }

    /** Main-graph outputs whose producer's type differs from what the graph must expose are produced under a new name. */
    private void renameMainOutputs() {
        for (ValueInfoProto output : model.graph().outputs()) {
            String name = output.getName();
            Optional<DataType> required = requiredOutput("", name);
            Optional<DataType> actual = currentType(name);
            if (required.isEmpty() || actual.isEmpty() || required.equals(actual) || !"".equals(producedBy.get(name))
                    || roles.get(model.graph().producer(name).orElseThrow().getName()) == Role.CONSTANT) {
                continue;
            }
            String renamed = editor.uniqueName(name + suffix(actual.get()));
            outputRenames.put(name, renamed);
            changed.put(renamed, actual.get());
            if (required.get() == types.of(name).orElseThrow()) {
                changed.remove(name);
            } else {
                changed.put(name, required.get());
            }
        }
    }

    private void castMainOutputs() {
        GraphEditor main = editors.get("");
        outputRenames.forEach((name, renamed) -> addCast(main, renamed, name, requiredOutput("", name).orElseThrow()));
    }

    private void rewriteNodes(GraphEditor graph) throws InvalidModelException {
        for (NodeProto node : graph.nodes()) {
            Role role = roles.get(node.getName());
            if (role == null || role == Role.CONSTANT) {
                continue;
            }
            NodeProto.Builder builder = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                String input = node.getInput(i);
                if (input.isEmpty()) {
                    continue;
                }
                String source = outputRenames.getOrDefault(input, input);
                Optional<DataType> required = required(node, i);
                Optional<DataType> actual = currentType(source);
                if (required.isPresent() && actual.isPresent() && required.get() != actual.get()) {
                    source = convertedValue(graph, source, required.get());
                }
                builder.setInput(i, source);
            }
            for (int i = 0; i < node.getOutputCount(); i++) {
                builder.setOutput(i, outputRenames.getOrDefault(node.getOutput(i), node.getOutput(i)));
            }
            if (role == Role.CONVERT) {
                convertAttributes(node, builder);
            }
            NodeProto rewritten = builder.build();
            if (!rewritten.equals(node)) {
                graph.replaceNode(node.getName(), rewritten);
            }
        }
    }

    /** A converted Cast to float32 casts to float16; a converted ConstantOfShape fills with float16. */
    private void convertAttributes(NodeProto node, NodeProto.Builder builder) throws InvalidModelException {
        if (node.getOpType().equals("Cast") && types.isFloat(node.getOutput(0))) {
            for (AttributeProto.Builder attribute : builder.getAttributeBuilderList()) {
                if (attribute.getName().equals("to")) {
                    attribute.setI(DataType.FLOAT16.code());
                }
            }
        } else if (node.getOpType().equals("ConstantOfShape") && types.isFloat(node.getOutput(0))) {
            Optional<AttributeProto> value = NodeAttributes.find(node, "value");
            TensorProto fill = value.isPresent()
                    ? TensorCodec.encode(value.get().getT().getName(), narrow(value.get().getT()))
                    : TensorCodec.encode("", TensorData.ofFloat16(new long[] {1}, 0f));
            builder.clearAttribute().addAttribute(NodeAttributes.ofTensor("value", fill));
        }
    }

    /** Subgraph outputs keep their types: a float16 output is cast back and the graph exposes the cast value. */
    private void castSubgraphOutputs(GraphEditor graph) throws InvalidModelException {
        for (ValueInfoProto output : views.get(graph.path()).outputs()) {
            String name = output.getName();
            Optional<DataType> original = types.of(name);
            Optional<DataType> actual = currentType(name);
            if (original.isPresent() && actual.isPresent() && original.get() != actual.get()) {
                subgraphOutputRenames.computeIfAbsent(graph.path(), k -> new HashMap<>())
                        .put(name, convertedValue(graph, name, original.get()));
            }
        }
    }

    /**
     * A value holding {@code value} converted to {@code target} for readers in {@code graph}: a float32 (or
     * float16) copy of a constant that is beyond float16's range or, when converting computation, small (a Cast would turn clamped values
     * back into wrong float32 ones, or large ones into infinities), stored next to it, or else the output of
     * a Cast in {@code graph}. Made once per value, direction and graph.
     */
    private String convertedValue(GraphEditor graph, String value, DataType target) throws InvalidModelException {
        ConstantSite site = constants.get(value);
        boolean small = site != null && site.elements() <= Float16Conversion.SMALL_CONSTANT_ELEMENTS
                && settings.compute() == Float16Conversion.Compute.FLOAT16;
        boolean copy = site != null && (small || outOfRange(value));
        String home = copy ? site.graphPath() : graph.path();
        String key = home + "\n" + value + "\n" + target;
        String existing = conversions.get(key);
        if (existing != null) {
            return existing;
        }
        String converted = editor.uniqueName(value + suffix(target));
        if (copy) {
            TensorProto stored = target == DataType.FLOAT ? site.tensor()
                    : TensorCodec.encode(converted, narrow(site.tensor()));
            editors.get(home).putInitializer(stored.toBuilder().setName(converted).build());
            constantsDuplicated++;
        } else {
            addCast(graph, value, converted, target);
        }
        conversions.put(key, converted);
        return converted;
    }

    private void addCast(GraphEditor graph, String input, String output, DataType target) {
        castsInserted++;
        graph.add(Node.op("Cast").named(graph.uniqueName(output + "_Cast")).in(input).out(output).attr("to", target));
    }

    private static String suffix(DataType type) {
        return type == DataType.FLOAT16 ? "_fp16" : "_fp32";
    }
}
