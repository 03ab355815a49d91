package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Optional;

/**
 * Turns a division by a float constant into a multiplication by its reciprocal, which ONNX Runtime runs in
 * 8 bits (QLinearMul) where Div stays in float: exporters write hard-swish as {@code x · clip(x + 3, 0, 6) / 6},
 * and that Div alone would cost a dequantize and a quantize per activation of every MobileNetV3 block. The
 * result differs from the division by at most one rounding of the reciprocal.
 */
final class ConstantDivision {
    private ConstantDivision() {
    }

    /**
     * Rewrites every Div of the main graph whose divisor is a float constant without zeros.
     *
     * @return how many were rewritten
     */
    static int toMultiplication(OnnxModel model, GraphEditor graph) throws InvalidModelException {
        int rewritten = 0;
        for (NodeProto node : graph.nodes()) {
            if (!node.getOpType().equals("Div") || !node.getDomain().isEmpty() || node.getInputCount() != 2) {
                continue;
            }
            Optional<float[]> divisor = FloatConstants.of(model, graph, node.getInput(1));
            if (divisor.isEmpty()) {
                continue;
            }
            float[] values = divisor.get();
            float[] reciprocals = new float[values.length];
            boolean finite = true;
            for (int i = 0; i < values.length; i++) {
                reciprocals[i] = 1f / values[i];
                finite &= Float.isFinite(reciprocals[i]);
            }
            if (!finite) {
                continue;
            }
            long[] shape = graph.constant(node.getInput(1)).orElseThrow().getDimsList().stream()
                    .mapToLong(Long::longValue).toArray();
            String reciprocal = graph.uniqueName(node.getInput(1) + "_reciprocal");
            graph.putInitializer(reciprocal, TensorData.ofFloats(shape, reciprocals));
            graph.replaceNode(node.getName(), node.toBuilder().setOpType("Mul").setInput(1, reciprocal).build());
            rewritten++;
        }
        return rewritten;
    }
}
