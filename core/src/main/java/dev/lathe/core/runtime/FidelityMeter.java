package dev.lathe.core.runtime;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a reference and a candidate model on the same inputs and measures how far the outputs differ. */
public final class FidelityMeter {
    private FidelityMeter() {
    }

    /** Sees each sample with both models' outputs, e.g. to compute a task's metrics along the way. */
    @FunctionalInterface
    public interface SampleObserver {
        /** Called once per sample, after both models ran it. */
        void observe(Map<String, TensorData> inputs, Map<String, TensorData> reference, Map<String, TensorData> candidate);
    }

    /**
     * Compares every output the two sessions share, over all samples.
     *
     * @throws IllegalArgumentException if the sessions share no output, or an output changes shape
     */
    public static Fidelity compare(ModelSession reference, ModelSession candidate, List<Map<String, TensorData>> samples)
            throws RuntimeFailureException {
        return compare(reference, candidate, samples, (inputs, expected, actual) -> { });
    }

    /**
     * Compares every output the two sessions share over the samples, read one at a time, and shows each
     * sample with both models' outputs to an observer.
     *
     * @throws IllegalArgumentException if there are no samples, the sessions share no output, or an output
     *                                  changes shape
     */
    public static Fidelity compare(ModelSession reference, ModelSession candidate, Iterable<Map<String, TensorData>> samples,
            SampleObserver observer) throws RuntimeFailureException {
        List<String> shared = new ArrayList<>(reference.outputNames());
        shared.retainAll(candidate.outputNames());
        if (shared.isEmpty()) {
            throw new IllegalArgumentException(candidate.source() + " shares no output with " + reference.source()
                    + ": " + candidate.outputNames() + " vs " + reference.outputNames());
        }
        FidelitySums sums = new FidelitySums(shared, reference.source(), candidate.source());
        for (Map<String, TensorData> sample : samples) {
            Map<String, TensorData> expected = reference.run(sample);
            Map<String, TensorData> actual = candidate.run(sample);
            observer.observe(sample, expected, actual);
            sums.add(expected, actual);
        }
        return sums.result();
    }
}
