package dev.lathe.core.calibration;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one calibration probe of Lathe: streams calibration samples, one at a time, through a single probe
 * model that computes every statistic the passes asked for ({@link ChannelRequest}) inside ONNX Runtime,
 * Gram matrices included ({@code Σ xᵀx} of a sample's positions, K×K), so memory does not grow with the
 * number of samples. Each sample's statistics are computed on that sample alone and summed across samples
 * in double-double precision ({@link ChannelStatistics}), which makes the result independent of how the
 * samples are split: statistics of parts of the samples {@link #merge merged} equal, bit for bit, those of
 * all samples in one pass, so they can be computed on several machines and combined. The probe runs on the
 * CPU with graph optimizations off, so that the statistics see the values exactly as the model defines them;
 * equal bits across machines also need the same ONNX Runtime version and CPU kernels (instruction set).
 *
 * <p>What exactness costs: the Gram matrices of all-MiniLM-L6-v2's 24 MatMul inputs over 128 sentences took
 * 3.0 s when rows of many samples were buffered and multiplied out 1,024 rows at a time (not exact across
 * splits), and about 8.6 s made sample by sample (best of three, 2 shared cores with AVX-512 VNNI): a K×K
 * matrix per sample leaves ONNX Runtime and its upper triangle is summed; statistics without Gram matrices
 * cost the same as before (1.3 s).
 *
 * @param samples    how many samples contributed
 * @param statistics the statistics by value name, in request order
 */
public record CalibrationStatistics(int samples, Map<String, ChannelStatistics> statistics) implements Serializable {
    private static final long serialVersionUID = 1L;

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
        try (Probe probe = probe(model, requests)) {
            return probe.collect(samples, maxSamples);
        }
    }

    /**
     * Opens the probe for the requests on a model, to gather statistics over several sets of samples (an
     * executor keeps one open across the tasks it runs).
     *
     * @throws IllegalArgumentException if there are no requests, or a value is not produced by the main graph
     * @throws RuntimeFailureException  if ONNX Runtime cannot load the probe
     */
    public static Probe probe(OnnxModel model, List<ChannelRequest> requests) throws RuntimeFailureException {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(model.source() + ": calibration statistics need at least one request");
        }
        StatisticsProbe probe = StatisticsProbe.of(model, requests);
        return new Probe(model.source(), probe, ModelSession.open(probe.model(), SessionSettings.cpu().withOptimization(false)));
    }

    /** An open probe session; thread-safe, reusable until closed. */
    public static final class Probe implements AutoCloseable {
        private final String source;
        private final StatisticsProbe probe;
        private final ModelSession session;

        private Probe(String source, StatisticsProbe probe, ModelSession session) {
            this.source = source;
            this.probe = probe;
            this.session = session;
        }

        /**
         * The statistics over at most {@code maxSamples} samples.
         *
         * @throws IllegalArgumentException if there are no samples, or a value has other channels than requested
         * @throws RuntimeFailureException  if ONNX Runtime cannot run the probe
         */
        public CalibrationStatistics collect(Iterable<Map<String, TensorData>> samples, int maxSamples)
                throws RuntimeFailureException {
            Map<String, ChannelStatistics> totals = new LinkedHashMap<>();
            for (StatisticsProbe.Outputs output : probe.outputs()) {
                totals.put(output.request().value(), ChannelStatistics.empty(output.request().channels(),
                        output.request().gram()));
            }
            int count = 0;
            for (Map<String, TensorData> sample : samples) {
                if (count == maxSamples) {
                    break;
                }
                Map<String, TensorData> results = session.run(sample);
                for (StatisticsProbe.Outputs output : probe.outputs()) {
                    add(totals.get(output.request().value()), output, results);
                }
                count++;
            }
            if (count == 0) {
                throw new IllegalArgumentException(source + ": calibration statistics need at least one sample");
            }
            return new CalibrationStatistics(count, totals);
        }

        /** Closes the session. */
        @Override
        public void close() {
            session.close();
        }
    }

    /** Adds one sample's probe results for one value. */
    private static void add(ChannelStatistics total, StatisticsProbe.Outputs output, Map<String, TensorData> results) {
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
        total.add(results.get(output.sums()).toFloatArray(), results.get(output.squares()).toFloatArray(),
                results.get(output.maxAbs()).toFloatArray(), elements / channels,
                output.gram() == null ? null : results.get(output.gram()).toFloatArray());
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
