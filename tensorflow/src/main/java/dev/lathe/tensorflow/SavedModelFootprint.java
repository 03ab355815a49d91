package dev.lathe.tensorflow;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.EinsumEquation;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.ShapeMethod;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * The static footprint of a SavedModel signature, in the same {@link Footprint} type as an ONNX model's:
 * size on disk, parameters (variables and floating-point constants), bytes by data type, op histogram and
 * multiply-accumulates of MatMul, BatchMatMul, Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput, Conv3D
 * and Einsum. Only the nodes the signature's outputs depend on count (not initializers or the save/restore
 * machinery). Intermediate shapes are read off one TensorFlow run at the bound input shapes, so the
 * footprint's shape method is {@link ShapeMethod#RUNTIME}.
 */
public final class SavedModelFootprint {
    private static final long SEED = 4321;
    /** Ops that only move, reshape or describe data: no arithmetic. */
    private static final Set<String> DATA_MOVEMENT = Set.of("Identity", "IdentityN", "StopGradient", "Reshape",
            "Transpose", "ConcatV2", "Concat", "Pack", "Unpack", "StridedSlice", "Slice", "Squeeze", "ExpandDims", "Pad",
            "PadV2", "Shape", "ShapeN", "Size", "Rank", "Const", "Placeholder", "PlaceholderWithDefault", "VariableV2",
            "VarHandleOp", "ReadVariableOp", "ResourceGather", "GatherV2", "Gather", "Cast", "NoOp", "Fill", "Tile",
            "Range", "Split", "SplitV", "ZerosLike", "OnesLike", "BroadcastTo");
    /** Ops that run a function of the graph's library, whose body this footprint does not see. */
    private static final Set<String> FUNCTION_CALLS = Set.of("StatefulPartitionedCall", "PartitionedCall");
    private static final Set<String> REDUCTIONS = Set.of("Mean", "Sum", "Max", "Min", "Prod", "ArgMax", "ArgMin", "All",
            "Any");

    private SavedModelFootprint() {
    }

