package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.Optional;
import java.util.Set;

/**
 * Folds an inference-mode BatchNormalization into the Conv before it: {@code W'[m] = W[m]·s[m]} and
 * {@code b'[m] = (b[m] − mean[m])·s[m] + beta[m]} with {@code s = gamma / sqrt(var + epsilon)}, so that the
 * quantized convolution carries the normalization in its weights (a BatchNormalization between Q/DQ pairs
 * would stay in float). Only a Conv whose output nothing but the BatchNormalization reads, with constant
 * weight, bias and statistics, is folded; the folded weights get new names, so a weight shared with another
 * node is left as it is for that node.
 */
final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /**
     * Folds every foldable pair of the editor's main graph.
     *
     * @return how many BatchNormalization nodes were folded
     */
    static int fold(OnnxModel model, GraphEditor graph) throws InvalidModelException {
        int folded = 0;
        Set<String> outputs = new java.util.HashSet<>();
        graph.outputs().forEach(output -> outputs.add(output.getName()));
        for (NodeProto norm : graph.nodes()) {
            if (!norm.getOpType().equals("BatchNormalization") || norm.getOutputCount() != 1
                    || NodeAttributes.getInt(norm, "training_mode", 0) != 0) {
                continue;
            }
            String convOutput = norm.getInput(0);
            Optional<NodeProto> found = graph.nodes().stream()
                    .filter(n -> n.getOpType().equals("Conv") && n.getOutputList().contains(convOutput)).findFirst();
            if (found.isEmpty() || outputs.contains(convOutput) || graph.consumers(convOutput).size() != 1) {
                continue;
            }
            NodeProto conv = found.get();
            Optional<float[]> weight = FloatConstants.of(model, graph, conv.getInput(1));
            Optional<float[]> bias = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty()
                    ? FloatConstants.of(model, graph, conv.getInput(2)) : Optional.of(new float[0]);
            Optional<float[]> gamma = FloatConstants.of(model, graph, norm.getInput(1));
            Optional<float[]> beta = FloatConstants.of(model, graph, norm.getInput(2));
            Optional<float[]> mean = FloatConstants.of(model, graph, norm.getInput(3));
            Optional<float[]> variance = FloatConstants.of(model, graph, norm.getInput(4));
            if (weight.isEmpty() || bias.isEmpty() || gamma.isEmpty() || beta.isEmpty() || mean.isEmpty()
                    || variance.isEmpty()) {
                continue;
            }
            int channels = gamma.get().length;
            long[] shape = graph.constant(conv.getInput(1)).map(t -> t.getDimsList().stream()
                    .mapToLong(Long::longValue).toArray()).orElseThrow();
            float[] w = weight.get().clone();
            if (shape[0] != channels || w.length % channels != 0 || bias.get().length > 0 && bias.get().length != channels) {
                continue;
            }
            double epsilon = NodeAttributes.getFloat(norm, "epsilon", 1e-5f);
            float[] b = new float[channels];
            int perChannel = w.length / channels;
            for (int m = 0; m < channels; m++) {
                double s = gamma.get()[m] / Math.sqrt(variance.get()[m] + epsilon);
                for (int i = 0; i < perChannel; i++) {
                    w[m * perChannel + i] = (float) (w[m * perChannel + i] * s);
                }
                double original = bias.get().length == 0 ? 0 : bias.get()[m];
                b[m] = (float) ((original - mean.get()[m]) * s + beta.get()[m]);
            }
            String weightName = graph.uniqueName(conv.getInput(1) + "_folded");
            graph.putInitializer(weightName, TensorData.ofFloats(shape, w));
            String biasName = graph.uniqueName(conv.getName() + "_folded_bias");
            graph.putInitializer(biasName, TensorData.ofFloats(new long[] {channels}, b));
            NodeProto.Builder replaced = conv.toBuilder().setInput(1, weightName).setOutput(0, norm.getOutput(0));
            if (conv.getInputCount() > 2) {
                replaced.setInput(2, biasName);
            } else {
                replaced.addInput(biasName);
            }
            graph.replaceNode(conv.getName(), replaced.build());
            graph.removeNode(norm.getName());
            folded++;
        }
        if (folded > 0) {
            // Drops the unfolded weights and statistics no node reads any more (ONNX Runtime warns about each).
            graph.removeDeadNodes();
        }
        return folded;
    }
}
