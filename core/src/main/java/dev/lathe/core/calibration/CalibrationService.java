package dev.lathe.core.calibration;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where data-aware passes get their calibration statistics: per-channel statistics ({@link CalibrationStatistics})
 * and activation histograms ({@link ValueHistograms}) of values of the model as it is at that pass, over the
 * first calibration samples. By default they are {@link #streaming streamed} through ONNX Runtime in this JVM;
 * a calibration sample source that is itself a {@code CalibrationService} computes them where its samples
 * are (lathe-spark's samples on a cluster), and the pipeline's passes use it unchanged. Every implementation
 * must give the statistics the streaming one gives on the same samples, bit for bit (both are exact merges of
 * per-sample contributions).
 */
public interface CalibrationService {

    /**
     * The per-channel statistics of values of {@code model} over its first {@code maxSamples} samples.
     *
     * @throws IllegalArgumentException if a request names a value the model's main graph does not have, or
     *                                  there are no samples
     * @throws RuntimeFailureException  if the model cannot be run
     */
    CalibrationStatistics statistics(OnnxModel model, List<ChannelRequest> requests, int maxSamples)
            throws RuntimeFailureException;

    /**
     * Histograms of values of {@code model} over its first {@code maxSamples} samples; values that are not
     * float tensors are left out.
     *
     * @throws IllegalArgumentException if a value is not in the model's main graph, or there are no samples
     * @throws RuntimeFailureException  if the model cannot be run
     */
    ValueHistograms histograms(OnnxModel model, Collection<String> values, int maxSamples) throws RuntimeFailureException;

    /** The service that streams {@code samples} through ONNX Runtime in this JVM, one at a time. */
    static CalibrationService streaming(Iterable<Map<String, TensorData>> samples) {
        return new CalibrationService() {
            @Override
            public CalibrationStatistics statistics(OnnxModel model, List<ChannelRequest> requests, int maxSamples)
                    throws RuntimeFailureException {
                return CalibrationStatistics.collect(model, requests, samples, maxSamples);
            }

            @Override
            public ValueHistograms histograms(OnnxModel model, Collection<String> values, int maxSamples)
                    throws RuntimeFailureException {
                return ValueHistograms.collect(model, values, samples, maxSamples);
            }
        };
    }
}