    /**
     * The footprint of a signature at the given input shapes ({@link SignatureInputs#shapes}).
     *
     * @throws InvalidModelException if the graph cannot be walked (a missing node, a cycle)
     * @throws LatheException        if TensorFlow cannot run the graph at these shapes
     */
    public static Footprint analyze(SavedModel model, SignatureInfo signature, ShapeBinding binding)
            throws LatheException {
        Map<String, long[]> inputShapes;
        try {
            inputShapes = SignatureInputs.shapes(signature, binding);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(model.directory() + ": " + e.getMessage(), e);
        }
        Map<String, TensorData> inputs = SignatureInputs.generate(signature, inputShapes, SEED);
        List<NodeDef> nodes;
        try {
            nodes = GraphNodes.of(model.graphDef()).reachable(signature.outputs().stream().map(TensorSpec::tensorName).toList());
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(model.directory() + ": " + e.getMessage(), e);
        }
        Map<String, TensorData> feeds = new HashMap<>();
        for (TensorSpec input : signature.inputs()) {
            feeds.put(GraphNodes.tensorName(input.tensorName()), inputs.get(input.name()));
        }
        Set<String> tensors = new LinkedHashSet<>();
        for (NodeDef node : nodes) {
            for (String input : GraphNodes.dataInputs(node)) {
                tensors.add(GraphNodes.tensorName(input));
            }
        }
        signature.outputs().forEach(output -> tensors.add(GraphNodes.tensorName(output.tensorName())));
        tensors.removeIf(tensor -> feeds.containsKey(tensor) || !fetchable(model, tensor));
        Map<String, Fetched> byTensor = new HashMap<>();
        feeds.forEach((tensor, value) -> byTensor.put(tensor, new Fetched(value.dataType(), value.shape())));
        Counts counts = new Counts();
        // Weights once, with their values (their zeros count): constants and ref variables in one run, resource
        // variables in another. Then the shapes of everything else at the bound input shapes.
        List<String> constants = nodes.stream().filter(n -> n.getOp().equals("Const") || n.getOp().equals("VariableV2"))
                .map(n -> n.getName() + ":0").filter(tensors::contains).toList();
        List<String> handles = nodes.stream().filter(n -> n.getOp().equals("VarHandleOp")).map(NodeDef::getName).toList();
        List<TensorData> constantValues = model.fetch(constants, Map.of(), TfTensors::toTensorData);
        for (int i = 0; i < constants.size(); i++) {
            TensorData value = constantValues.get(i);
            byTensor.put(constants.get(i), new Fetched(value.dataType(), value.shape()));
        }
        List<TensorData> values = new ArrayList<>(constantValues);
        values.addAll(model.variableValues(handles));
        for (TensorData value : values) {
            counts.addConstant(value.dataType(), value.shape(), value.dataType().isFloatingPoint() ? value.countZeros() : 0);
        }
        tensors.removeAll(constants);
        List<String> names = new ArrayList<>(tensors);
        List<Fetched> fetched = model.fetch(names, feeds, tensor -> new Fetched(
                TfTypes.requireOnnxType(tensor.dataType(), "a tensor"), tensor.shape().asArray()));
        for (int i = 0; i < names.size(); i++) {
            byTensor.put(names.get(i), fetched.get(i));
        }
        for (NodeDef node : nodes) {
            counts.opCounts.merge(node.getOp(), 1L, Long::sum);
            if (!node.getOp().equals("Const") && !node.getOp().equals("VariableV2") && !node.getOp().equals("VarHandleOp")) {
                try {
                    countCompute(node, byTensor, counts);
                } catch (IllegalArgumentException e) {
                    throw new InvalidModelException(model.directory() + ": op " + node.getOp() + " (node " + node.getName()
                            + "): " + e.getMessage(), e);
                }
            }
        }
        List<String> notes = new ArrayList<>();
        int total = model.graphDef().getNodeCount();
        if (total > nodes.size()) {
            notes.add("Counted the " + nodes.size() + " nodes signature " + signature.key() + " depends on, of " + total
                    + " in the GraphDef (the rest initialize, save or restore variables).");
        }
        // A call into the function library (TF 2 exports) hides its body's compute from this count.
        List<String> calls = nodes.stream().filter(n -> FUNCTION_CALLS.contains(n.getOp())).map(NodeDef::getName).toList();
        if (!calls.isEmpty()) {
            notes.add(calls.size() + (calls.size() == 1 ? " node calls" : " nodes call") + " a function of the graph's "
                    + "library (a TF 2 export); the compute inside is NOT counted, so MACs and parameters are too low.");
        }
        return new Footprint(model.sizeBytes(), counts.parameters, counts.quantizedParameters, counts.bytesByType,
                nodes.size(), counts.opCounts, counts.zeros, counts.macs, counts.macsByOp, counts.macsByPrecision,
                counts.elementwise, inputShapes, ShapeMethod.RUNTIME, calls, notes);
    }

    private static void countCompute(NodeDef node, Map<String, Fetched> tensors, Counts counts) {
        List<String> inputs = GraphNodes.dataInputs(node);
        long[] out = shape(tensors, node.getName() + ":0");
        Optional<Long> macs = macs(node, inputs, tensors, out);
        if (macs.isPresent()) {
            counts.macs += macs.get();
            counts.macsByOp.merge(node.getOp(), macs.get(), Long::sum);
            Fetched first = inputs.isEmpty() ? null : tensors.get(GraphNodes.tensorName(inputs.get(0)));
            counts.macsByPrecision.merge(first == null ? "float32" : precision(first.type), macs.get(), Long::sum);
            return;
        }
        if (DATA_MOVEMENT.contains(node.getOp()) || out == null) {
            return;
        }
        if (REDUCTIONS.contains(node.getOp()) && !inputs.isEmpty()) {
            long[] x = shape(tensors, GraphNodes.tensorName(inputs.get(0)));
            counts.elementwise += x == null ? 0 : TensorData.elementCount(x);
        } else if (node.getOp().endsWith("Pool")) {
            long[] kernel = ints(node, "ksize");
            long area = 1;
            for (long k : kernel) {
                area *= k;
            }
            counts.elementwise += TensorData.elementCount(out) * area;
        } else {
            counts.elementwise += TensorData.elementCount(out);
        }
    }

