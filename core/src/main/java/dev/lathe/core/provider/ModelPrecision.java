package dev.lathe.core.provider;

import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Set;

/**
 * The reduced precisions a model already uses, so that precision-sensitive providers (TensorRT) can
 * enable matching kernels.
 *
 * @param float16 the model holds float16 weights
 * @param int8    the model holds 8-bit quantized operators (QDQ, QLinear*, *Integer)
 */
public record ModelPrecision(boolean float16, boolean int8) {
    private static final Set<String> QUANTIZED_OPS = Set.of("QuantizeLinear", "DequantizeLinear", "QLinearConv",
            "QLinearMatMul", "MatMulInteger", "ConvInteger", "DynamicQuantizeLinear");

    /** Inspects a model's constants and operators. */
    public static ModelPrecision of(OnnxModel model) {
        boolean float16 = model.constants().stream().map(ConstantTensor::dataType)
                .anyMatch(t -> t == DataType.FLOAT16);
        boolean int8 = false;
        for (Graph graph : model.graph().withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                int8 |= QUANTIZED_OPS.contains(node.getOpType());
            }
        }
        return new ModelPrecision(float16, int8);
    }
}
