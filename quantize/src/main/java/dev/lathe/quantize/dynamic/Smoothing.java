package dev.lathe.quantize.dynamic;

import dev.lathe.core.LatheException;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.weights.WeightedNodes.WeightedNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SmoothQuant-style migration of activation outliers into weights: for a MatMul input A with per-channel
 * range |A_k| and weights W, {@code s_k = max|A_k|^alpha / max|W_k|^(1-alpha)}; the input is divided by s
 * (one {@code Mul} per input, shared by every MatMul reading it, or folded into the producer where that is
 * exact: {@link #absorb}) and each weight row k multiplied by
 * s_k, so the product is unchanged while the int8 range of the activation is spent on its real spread.
 * Only main-graph inputs are smoothed (statistics come from running the model on at most
 * {@link #MAX_SAMPLES} calibration samples).
 */
final class Smoothing {
    static final Smoothing NONE = new Smoothing(Map.of(), 0);
    /**
     * Ranges need a few dozen samples to settle (MiniLM calibrated on 32 real sentences: mean cosine 0.9980,
     * on 16: 0.9979); each sample is one model run.
     */
    static final int MAX_SAMPLES = 32;
    private static final float MIN_SCALE = 1e-5f;
    private static final float MAX_SCALE = 1e5f;

    private final Map<String, float[]> scales;
    private final int samples;
    private final Map<String, String> smoothedInputs = new HashMap<>();

    private Smoothing(Map<String, float[]> scales, int samples) {
        this.scales = scales;
        this.samples = samples;
    }

    /** The channels of a target's input: the weight's K (its rows, or its columns for Gemm with transB). */
    private static int inputChannels(WeightedNode target) {
        boolean transposed = target.node().getOpType().equals("Gemm") && NodeAttributes.getInt(target.node(), "transB", 0) == 1;
        long[] shape = target.weightShape();
        return (int) (transposed ? shape[1] : shape[0]);
    }

    /** Scales for the inputs of the main-graph targets, from activation ranges on the calibration samples. */
    static Smoothing compute(OnnxModel model, List<WeightedNode> targets, double alpha, PassContext context)
            throws LatheException {
        Map<String, List<WeightedNode>> byInput = new LinkedHashMap<>();
        for (WeightedNode target : targets) {
            if (target.graph().path().isEmpty() && target.graph().constant(target.node().getInput(0)).isEmpty()) {
                byInput.computeIfAbsent(target.node().getInput(0), k -> new ArrayList<>()).add(target);
            }
        }
        if (byInput.isEmpty()) {
            return NONE;
        }
        List<ChannelRequest> requests = new ArrayList<>();
        byInput.forEach((input, readers) -> requests.add(ChannelRequest.lastAxis(input, inputChannels(readers.get(0)))));
        CalibrationStatistics statistics = context.statistics(model, requests, MAX_SAMPLES);
        Map<String, float[]> scales = new HashMap<>();
        for (Map.Entry<String, List<WeightedNode>> group : byInput.entrySet()) {
            float[] activation = statistics.of(group.getKey()).maxAbs();
            float[] weight = new float[activation.length];
            for (WeightedNode target : group.getValue()) {
                boolean transposed = target.node().getOpType().equals("Gemm") && NodeAttributes.getInt(target.node(), "transB", 0) == 1;
                long[] shape = target.weightShape();
                float[] values = model.tensorData(target.weight()).toFloatArray();
                int rows = (int) shape[0];
                int cols = (int) shape[1];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        int channel = transposed ? c : r;
                        if (channel < weight.length) {
                            weight[channel] = Math.max(weight[channel], Math.abs(values[r * cols + c]));
                        }
                    }
                }
            }
            float[] s = new float[activation.length];
            for (int k = 0; k < s.length; k++) {
                double value = activation[k] == 0 || weight[k] == 0 ? 1
                        : Math.pow(activation[k], alpha) / Math.pow(weight[k], 1 - alpha);
                s[k] = (float) Math.max(MIN_SCALE, Math.min(MAX_SCALE, value));
            }
            scales.put(group.getKey(), s);
        }
        return new Smoothing(scales, statistics.samples());
    }

    /** How many calibration samples the activation ranges came from. */
    int samples() {
        return samples;
    }

    /** How many distinct inputs are smoothed. */
    int inputCount() {
        return scales.size();
    }

    /**
     * Hands the division of a main-graph value by its scales to the node that produces it, which must then compute
     * value / s itself (an attention dividing its value projection's columns, say): the value's readers still get
     * their weight rows multiplied by s, but no Mul is added. Returns the scales, or null when the value is not
     * smoothed (or a Mul for it exists already).
     */
    float[] absorb(String value) {
        float[] s = scales.get(value);
        if (s == null || smoothedInputs.containsKey(value)) {
            return null;
        }
        smoothedInputs.put(value, value);
        return s;
    }

    /**
     * The value the target should read: its input divided by the smoothing scales (the Mul is added to the
     * main graph on first use, unless the producer {@linkplain #absorb absorbed} the division), or its input
     * unchanged when it is not smoothed.
     */
    String smoothedInput(WeightedNode target, ModelEditor editor) {
        String input = target.node().getInput(0);
        float[] s = target.graph().path().isEmpty() ? scales.get(input) : null;
        if (s == null) {
            return input;
        }
        return smoothedInputs.computeIfAbsent(input, original -> {
            GraphEditor main = editor.mainGraph();
            float[] inverse = new float[s.length];
            for (int k = 0; k < s.length; k++) {
                inverse[k] = 1 / s[k];
            }
            String factors = main.uniqueName(original + "_smoothing");
            main.putInitializer(factors, TensorData.ofFloats(new long[] {s.length}, inverse));
            String smoothed = main.uniqueName(original + "_smoothed");
            main.add(Node.op("Mul").named(main.uniqueName(original + "_smooth")).in(original, factors).out(smoothed));
            return smoothed;
        });
    }

    /** Multiplies row k of a [K, N] weight by s_k when the target's input is smoothed. */
    void scaleRows(WeightedNode target, float[] weights) {
        float[] s = target.graph().path().isEmpty() ? scales.get(target.node().getInput(0)) : null;
        if (s == null) {
            return;
        }
        int cols = weights.length / s.length;
        for (int k = 0; k < s.length; k++) {
            for (int c = 0; c < cols; c++) {
                weights[k * cols + c] *= s[k];
            }
        }
    }
}
