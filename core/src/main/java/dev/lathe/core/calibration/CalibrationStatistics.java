package dev.lathe.core.calibration;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one calibration service of Lathe: streams calibration samples, one at a time, through a single probe
 * model that computes every statistic the passes asked for ({@link ChannelRequest}) inside ONNX Runtime,
 * and sums them per value in double precision. A Gram matrix of a value's last axis (GPTQ's {@code Σ xᵀx},
 * K×K) is not made per sample, which costs a K×K copy for a few tokens: the value's rows are buffered and
 * every {@value #ROWS_PER_PRODUCT} rows multiplied out in ONNX Runtime by a one-node model. Memory does not grow with the number of samples. The
 * result is mergeable: statistics of two parts of the samples {@link #merge merged} equal those of all
 * samples, so they can be computed in parts (on several machines) and combined. The probe runs on the CPU
 * with graph optimizations off, so that the statistics see the values exactly as the model defines them.
 *
 * @param samples    how many samples contributed
 * @param statistics the statistics by value name, in request order
 */
public record CalibrationStatistics(int samples, Map<String, ChannelStatistics> statistics) {
    /** Rows of one value buffered before their Gram matrix is multiplied out. */
    public static final int ROWS_PER_PRODUCT = 1024;

    /** Copies the map, keeping its order. */
    public CalibrationStatistics {
        statistics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(statistics));
    }

    /**
     * Runs the model on at most {@code maxSamples} samples and gathers the requested statistics.
     *
     * @throws IllegalArgumentException if there are no samples or no requests, or a value is not produced by
     *                                  the main graph
     * @throws RuntimeFailureException  if ONNX Runtime cannot run the probe
     */
    public static CalibrationStatistics collect(OnnxModel model, List<ChannelRequest> requests,
            Iterable<Map<String, TensorData>> samples, int maxSamples) throws RuntimeFailureException {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(model.source() + ": calibration statistics need at least one request");
        }
        StatisticsProbe probe = StatisticsProbe.of(model, requests);
        Map<String, Accumulator> totals = new LinkedHashMap<>();
        int count = 0;
        try (ModelSession session = ModelSession.open(probe.model(), SessionSettings.cpu().withOptimization(false));
                GramProducts products = new GramProducts(model.source())) {
            for (StatisticsProbe.Outputs output : probe.outputs()) {
                totals.putIfAbsent(output.request().value(), new Accumulator(output, products));
            }
            for (Map<String, TensorData> sample : samples) {
                if (count == maxSamples) {
                    break;
                }
                Map<String, TensorData> results = session.run(sample);
                for (Accumulator total : totals.values()) {
                    total.add(results);
                }
                count++;
            }
            for (Accumulator total : totals.values()) {
                total.flush();
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException(model.source() + ": calibration statistics need at least one sample");
        }
        Map<String, ChannelStatistics> statistics = new LinkedHashMap<>();
        totals.forEach((value, total) -> statistics.put(value, total.statistics()));
        return new CalibrationStatistics(count, statistics);
    }

    /** One value's running sums, added to in place. */
    private static final class Accumulator {
        private final StatisticsProbe.Outputs output;
        private final ChannelStatistics total;
        private final GramProducts products;
        private final float[] buffer;
        private int buffered;
        private long rows;

        Accumulator(StatisticsProbe.Outputs output, GramProducts products) {
            this.output = output;
            this.products = products;
            int channels = output.request().channels();
            this.total = ChannelStatistics.empty(channels, output.request().gram());
            this.buffer = output.rows() == null ? null : new float[ROWS_PER_PRODUCT * channels];
        }

        void add(Map<String, TensorData> results) throws RuntimeFailureException {
            ChannelRequest request = output.request();
            int channels = request.channels();
            long[] shape = results.get(output.shape()).toLongArray();
            int axis = shape.length + request.axis();
            if (axis < 0 || shape[axis] != channels) {
                throw new IllegalArgumentException("value '" + request.value() + "' has shape " + Arrays.toString(shape)
                        + ", not " + channels + " channels on axis " + request.axis());
            }
            long elements = 1;
            for (long dim : shape) {
                elements *= dim;
            }
            rows += elements / channels;
            float[] sums = results.get(output.sums()).toFloatArray();
            float[] squares = results.get(output.squares()).toFloatArray();
            float[] maxAbs = results.get(output.maxAbs()).toFloatArray();
            for (int c = 0; c < channels; c++) {
                total.sums()[c] += sums[c];
                total.sumSquares()[c] += squares[c];
                total.maxAbs()[c] = Math.max(total.maxAbs()[c], maxAbs[c]);
            }
            if (output.gram() != null) {
                addGram(results.get(output.gram()).toFloatArray());
            }
            if (buffer != null) {
                float[] values = results.get(output.rows()).toFloatArray();
                for (int offset = 0; offset < values.length; offset += channels) {
                    System.arraycopy(values, offset, buffer, buffered * channels, channels);
                    if (++buffered == ROWS_PER_PRODUCT) {
                        flush();
                    }
                }
            }
        }

        /** Multiplies out the buffered rows, if any. */
        void flush() throws RuntimeFailureException {
            if (buffer == null || buffered == 0) {
                return;
            }
            int channels = output.request().channels();
            float[] block = buffered == ROWS_PER_PRODUCT ? buffer : Arrays.copyOf(buffer, buffered * channels);
            addGram(products.of(block, buffered, channels));
            buffered = 0;
        }

        private void addGram(float[] gram) {
            int channels = output.request().channels();
            for (int a = 0; a < channels; a++) {
                double[] row = total.gram()[a];
                for (int b = 0; b < channels; b++) {
                    row[b] += gram[a * channels + b];
                }
            }
        }

        ChannelStatistics statistics() {
            return new ChannelStatistics(total.sums(), total.sumSquares(), total.maxAbs(), rows, total.gram());
        }
    }

    /**
     * The statistics of one value.
     *
     * @throws IllegalArgumentException if it was not requested
     */
    public ChannelStatistics of(String value) {
        ChannelStatistics found = statistics.get(value);
        if (found == null) {
            throw new IllegalArgumentException("no calibration statistics were collected for '" + value + "'");
        }
        return found;
    }

    /**
     * These statistics and another part's, as if gathered on both parts' samples.
     *
     * @throws IllegalArgumentException if the two hold different values or shapes
     */
    public CalibrationStatistics merge(CalibrationStatistics other) {
        if (!statistics.keySet().equals(other.statistics.keySet())) {
            throw new IllegalArgumentException("cannot merge statistics of " + statistics.keySet() + " with statistics of "
                    + other.statistics.keySet());
        }
        Map<String, ChannelStatistics> merged = new LinkedHashMap<>();
        statistics.forEach((value, mine) -> merged.put(value, mine.merge(other.statistics.get(value))));
        return new CalibrationStatistics(samples + other.samples, merged);
    }
}
