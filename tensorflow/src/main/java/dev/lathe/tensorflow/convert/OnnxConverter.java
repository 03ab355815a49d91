package dev.lathe.tensorflow.convert;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.tensorflow.GraphNodes;
import dev.lathe.tensorflow.SavedModel;
import dev.lathe.tensorflow.SignatureInfo;
import dev.lathe.tensorflow.SignatureInputs;
import dev.lathe.tensorflow.TensorSpec;
import dev.lathe.tensorflow.TfTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.NodeDef;

/**
 * Converts a SavedModel signature into an ONNX model, op by op, in Java. Only the nodes the signature's
 * outputs depend on are converted. Variables, constants and every node computed from them alone become
 * ONNX initializers (their values read from TensorFlow, so folded subgraphs need no converter). The
 * ONNX model's inputs and outputs carry the signature's names, so the same inputs feed both models.
 *
 * <p>Before anything is built, every op is checked against the converters: an unsupported op, or an
 * attribute a converter cannot express, ends in one {@link UnsupportedOpsException} listing them all.
 * See the package documentation for the ops covered.
 */
public final class OnnxConverter {
    /** The ONNX opset the converted models import. */
    public static final long OPSET = 17;
    /** metadata_props key of the SavedModel a model was converted from. */
    public static final String SOURCE_KEY = "lathe.converted_from";
    /** metadata_props key of the signature a model was converted from. */
    public static final String SIGNATURE_KEY = "lathe.signature";
    private static final long IR_VERSION = 8;
    private static final Set<String> INPUT_OPS = Set.of("Placeholder", "PlaceholderWithDefault");
    private static final Set<String> VARIABLE_OPS = Set.of("Const", "VariableV2", "Variable", "VarHandleOp");
    private static final Map<String, OpConverter> CONVERTERS = converters();

    private OnnxConverter() {
    }

    /** The TensorFlow ops the converter has a conversion for, sorted. */
    public static Set<String> supportedOps() {
        Set<String> ops = new java.util.TreeSet<>(CONVERTERS.keySet());
        ops.addAll(VARIABLE_OPS);
        ops.addAll(INPUT_OPS);
        ops.add("ReadVariableOp");
        ops.add("ResourceGather");
        return ops;
    }

    /**
     * Converts a signature of a loaded SavedModel.
     *
     * @throws UnsupportedOpsException if any op or attribute has no ONNX conversion (all are listed)
     * @throws InvalidModelException   if the graph is malformed or the signature has inputs ONNX cannot type
     * @throws LatheException          if TensorFlow cannot read the variables
     */
    public static OnnxModel convert(SavedModel model, SignatureInfo signature) throws LatheException {
        String source = model.directory().toString();
        List<NodeDef> nodes;
        try {
            nodes = GraphNodes.of(model.graphDef()).reachable(signature.outputs().stream().map(TensorSpec::tensorName).toList());
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source + ": " + e.getMessage(), e);
        }
        Map<String, TensorSpec> inputsByTensor = new HashMap<>();
        for (TensorSpec input : signature.inputs()) {
            inputsByTensor.put(GraphNodes.tensorName(input.tensorName()), input);
        }
        Set<String> constantNodes = constantNodes(nodes, inputsByTensor);
        List<String> problems = new ArrayList<>();
        for (NodeDef node : nodes) {
            String op = node.getOp();
            boolean input = inputsByTensor.containsKey(node.getName() + ":0");
            if (constantNodes.contains(node.getName()) || input || op.equals("ResourceGather") || CONVERTERS.containsKey(op)) {
                continue;
            }
            problems.add(INPUT_OPS.contains(op) ? "op " + op + " (node " + node.getName()
                    + "): a placeholder that is not an input of signature " + signature.key()
                    : "op " + op + " (node " + node.getName() + "): no ONNX conversion" + hint(op));
        }
        if (!problems.isEmpty()) {
            throw new UnsupportedOpsException(source, problems);
        }

