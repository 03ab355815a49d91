package dev.lathe.core.calibration;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Histograms of a model's values (activations) over calibration samples, for static quantization ranges.
 * Samples stream through the model one at a time with the values exposed as outputs; each value's elements
 * go into its {@link ValueHistogram}, so memory holds one sample's activations and a fixed number of counts
 * per value, whatever the number of samples. Deterministic, and {@link #merge mergeable} exactly.
 *
 * @param samples    how many samples contributed
 * @param histograms the histogram of each value, in request order
 */
public record ValueHistograms(int samples, Map<String, ValueHistogram> histograms) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Copies the map, keeping its order. */
    public ValueHistograms {
        histograms = Collections.unmodifiableMap(new LinkedHashMap<>(histograms));
    }

    /**
     * Runs the model on at most {@code maxSamples} samples and counts the elements of the named values; values
     * that are not float tensors (shapes, indices) are left out of the result.
     *
     * @throws IllegalArgumentException if there are no samples, or a value is not in the main graph
     * @throws RuntimeFailureException  if ONNX Runtime cannot run the model
     */
    public static ValueHistograms collect(OnnxModel model, Collection<String> values,
            Iterable<Map<String, TensorData>> samples, int maxSamples) throws RuntimeFailureException {
        try (Probe probe = probe(model, values)) {
            return probe.collect(samples, maxSamples);
        }
    }

    /**
     * Opens the model with the named values exposed, to count them over several sets of samples (an executor
     * keeps one open across the tasks it runs).
     *
     * @throws IllegalArgumentException if a value is not in the main graph
     * @throws RuntimeFailureException  if ONNX Runtime cannot load the model
     */
    public static Probe probe(OnnxModel model, Collection<String> values) throws RuntimeFailureException {
        Set<String> inputs = new HashSet<>();
        model.graph().inputs().forEach(input -> inputs.add(input.getName()));
        List<String> exposed = values.stream().filter(value -> !inputs.contains(value)).toList();
        return new Probe(model.source(), List.copyOf(values), inputs,
                ModelSession.open(model.exposing(exposed), SessionSettings.cpu()));
    }

    /** An open session of the model with the values exposed; thread-safe, reusable until closed. */
    public static final class Probe implements AutoCloseable {
        private final String source;
        private final List<String> values;
        private final Set<String> inputs;
        private final ModelSession session;

        private Probe(String source, List<String> values, Set<String> inputs, ModelSession session) {
            this.source = source;
            this.values = values;
            this.inputs = inputs;
            this.session = session;
        }

        /**
         * The histograms over at most {@code maxSamples} samples.
         *
         * @throws IllegalArgumentException if there are no samples
         * @throws RuntimeFailureException  if ONNX Runtime cannot run the model
         */
        public ValueHistograms collect(Iterable<Map<String, TensorData>> samples, int maxSamples)
                throws RuntimeFailureException {
            Map<String, ValueHistogram> histograms = new LinkedHashMap<>();
            Set<String> notFloat = new HashSet<>();
            int count = 0;
            for (Map<String, TensorData> sample : samples) {
                if (count == maxSamples) {
                    break;
                }
                Map<String, TensorData> results = session.run(sample);
                for (String value : values) {
                    TensorData data = inputs.contains(value) ? sample.get(value) : results.get(value);
                    if (data == null || data.dataType() != DataType.FLOAT || notFloat.contains(value)) {
                        notFloat.add(value);
                        histograms.remove(value);
                        continue;
                    }
                    histograms.computeIfAbsent(value, v -> new ValueHistogram()).add(data.toFloatArray());
                }
                count++;
            }
            if (count == 0) {
                throw new IllegalArgumentException(source + ": activation ranges need at least one calibration sample");
            }
            Map<String, ValueHistogram> ordered = new LinkedHashMap<>();
            values.stream().filter(histograms::containsKey).forEach(value -> ordered.put(value, histograms.get(value)));
            return new ValueHistograms(count, ordered);
        }

        /** Closes the session. */
        @Override
        public void close() {
            session.close();
        }
    }

    /** The histogram of one value. @throws IllegalArgumentException if it was not collected */
    public ValueHistogram of(String value) {
        ValueHistogram histogram = histograms.get(value);
        if (histogram == null) {
            throw new IllegalArgumentException("no histogram was collected for '" + value + "'");
        }
        return histogram;
    }

    /** The histograms of both sets of samples combined, value by value (values in either set are kept). */
    public ValueHistograms merge(ValueHistograms other) {
        Map<String, ValueHistogram> merged = new LinkedHashMap<>(histograms);
        other.histograms.forEach((value, histogram) -> merged.merge(value, histogram, ValueHistogram::merge));
        return new ValueHistograms(samples + other.samples, merged);
    }
}
