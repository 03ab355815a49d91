package dev.lathe.core.footprint;

import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Element types of a model's values, as far as the footprint needs them to tell the arithmetic precision
 * of compute ops. Types start from constants and declared graph inputs, outputs and {@code value_info},
 * and follow the nodes in order: {@code Cast} gives its {@code to}, quantize/dequantize ops the type of
 * their zero point or scale, shape and comparison ops int64 and bool, subgraph-holding ops their body's
 * outputs, and every other op the type of its first input whose type is known.
 */
final class ValueTypes {
    private static final Set<String> INT64_OUTPUTS = Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin");
    private static final Set<String> BOOL_OUTPUTS = Set.of("Equal", "Less", "Greater", "LessOrEqual",
            "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf");

    private final Map<String, DataType> types = new HashMap<>();

    private ValueTypes() {
    }

    /** The element types of every value of the model (main graph and subgraphs) that can be told. */
    static ValueTypes of(OnnxModel model) {
        ValueTypes types = new ValueTypes();
        for (ConstantTensor constant : model.constants()) {
            types.types.put(constant.name(), constant.dataType());
        }
        types.infer(model.graph());
        return types;
    }

    /** The element type of a value, if known. */
    Optional<DataType> of(String value) {
        return Optional.ofNullable(types.get(value));
    }

    private void infer(Graph graph) {
        Map<String, DataType> declared = new HashMap<>();
        graph.proto().getValueInfoList().forEach(v -> declared(v).ifPresent(t -> declared.put(v.getName(), t)));
        graph.proto().getOutputList().forEach(v -> declared(v).ifPresent(t -> declared.put(v.getName(), t)));
        graph.proto().getInputList().forEach(v -> declared(v).ifPresent(t -> types.putIfAbsent(v.getName(), t)));
        for (NodeProto node : graph.nodes()) {
            List<Graph> subgraphs = graph.subgraphs(node);
            subgraphs.forEach(this::infer);
            for (int i = 0; i < node.getOutputCount(); i++) {
                String output = node.getOutput(i);
                if (output.isEmpty() || types.containsKey(output)) {
                    continue;
                }
                DataType type = declared.containsKey(output) ? declared.get(output) : outputType(node, i, subgraphs);
                if (type != null) {
                    types.put(output, type);
                }
            }
        }
    }

    private DataType outputType(NodeProto node, int output, List<Graph> subgraphs) {
        String op = node.getOpType();
        if (!subgraphs.isEmpty()) {
            int index = output + (op.equals("Loop") ? 1 : 0);
            List<ValueInfoProto> bodyOutputs = subgraphs.get(0).outputs();
            return index < bodyOutputs.size() ? types.get(bodyOutputs.get(index).getName()) : null;
        }
        if (INT64_OUTPUTS.contains(op)) {
            return DataType.INT64;
        }
        if (BOOL_OUTPUTS.contains(op)) {
            return DataType.BOOL;
        }
        return switch (op) {
            case "Cast" -> DataType.fromCode((int) NodeAttributes.getInt(node, "to", 0)).orElse(null);
            case "QuantizeLinear" -> node.getInputCount() > 2 ? input(node, 2) : DataType.UINT8;
            case "DynamicQuantizeLinear" -> output == 0 ? DataType.UINT8 : output == 1 ? DataType.FLOAT : DataType.UINT8;
            case "DequantizeLinear" -> input(node, 1);
            case "MatMulInteger", "ConvInteger" -> DataType.INT32;
            case "QLinearMatMul", "QLinearConv" -> input(node, 7);
            case "MatMulIntegerToFloat" -> input(node, 2);
            case "ConstantOfShape" -> NodeAttributes.getTensor(node, "value")
                    .flatMap(t -> DataType.fromCode(t.getDataType())).orElse(DataType.FLOAT);
            case "Where" -> input(node, 1);
            default -> firstKnownInput(node);
        };
    }

    private DataType input(NodeProto node, int index) {
        return index < node.getInputCount() ? types.get(node.getInput(index)) : null;
    }

    private DataType firstKnownInput(NodeProto node) {
        for (String input : node.getInputList()) {
            DataType type = types.get(input);
            if (type != null) {
                return type;
            }
        }
        return null;
    }

    private static Optional<DataType> declared(ValueInfoProto value) {
        TypeProto type = value.getType();
        if (!type.hasTensorType() || type.getTensorType().getElemType() == 0) {
            return Optional.empty();
        }
        return DataType.fromCode(type.getTensorType().getElemType());
    }
}
