package dev.lathe.core.runtime;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

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
        Accumulator[] accumulators = new Accumulator[shared.size()];
        for (int i = 0; i < accumulators.length; i++) {
            accumulators[i] = new Accumulator();
        }
        int count = 0;
        for (Map<String, TensorData> sample : samples) {
            count++;
            Map<String, TensorData> expected = reference.run(sample);
            Map<String, TensorData> actual = candidate.run(sample);
            observer.observe(sample, expected, actual);
            for (int i = 0; i < shared.size(); i++) {
                String name = shared.get(i);
                TensorData a = expected.get(name);
                TensorData b = actual.get(name);
                if (a == null || b == null) {
                    continue;
                }
                if (!Arrays.equals(a.shape(), b.shape())) {
                    throw new IllegalArgumentException("output '" + name + "' has shape " + Arrays.toString(b.shape())
                            + " in " + candidate.source() + " but " + Arrays.toString(a.shape()) + " in " + reference.source());
                }
                accumulators[i].add(a, b);
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("fidelity needs at least one input sample");
        }
        if (Arrays.stream(accumulators).allMatch(accumulator -> accumulator.elements == 0)) {
            throw new IllegalArgumentException(candidate.source() + ": every output was empty on the " + count
                    + " samples (zero-size inputs?), so nothing was compared; validate on inputs with elements");
        }
        List<OutputFidelity> outputs = new ArrayList<>();
        for (int i = 0; i < shared.size(); i++) {
            outputs.add(accumulators[i].result(shared.get(i)));
        }
        return new Fidelity(count, outputs);
    }

    /** Running sums for one output. */
    private static final class Accumulator {
        private double maxAbs;
        private double sumAbs;
        private long elements;
        private double sumCosine;
        private double minCosine = Double.POSITIVE_INFINITY;
        private int samples;
        private long rows;
        private long agreeingRows;
        private boolean classifier = true;

        void add(TensorData reference, TensorData candidate) {
            double[] a = reference.toDoubleArray();
            double[] b = candidate.toDoubleArray();
            double dot = 0;
            double normA = 0;
            double normB = 0;
            for (int i = 0; i < a.length; i++) {
                double diff = Math.abs(a[i] - b[i]);
                maxAbs = Math.max(maxAbs, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
                sumAbs += diff;
                dot += a[i] * b[i];
                normA += a[i] * a[i];
                normB += b[i] * b[i];
            }
            elements += a.length;
            double cosine = normA == 0 && normB == 0 ? 1 : dot / Math.sqrt(normA * normB);
            cosine = Double.isNaN(cosine) ? 0 : cosine;
            sumCosine += cosine;
            minCosine = Math.min(minCosine, cosine);
            samples++;
            long[] shape = reference.shape();
            classifier &= shape.length == 2 && shape[1] > 1 && reference.dataType().isFloatingPoint();
            if (classifier) {
                int width = (int) shape[1];
                for (int row = 0; row < shape[0]; row++) {
                    rows++;
                    agreeingRows += argMax(a, row * width, width) == argMax(b, row * width, width) ? 1 : 0;
                }
            }
        }

        OutputFidelity result(String name) {
            return new OutputFidelity(name, maxAbs, elements == 0 ? 0 : sumAbs / elements, sumCosine / samples,
                    minCosine, classifier && rows > 0 ? OptionalDouble.of((double) agreeingRows / rows) : OptionalDouble.empty());
        }

        private static int argMax(double[] values, int from, int width) {
            int best = 0;
            for (int i = 1; i < width; i++) {
                if (values[from + i] > values[from + best]) {
                    best = i;
                }
            }
            return best;
        }
    }
}
