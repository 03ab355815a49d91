package dev.lathe.core.calibration;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A streaming histogram of one value's elements, for activation ranges: {@value #BINS} equal bins over
 * {@code [-range, range)}, where {@code range} is a power of two above every element seen. When an element
 * falls outside, neighbouring bins are summed in pairs and the range doubles, so memory is fixed whatever the
 * number of samples. Bins of different ranges nest exactly (a power-of-two range keeps every edge exact), which
 * makes {@link #merge merging} exact: the histograms of two halves of the samples merged equal the histogram of
 * all samples, whatever the order (the range ends as the smallest power of two above every magnitude seen,
 * and an element's bin at a range is the one its bin at any smaller range folds into). Thresholds come from the counts: {@link #minMax}, {@link #percentile} and {@link #entropy}
 * (the threshold that minimizes the Kullback-Leibler divergence between the histogram and its 8-bit
 * quantization, after TensorRT's calibrator).
 */
public final class ValueHistogram implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Bins over {@code [-range, range)}. */
    public static final int BINS = 2048;
    /** Quantization levels on one side of zero that the entropy method fits (8 bits). */
    private static final int LEVELS = 128;
    private static final double SMOOTHING = 1e-8;
    private static final double SMALLEST_RANGE = Math.scalb(1.0, -40);

    private final long[] counts;
    private double range;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long total;

    /** An empty histogram. */
    public ValueHistogram() {
        this.counts = new long[BINS];
    }

    private ValueHistogram(long[] counts, double range, float min, float max, long total) {
        this.counts = counts;
        this.range = range;
        this.min = min;
        this.max = max;
        this.total = total;
    }

    /**
     * Adds elements; NaN elements are not counted.
     *
     * @throws IllegalArgumentException if an element is infinite
     */
    public void add(float[] values) {
        float low = Float.POSITIVE_INFINITY;
        float high = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            if (v < low) {
                low = v;
            }
            if (v > high) {
                high = v;
            }
        }
        if (low > high) {
            return; // empty, or only NaN
        }
        if (Float.isInfinite(low) || Float.isInfinite(high)) {
            throw new IllegalArgumentException("an activation holds an infinite value; it cannot be quantized");
        }
        growTo(Math.max(-low, high));
        min = Math.min(min, low);
        max = Math.max(max, high);
        double scale = BINS / (2 * range);
        for (float v : values) {
            if (v == v) {
                // v * scale is exact (scale is a power of two), so the bin does not depend on the range the
                // histogram had when v came: floor(v·s/2) = floor(floor(v·s)/2) is what halving the bins does.
                // (v + range) * scale would round tiny negative v into the first bin above zero at some ranges only.
                int bin = BINS / 2 + (int) Math.floor(v * scale);
                counts[Math.min(bin, BINS - 1)]++;
                total++;
            }
        }
    }

    /** Widens the range (a power of two) until it is above {@code magnitude}. */
    private void growTo(double magnitude) {
        if (range == 0) {
            range = SMALLEST_RANGE;
        }
        while (range <= magnitude) {
            long[] halved = new long[BINS];
            for (int i = 0; i < BINS / 2; i++) {
                halved[BINS / 4 + i] = counts[2 * i] + counts[2 * i + 1];
            }
            System.arraycopy(halved, 0, counts, 0, BINS);
            range *= 2;
        }
    }

    /** A new histogram of the elements of this one and {@code other}; neither changes. */
    public ValueHistogram merge(ValueHistogram other) {
        ValueHistogram merged = copy();
        ValueHistogram added = other.copy();
        double common = Math.max(merged.range, added.range);
        if (common > 0) {
            merged.growTo(Math.nextDown(common));
            added.growTo(Math.nextDown(common));
        }
        for (int i = 0; i < BINS; i++) {
            merged.counts[i] += added.counts[i];
        }
        merged.min = Math.min(min, other.min);
        merged.max = Math.max(max, other.max);
        merged.total = total + other.total;
        return merged;
    }

    private ValueHistogram copy() {
        return new ValueHistogram(counts.clone(), range, min, max, total);
    }

    /** How many elements were counted. */
    public long count() {
        return total;
    }

    /** The counts, bin by bin (a copy). */
    public long[] counts() {
        return counts.clone();
    }

    /** The power of two the bins span on each side of zero; 0 when nothing was counted. */
    public double range() {
        return range;
    }

    /** The smallest and largest element: {@code [min, max]}. */
    public float[] minMax() {
        requireData();
        return new float[] {min, max};
    }

    /**
     * The range that holds {@code percent} of the elements, cutting half of the rest from each end, to the
     * bin; never wider than {@link #minMax}.
     *
     * @throws IllegalArgumentException if percent is not in (0, 100]
     */
    public float[] percentile(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percent);
        }
        requireData();
        double tail = total * (100 - percent) / 200;
        long seen = 0;
        int first = 0;
        while (first < BINS - 1 && seen + counts[first] <= tail) {
            seen += counts[first++];
        }
        seen = 0;
        int last = BINS - 1;
        while (last > 0 && seen + counts[last] <= tail) {
            seen += counts[last--];
        }
        return new float[] {Math.max(min, (float) edge(first)), Math.min(max, (float) edge(last + 1))};
    }

    /**
     * The symmetric threshold {@code t} whose clipping to {@code [-t, t]} and quantization to 8 bits loses
     * the least information (smallest KL divergence over the histogram of magnitudes), as the range
     * {@code [max(min, -t), min(max, t)]}.
     */
    public float[] entropy() {
        requireData();
        int half = BINS / 2;
        double[] magnitudes = new double[half];
        for (int k = 0; k < half; k++) {
            magnitudes[k] = counts[half + k] + counts[half - 1 - k];
        }
        int best = half;
        double bestDivergence = Double.POSITIVE_INFINITY;
        for (int bins = LEVELS; bins <= half; bins++) {
            double divergence = divergence(magnitudes, bins);
            if (divergence < bestDivergence) {
                bestDivergence = divergence;
                best = bins;
            }
        }
        double threshold = best * range / half;
        return new float[] {(float) Math.max(min, -threshold), (float) Math.min(max, threshold)};
    }

    /**
     * KL(P || Q): P the first {@code bins} magnitude bins with the clipped tail added to the last, Q those bins
     * without the tail merged into {@value #LEVELS} levels and spread back evenly over the bins P does not
     * leave empty. Where Q is empty and P is not (the tail), Q is smoothed to {@value #SMOOTHING}, a large but
     * finite penalty, as MXNet's calibrator does.
     */
    private static double divergence(double[] magnitudes, int bins) {
        double[] p = Arrays.copyOf(magnitudes, bins);
        for (int k = bins; k < magnitudes.length; k++) {
            p[bins - 1] += magnitudes[k];
        }
        double[] q = new double[bins];
        int merged = bins / LEVELS;
        for (int level = 0; level < LEVELS; level++) {
            int start = level * merged;
            int end = level == LEVELS - 1 ? bins : start + merged;
            double sum = 0;
            int nonEmpty = 0;
            for (int k = start; k < end; k++) {
                sum += magnitudes[k];
                nonEmpty += p[k] > 0 ? 1 : 0;
            }
            for (int k = start; k < end; k++) {
                q[k] = p[k] > 0 ? sum / nonEmpty : 0;
            }
        }
        double pTotal = 0;
        double qTotal = 0;
        for (int k = 0; k < bins; k++) {
            pTotal += p[k];
            qTotal += q[k];
        }
        if (pTotal == 0 || qTotal == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double divergence = 0;
        for (int k = 0; k < bins; k++) {
            if (p[k] > 0) {
                double pk = p[k] / pTotal;
                double qk = q[k] / qTotal;
                divergence += pk * Math.log(pk / Math.max(qk, SMOOTHING));
            }
        }
        return divergence;
    }

    private double edge(int bin) {
        return -range + bin * (2 * range / BINS);
    }

    private void requireData() {
        if (total == 0) {
            throw new IllegalStateException("the histogram is empty: no calibration sample reached this value");
        }
    }
}
