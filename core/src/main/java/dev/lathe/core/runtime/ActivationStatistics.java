package dev.lathe.core.runtime;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-channel statistics of intermediate values of a model, gathered by running it in ONNX Runtime on
 * calibration samples with those values exposed as extra outputs. Channels are the last axis, the
 * reduction axis of a MatMul input: what activation-aware quantization (SmoothQuant) and pruning (Wanda)
 * need.
 */
public final class ActivationStatistics {
    private final Map<String, Channels> channels;

    /**
     * Statistics of one value.
     *
     * @param maxAbs  per channel, the largest absolute value seen
     * @param sumSquares per channel, the sum of squares over all samples and positions (its square root is
     *                   the L2 norm Wanda uses)
     * @param rows    how many rows (positions) contributed
     */
    public record Channels(float[] maxAbs, double[] sumSquares, long rows) {
        /** Per channel, the L2 norm over all rows. */
        public double[] norms() {
            double[] norms = new double[sumSquares.length];
            for (int i = 0; i < norms.length; i++) {
                norms[i] = Math.sqrt(sumSquares[i]);
            }
            return norms;
        }
    }

    private ActivationStatistics(Map<String, Channels> channels) {
        this.channels = channels;
    }

    /**
     * Runs the model on every sample with the named main-graph values exposed and gathers their statistics.
     *
     * @throws IllegalArgumentException if no sample is given or a value is not produced by the main graph
     * @throws RuntimeFailureException  if ONNX Runtime cannot run the model
     */
    public static ActivationStatistics collect(OnnxModel model, Set<String> values, List<Map<String, TensorData>> samples)
            throws RuntimeFailureException {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("activation statistics need at least one calibration sample");
        }
        OnnxModel probe = model.exposing(values);
        Map<String, Channels> statistics = new LinkedHashMap<>();
        try (ModelSession session = ModelSession.open(probe, SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> results = session.run(sample);
                for (String value : values) {
                    TensorData data = results.containsKey(value) ? results.get(value) : sample.get(value);
                    accumulate(statistics, value, data);
                }
            }
        }
        return new ActivationStatistics(statistics);
    }

    private static void accumulate(Map<String, Channels> statistics, String value, TensorData data) {
        long[] shape = data.shape();
        int width = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        float[] values = data.toFloatArray();
        Channels current = statistics.computeIfAbsent(value, v -> new Channels(new float[width], new double[width], 0));
        if (current.maxAbs().length != width) {
            throw new IllegalArgumentException("value '" + value + "' changed its last dimension between samples");
        }
        for (int i = 0; i < values.length; i++) {
            int channel = i % width;
            float magnitude = Math.abs(values[i]);
            if (magnitude > current.maxAbs()[channel]) {
                current.maxAbs()[channel] = magnitude;
            }
            current.sumSquares()[channel] += (double) values[i] * values[i];
        }
        statistics.put(value, new Channels(current.maxAbs(), current.sumSquares(), current.rows() + values.length / width));
    }

    /** The statistics of one value, if it was collected. */
    public Channels of(String value) {
        Channels found = channels.get(value);
        if (found == null) {
            throw new IllegalArgumentException("no statistics were collected for '" + value + "'");
        }
        return found;
    }
}
