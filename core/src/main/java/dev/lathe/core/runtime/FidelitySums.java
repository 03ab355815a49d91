package dev.lathe.core.runtime;

import dev.lathe.core.model.TensorData;
import dev.lathe.core.summation.CompensatedSums;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The running sums behind a {@link Fidelity}: per output, the largest error, the sum of absolute errors and
 * of per-sample cosines (each sample's own sum first, then summed across samples in {@link CompensatedSums}),
 * the worst cosine and the counts. Sums measured on parts of the samples (on several machines) and
 * {@link #merge merged} equal, bit for bit, those measured in one pass, so the fidelity is the same.
 */
public final class FidelitySums implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int ABS = 0;
    private static final int COSINE = 1;

    private final List<String> outputs;
    private final String referenceSource;
    private final String candidateSource;
    private final double[] maxAbs;
    private final CompensatedSums[] sums;
    private final long[] elements;
    private final double[] minCosine;
    private final long[] rows;
    private final long[] agreeingRows;
    private final boolean[] classifier;
    private final int[] compared;
    private int samples;

    /**
     * Empty sums for the outputs two models share.
     *
     * @param referenceSource the reference model, for error messages
     * @param candidateSource the candidate model, for error messages
     * @throws IllegalArgumentException if there is no output
     */
    public FidelitySums(List<String> outputs, String referenceSource, String candidateSource) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException(candidateSource + " shares no output with " + referenceSource);
        }
        this.outputs = List.copyOf(outputs);
        this.referenceSource = referenceSource;
        this.candidateSource = candidateSource;
        int n = outputs.size();
        maxAbs = new double[n];
        sums = new CompensatedSums[n];
        for (int i = 0; i < n; i++) {
            sums[i] = new CompensatedSums(2);
        }
        elements = new long[n];
        minCosine = new double[n];
        Arrays.fill(minCosine, Double.POSITIVE_INFINITY);
        rows = new long[n];
        agreeingRows = new long[n];
        classifier = new boolean[n];
        Arrays.fill(classifier, true);
        compared = new int[n];
    }

    /** The compared outputs, in order. */
    public List<String> outputs() {
        return outputs;
    }

    /** How many samples were added. */
    public int samples() {
        return samples;
    }

    /**
     * Adds one sample's outputs of both models (outputs either lacks are skipped).
     *
     * @throws IllegalArgumentException if an output changed shape
     */
    public void add(Map<String, TensorData> reference, Map<String, TensorData> candidate) {
        samples++;
        for (int i = 0; i < outputs.size(); i++) {
            String name = outputs.get(i);
            TensorData a = reference.get(name);
            TensorData b = candidate.get(name);
            if (a == null || b == null) {
                continue;
            }
            if (!Arrays.equals(a.shape(), b.shape())) {
                throw new IllegalArgumentException("output '" + name + "' has shape " + Arrays.toString(b.shape())
                        + " in " + candidateSource + " but " + Arrays.toString(a.shape()) + " in " + referenceSource);
            }
            add(i, a, b);
        }
    }

    private void add(int output, TensorData reference, TensorData candidate) {
        double[] a = reference.toDoubleArray();
        double[] b = candidate.toDoubleArray();
        double dot = 0;
        double normA = 0;
        double normB = 0;
        double sumAbs = 0;
        double largest = maxAbs[output];
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - b[i]);
            largest = Math.max(largest, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
            sumAbs += diff;
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        maxAbs[output] = largest;
        sums[output].add(ABS, sumAbs);
        elements[output] += a.length;
        double cosine = normA == 0 && normB == 0 ? 1 : dot / Math.sqrt(normA * normB);
        cosine = Double.isNaN(cosine) ? 0 : cosine;
        sums[output].add(COSINE, cosine);
        minCosine[output] = Math.min(minCosine[output], cosine);
        compared[output]++;
        long[] shape = reference.shape();
        classifier[output] &= shape.length == 2 && shape[1] > 1 && reference.dataType().isFloatingPoint();
        if (classifier[output]) {
            int width = (int) shape[1];
            for (int row = 0; row < shape[0]; row++) {
                rows[output]++;
                agreeingRows[output] += argMax(a, row * width, width) == argMax(b, row * width, width) ? 1 : 0;
            }
        }
    }

    /**
     * Adds the sums of another part of the samples (this one changes, {@code other} does not).
     *
     * @throws IllegalArgumentException if the two compare other outputs
     */
    public void merge(FidelitySums other) {
        if (!outputs.equals(other.outputs)) {
            throw new IllegalArgumentException("cannot merge fidelity of outputs " + other.outputs + " into " + outputs);
        }
        samples += other.samples;
        for (int i = 0; i < outputs.size(); i++) {
            maxAbs[i] = Math.max(maxAbs[i], other.maxAbs[i]);
            sums[i].add(other.sums[i]);
            elements[i] += other.elements[i];
            minCosine[i] = Math.min(minCosine[i], other.minCosine[i]);
            rows[i] += other.rows[i];
            agreeingRows[i] += other.agreeingRows[i];
            classifier[i] &= other.classifier[i];
            compared[i] += other.compared[i];
        }
    }

    /**
     * The fidelity over all samples added.
     *
     * @throws IllegalArgumentException if there was no sample, or every output was empty
     */
    public Fidelity result() {
        if (samples == 0) {
            throw new IllegalArgumentException("fidelity needs at least one input sample");
        }
        if (Arrays.stream(elements).allMatch(count -> count == 0)) {
            throw new IllegalArgumentException(candidateSource + ": every output was empty on the " + samples
                    + " samples (zero-size inputs?), so nothing was compared; validate on inputs with elements");
        }
        List<OutputFidelity> results = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            results.add(new OutputFidelity(outputs.get(i), maxAbs[i], elements[i] == 0 ? 0 : sums[i].value(ABS) / elements[i],
                    sums[i].value(COSINE) / compared[i], minCosine[i], classifier[i] && rows[i] > 0
                            ? OptionalDouble.of((double) agreeingRows[i] / rows[i]) : OptionalDouble.empty()));
        }
        return new Fidelity(samples, results);
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