        ConversionGraph graph = new ConversionGraph();
        try {
            signature.inputs().forEach(input -> graph.reserve(input.name()));
            signature.outputs().forEach(output -> graph.reserve(output.name()));
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source + ": signature " + signature.key() + " names an input and an output "
                    + "alike, which an ONNX graph cannot: " + e.getMessage(), e);
        }
        for (TensorSpec input : signature.inputs()) {
            DataType type = input.onnxType().orElseThrow(() -> new InvalidModelException(source + ": input '"
                    + input.name() + "' has type " + input.tfType() + ", which ONNX models cannot take"));
            graph.put(GraphNodes.tensorName(input.tensorName()), TfValue.of(input.name(), type,
                    input.rankKnown() ? input.shape().length : -1));
        }
        foldConstants(model, nodes, constantNodes, inputsByTensor, signature, graph);

        Set<String> failed = new HashSet<>();
        Map<String, String> tables = new HashMap<>();
        for (NodeDef node : nodes) {
            if (constantNodes.contains(node.getName()) || inputsByTensor.containsKey(node.getName() + ":0")) {
                continue;
            }
            try {
                if (node.getOp().equals("ResourceGather")) {
                    resourceGather(model, node, graph, tables);
                    continue;
                }
                List<TfValue> inputs = new ArrayList<>();
                for (String input : GraphNodes.dataInputs(node)) {
                    Optional<TfValue> value = graph.value(GraphNodes.tensorName(input));
                    if (value.isEmpty() && !failed.contains(GraphNodes.nodeName(input))) {
                        throw new NodeContext.ConversionProblem("op " + node.getOp() + " (node " + node.getName()
                                + "): reads " + input + ", which the converter does not produce");
                    }
                    inputs.add(value.orElse(null));
                }
                if (inputs.contains(null)) {
                    failed.add(node.getName());
                    continue;
                }
                GraphOperation operation = model.graph().operation(node.getName());
                CONVERTERS.get(node.getOp()).convert(new NodeContext(node, operation, inputs, graph));
            } catch (NodeContext.ConversionProblem e) {
                problems.add(e.getMessage());
                failed.add(node.getName());
            } catch (RuntimeException e) {
                problems.add("op " + node.getOp() + " (node " + node.getName() + "): " + e);
                failed.add(node.getName());
            }
        }
        if (!problems.isEmpty()) {
            throw new UnsupportedOpsException(source, problems);
        }
        return build(model, signature, graph);
    }

    /** Nodes whose outputs do not depend on a signature input: variables, constants and what they compute. */
    private static Set<String> constantNodes(List<NodeDef> nodes, Map<String, TensorSpec> inputs) {
        Set<String> constant = new HashSet<>();
        for (NodeDef node : nodes) {
            String op = node.getOp();
            if (inputs.containsKey(node.getName() + ":0") || INPUT_OPS.contains(op) || op.startsWith("Random")
                    || op.equals("TruncatedNormal") || op.equals("Multinomial")) {
                continue;
            }
            List<String> data = GraphNodes.dataInputs(node);
            if (VARIABLE_OPS.contains(op) || !data.isEmpty()
                    && data.stream().allMatch(input -> constant.contains(GraphNodes.nodeName(input)))) {
                constant.add(node.getName());
            }
        }
        return constant;
    }

    /** Reads every constant tensor a converted node uses (one TensorFlow run) into initializers. */
    private static void foldConstants(SavedModel model, List<NodeDef> nodes, Set<String> constantNodes,
            Map<String, TensorSpec> inputs, SignatureInfo signature, ConversionGraph graph) throws LatheException {
        Set<String> needed = new LinkedHashSet<>();
        for (NodeDef node : nodes) {
            if (constantNodes.contains(node.getName())) {
                continue;
            }
            for (String input : GraphNodes.dataInputs(node)) {
                if (constantNodes.contains(GraphNodes.nodeName(input))) {
                    needed.add(GraphNodes.tensorName(input));
                }
            }
        }
        for (TensorSpec output : signature.outputs()) {
            if (constantNodes.contains(output.nodeName())) {
                needed.add(GraphNodes.tensorName(output.tensorName()));
            }
        }
        List<String> fetch = new ArrayList<>(needed);
        fetch.removeIf(tensor -> TfTypes.onnxType(model.graph().operation(GraphNodes.nodeName(tensor))
                .output(GraphNodes.outputIndex(tensor)).dataType()).isEmpty());
        List<TensorData> values = model.fetch(fetch, Map.of());
        for (int i = 0; i < fetch.size(); i++) {
            TensorData value = values.get(i);
            String name = graph.constant(GraphNodes.nodeName(fetch.get(i)), value);
            graph.put(fetch.get(i), new TfValue(name, Layout.AS_IN_TENSORFLOW, value.dataType(), value.shape().length,
                    Optional.of(value)));
        }
    }

    /**
     * ResourceGather(handle, indices): a Gather from the variable's value, stored once per variable in
     * {@code tables} (variable node → initializer) however often it is gathered from.
     */
    private static void resourceGather(SavedModel model, NodeDef node, ConversionGraph graph, Map<String, String> tables)
            throws LatheException {
        List<String> inputs = GraphNodes.dataInputs(node);
        String handle = GraphNodes.nodeName(inputs.get(0));
        TfValue indices = graph.value(GraphNodes.tensorName(inputs.get(1))).orElseThrow(() ->
                new NodeContext.ConversionProblem("op ResourceGather (node " + node.getName() + "): its indices are not converted"));
        if (node.getAttrOrDefault("batch_dims", org.tensorflow.proto.AttrValue.getDefaultInstance()).getI() != 0) {
            throw new NodeContext.ConversionProblem("op ResourceGather (node " + node.getName() + "): batch_dims is not 0");
        }
        if (!tables.containsKey(handle)) {
            tables.put(handle, graph.constant(handle, model.variableValue(handle)));
        }
        String output = graph.emit(node.getName(), Node.op("Gather").in(tables.get(handle), graph.plain(indices))
                .attr("axis", 0));
        GraphOperation operation = model.graph().operation(node.getName());
        graph.put(node.getName() + ":0", TfValue.of(output, TfTypes.requireOnnxType(operation.output(0).dataType(),
                "the output of " + node.getName()), operation.output(0).shape().numDimensions()));
    }

    private static OnnxModel build(SavedModel model, SignatureInfo signature, ConversionGraph graph)
            throws LatheException {
        GraphProto.Builder proto = GraphProto.newBuilder().setName(signature.key());
        for (TensorSpec input : signature.inputs()) {
            proto.addInput(valueInfo(input.name(), input.onnxType().orElseThrow(), input));
        }
        for (TensorSpec output : signature.outputs()) {
            TfValue value = graph.value(GraphNodes.tensorName(output.tensorName())).orElseThrow(() ->
                    new InvalidModelException(model.directory() + ": output '" + output.name() + "' was not converted"));
            graph.emitNamed(output.name(), Node.op("Identity").in(graph.plain(value)).out(output.name()));
            proto.addOutput(valueInfo(output.name(), value.type(), output));
        }
        proto.addAllNode(graph.nodes()).addAllInitializer(graph.initializers());
        ModelProto onnx = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("lathe-tensorflow")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(SOURCE_KEY)
                        .setValue(model.directory().toString()))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(SIGNATURE_KEY).setValue(signature.key()))
                .setGraph(proto).build();
        // Drops what only fed attributes: constants read as axes or kernel sizes, a transposed convolution's
        // output-size computation.
        ModelEditor editor = OnnxModel.of(onnx, model.directory() + " (converted to ONNX)", null).edit();
        editor.removeDeadNodes();
        return editor.build();
    }

    /** A graph input or output: known dimensions as numbers, unknown ones named by {@link SignatureInputs#dimensionName}. */
    private static ValueInfoProto valueInfo(String name, DataType type, TensorSpec spec) {
        TypeProto.Builder typeProto = TypeProto.newBuilder();
        TypeProto.Tensor.Builder tensor = typeProto.getTensorTypeBuilder().setElemType(type.code());
        if (spec.rankKnown()) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            long[] dims = spec.shape();
            for (int i = 0; i < dims.length; i++) {
                shape.addDim(dims[i] >= 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i])
                        : TensorShapeProto.Dimension.newBuilder().setDimParam(SignatureInputs.dimensionName(spec, i)));
            }
            tensor.setShape(shape);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(typeProto).build();
    }

    private static String hint(String op) {
        return switch (op) {
            case "StatefulPartitionedCall", "PartitionedCall" -> " (a call into the graph's function library, as TF 2 "
                    + "Keras exports make; Lathe converts flat graphs and does not inline functions yet)";
            case "While", "StatelessWhile", "If", "StatelessIf" -> " (control flow is not converted)";
            default -> "";
        };
    }

    private static Map<String, OpConverter> converters() {
        Map<String, OpConverter> table = new TreeMap<>();
        ElementwiseOps.register(table);
        NnOps.register(table);
        ArrayOps.register(table);
        MatMulOps.register(table);
        return Map.copyOf(table);
    }
}
