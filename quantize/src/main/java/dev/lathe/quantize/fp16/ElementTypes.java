package dev.lathe.quantize.fp16;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The element type of every value of a model whose type can be known, in the main graph and all
 * subgraphs (value names are unique model-wide). Types start from graph inputs and initializers and are
 * propagated through the nodes in topological order with {@link OpTypeRules}; where a rule gives nothing
 * (operators of other domains, unknown operators), the graph's declared types ({@code value_info}, graph
 * outputs) are used. Values whose type stays unknown are treated conservatively by the conversion.
 */
final class ElementTypes {
    private final Map<String, DataType> types = new HashMap<>();

    private ElementTypes() {
    }

    /** Infers the types of every value of a main graph and its subgraphs. */
    static ElementTypes infer(Graph main) {
        ElementTypes types = new ElementTypes();
        types.inferGraph(main);
        return types;
    }

    /** The element type of a value, if known. */
    Optional<DataType> of(String value) {
        return Optional.ofNullable(types.get(value));
    }

    /** Whether a value is known to be float32. */
    boolean isFloat(String value) {
        return types.get(value) == DataType.FLOAT;
    }

    /**
     * The type of a node's data inputs (the operator's type parameter): the type of its first
     * {@link OpTypeRules.Slot#DATA} input whose type is known; empty if none is.
     */
    Optional<DataType> dataType(NodeProto node, OpTypeRules.Rule rule) {
        for (int i = 0; i < node.getInputCount(); i++) {
            String input = node.getInput(i);
            if (!input.isEmpty() && rule.input(i) == OpTypeRules.Slot.DATA && types.containsKey(input)) {
                return Optional.of(types.get(input));
            }
        }
        return Optional.empty();
    }

    private void inferGraph(Graph graph) {
        Map<String, DataType> declared = new HashMap<>();
        graph.valueInfo().forEach(v -> declaredType(v).ifPresent(t -> declared.put(v.getName(), t)));
        graph.outputs().forEach(v -> declaredType(v).ifPresent(t -> declared.put(v.getName(), t)));
        for (ValueInfoProto input : graph.declaredInputs()) {
            declaredType(input).ifPresent(t -> types.put(input.getName(), t));
        }
        for (TensorProto initializer : graph.initializers().values()) {
            DataType.fromCode(initializer.getDataType()).ifPresent(t -> types.put(initializer.getName(), t));
        }
        for (NodeProto node : graph.nodes()) {
            List<Graph> subgraphs = graph.subgraphs(node);
            subgraphs.forEach(this::inferGraph);
            List<DataType> outputs = outputTypes(node, subgraphs);
            for (int i = 0; i < node.getOutputCount(); i++) {
                String output = node.getOutput(i);
                if (output.isEmpty()) {
                    continue;
                }
                DataType type = i < outputs.size() && outputs.get(i) != null ? outputs.get(i) : declared.get(output);
                if (type != null) {
                    types.put(output, type);
                }
            }
        }
    }

    /** Output types by position (null where unknown). */
    private List<DataType> outputTypes(NodeProto node, List<Graph> subgraphs) {
        List<DataType> outputs = new ArrayList<>();
        boolean defaultDomain = node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
        if (defaultDomain && Graph.isConstantNode(node)) {
            outputs.add(constantType(node).orElse(null));
            return outputs;
        }
        if (defaultDomain && !subgraphs.isEmpty()) {
            int skip = node.getOpType().equals("Loop") ? 1 : 0;
            List<ValueInfoProto> bodyOutputs = subgraphs.get(0).outputs();
            for (int i = 0; i < node.getOutputCount(); i++) {
                int index = i + skip;
                outputs.add(index < bodyOutputs.size() ? types.get(bodyOutputs.get(index).getName()) : null);
            }
            return outputs;
        }
        Optional<OpTypeRules.Rule> found = OpTypeRules.of(node);
        if (found.isEmpty()) {
            return outputs;
        }
        OpTypeRules.Rule rule = found.get();
        DataType data = dataType(node, rule).orElse(null);
        for (int i = 0; i < node.getOutputCount(); i++) {
            outputs.add(switch (rule.output(i)) {
                case 'I' -> DataType.INT64;
                case 'B' -> DataType.BOOL;
                case 'F' -> DataType.FLOAT;
                case 'C' -> computedType(node).orElse(null);
                default -> data;
            });
        }
        return outputs;
    }

    /** The output type of Cast ({@code to}) and ConstantOfShape ({@code value}, float32 when absent). */
    private static Optional<DataType> computedType(NodeProto node) {
        if (node.getOpType().equals("Cast")) {
            return NodeAttributes.find(node, "to").flatMap(a -> DataType.fromCode((int) a.getI()));
        }
        Optional<AttributeProto> value = NodeAttributes.find(node, "value");
        return value.isPresent() ? DataType.fromCode(value.get().getT().getDataType()) : Optional.of(DataType.FLOAT);
    }

    /** The type of a Constant node's value, whichever attribute holds it. */
    static Optional<DataType> constantType(NodeProto node) {
        for (AttributeProto attribute : node.getAttributeList()) {
            switch (attribute.getName()) {
                case "value" -> {
                    return DataType.fromCode(attribute.getT().getDataType());
                }
                case "sparse_value" -> {
                    return DataType.fromCode(attribute.getSparseTensor().getValues().getDataType());
                }
                case "value_float", "value_floats" -> {
                    return Optional.of(DataType.FLOAT);
                }
                case "value_int", "value_ints" -> {
                    return Optional.of(DataType.INT64);
                }
                case "value_string", "value_strings" -> {
                    return Optional.of(DataType.STRING);
                }
                default -> {
                    // Not a value attribute.
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<DataType> declaredType(ValueInfoProto value) {
        TypeProto type = value.getType();
        if (!type.hasTensorType() || type.getTensorType().getElemType() == 0) {
            return Optional.empty();
        }
        return DataType.fromCode(type.getTensorType().getElemType());
    }
}