    /** The MACs of a compute op, empty for other ops. */
    static Optional<Long> macs(NodeDef node, List<String> inputs, Map<String, Fetched> tensors, long[] out) {
        if (out == null || inputs.size() < 2) {
            return Optional.empty();
        }
        long[] a = shape(tensors, GraphNodes.tensorName(inputs.get(0)));
        long[] b = shape(tensors, GraphNodes.tensorName(inputs.get(1)));
        if (a == null || b == null) {
            return Optional.empty();
        }
        long outElements = TensorData.elementCount(out);
        return switch (node.getOp()) {
            case "MatMul" -> Optional.of(outElements * (bool(node, "transpose_a") ? a[0] : a[1]));
            case "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3" -> Optional.of(outElements
                    * (bool(node, "adj_x") ? a[a.length - 2] : a[a.length - 1]));
            // Filters are [kh, kw, in, out] (Conv3D: [kd, kh, kw, in, out]); each output element sums kh·kw·in products.
            case "Conv2D", "Conv3D" -> Optional.of(outElements * TensorData.elementCount(b) / b[b.length - 1]);
            // Depthwise filters are [kh, kw, in, multiplier]; each output element sums kh·kw products.
            case "DepthwiseConv2dNative" -> Optional.of(outElements * b[0] * b[1]);
            // Inputs are (output shape, filter [kh, kw, out, in], gradient): each gradient element feeds kh·kw·out.
            case "Conv2DBackpropInput" -> {
                long[] filter = b;
                long[] gradient = inputs.size() > 2 ? shape(tensors, GraphNodes.tensorName(inputs.get(2))) : null;
                yield gradient == null ? Optional.empty()
                        : Optional.of(TensorData.elementCount(gradient) * filter[0] * filter[1] * filter[2]);
            }
            case "Einsum" -> {
                long[][] shapes = new long[inputs.size()][];
                for (int i = 0; i < shapes.length; i++) {
                    shapes[i] = shape(tensors, GraphNodes.tensorName(inputs.get(i)));
                    if (shapes[i] == null) {
                        yield Optional.empty();
                    }
                }
                yield Optional.of(EinsumEquation.parse(node.getAttrOrThrow("equation").getS().toStringUtf8(), shapes).macs());
            }
            default -> Optional.empty();
        };
    }

    private static boolean fetchable(SavedModel model, String tensor) {
        var op = model.graph().operation(GraphNodes.nodeName(tensor));
        return op != null && op.numOutputs() > GraphNodes.outputIndex(tensor)
                && TfTypes.onnxType(op.output(GraphNodes.outputIndex(tensor)).dataType()).isPresent();
    }

    private static long[] shape(Map<String, Fetched> tensors, String tensor) {
        Fetched fetched = tensors.get(tensor);
        return fetched == null ? null : fetched.shape;
    }

    private static boolean bool(NodeDef node, String attr) {
        return node.getAttrOrDefault(attr, AttrValue.getDefaultInstance()).getB();
    }

    private static long[] ints(NodeDef node, String attr) {
        return node.getAttrOrDefault(attr, AttrValue.getDefaultInstance()).getList().getIList().stream()
                .mapToLong(Long::longValue).toArray();
    }

    private static String precision(DataType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** What the footprint keeps of a fetched tensor: its type and shape. */
    record Fetched(DataType type, long[] shape) {
    }

    /** Running totals. */
    private static final class Counts {
        long parameters;
        long quantizedParameters;
        long zeros;
        long macs;
        long elementwise;
        final TreeMap<String, Long> bytesByType = new TreeMap<>();
        final TreeMap<String, Long> opCounts = new TreeMap<>();
        final TreeMap<String, Long> macsByOp = new TreeMap<>();
        final TreeMap<String, Long> macsByPrecision = new TreeMap<>();

        void addConstant(DataType type, long[] shape, long zeroCount) {
            long elements = TensorData.elementCount(shape);
            bytesByType.merge(type.name(), type.storageBytes(elements), Long::sum);
            if (type.isFloatingPoint()) {
                parameters += elements;
                zeros += zeroCount;
            } else if (shape.length >= 2 && type.bits() <= 16) {
                quantizedParameters += elements;
            }
        }
    }
}
