package dev.lathe.core.calibration;

import dev.lathe.core.summation.CompensatedSums;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel statistics of one value over calibration samples. Mergeable exactly: each sample's
 * contribution is computed on its own and the contributions are summed in {@link CompensatedSums}, so
 * statistics gathered on parts of the samples (on several machines) and {@link #merge merged} equal, bit for
 * bit, those gathered on all of them in one pass (sums add, maxima take the larger).
 */
public final class ChannelStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CompensatedSums sums;
    private final CompensatedSums sumSquares;
    private final float[] maxAbs;
    private final CompensatedSums gram;
    private long rows;
    private transient double[] roundedSums;
    private transient double[] roundedSquares;

    private ChannelStatistics(CompensatedSums sums, CompensatedSums sumSquares, float[] maxAbs, long rows,
            CompensatedSums gram) {
        this.sums = sums;
        this.sumSquares = sumSquares;
        this.maxAbs = maxAbs;
        this.rows = rows;
        this.gram = gram;
    }

    /** Empty statistics for {@code channels} channels. */
    public static ChannelStatistics empty(int channels, boolean gram) {
        return new ChannelStatistics(new CompensatedSums(channels), new CompensatedSums(channels), new float[channels], 0,
                gram ? new CompensatedSums(channels * (channels + 1) / 2) : null);
    }

    /**
     * Adds one sample's contribution, computed on that sample alone: per-channel sums, sums of squares and
     * largest magnitudes over its positions, how many positions it has, and its Gram matrix (row-major, of
     * which the upper triangle is read; null when none was asked for).
     */
    void add(float[] sampleSums, float[] sampleSquares, float[] sampleMaxAbs, long sampleRows, float[] sampleGram) {
        sums.add(0, sampleSums);
        sumSquares.add(0, sampleSquares);
        for (int c = 0; c < maxAbs.length; c++) {
            maxAbs[c] = Math.max(maxAbs[c], sampleMaxAbs[c]);
        }
        if (gram != null) {
            // The upper triangle only, packed row by row: the matrix is symmetric, and this halves the cost of the
            // exact sums and the size of the statistics a cluster's executors send back.
            int channels = maxAbs.length;
            for (int a = 0; a < channels; a++) {
                gram.add(packed(a, a), sampleGram, a * channels + a, channels - a);
            }
        }
        rows += sampleRows;
        roundedSums = null;
        roundedSquares = null;
    }

    /** The number of channels. */
    public int channels() {
        return maxAbs.length;
    }

    /** Per channel, the sum over all samples and positions. */
    public synchronized double[] sums() {
        if (roundedSums == null) {
            roundedSums = sums.values();
        }
        return roundedSums;
    }

    /** Per channel, the sum of squares. */
    public synchronized double[] sumSquares() {
        if (roundedSquares == null) {
            roundedSquares = sumSquares.values();
        }
        return roundedSquares;
    }

    /** Per channel, the largest absolute value. */
    public float[] maxAbs() {
        return maxAbs;
    }

    /** How many positions contributed (samples times positions per sample). */
    public long rows() {
        return rows;
    }

    /** The channels' Gram matrix (symmetric), a new matrix on each call; null when it was not requested. */
    public double[][] gram() {
        if (gram == null) {
            return null;
        }
        int channels = channels();
        double[][] matrix = new double[channels][channels];
        for (int a = 0; a < channels; a++) {
            for (int b = a; b < channels; b++) {
                matrix[a][b] = gram.value(packed(a, b));
                matrix[b][a] = matrix[a][b];
            }
        }
        return matrix;
    }

    /** Where element (a, b), a <= b, of the upper triangle sits when packed row by row. */
    private int packed(int a, int b) {
        int channels = maxAbs.length;
        return a * channels - a * (a - 1) / 2 + (b - a);
    }

    /**
     * These statistics and another part's, as if gathered together.
     *
     * @throws IllegalArgumentException if the two differ in channels or in having a Gram matrix
     */
    public ChannelStatistics merge(ChannelStatistics other) {
        if (other.channels() != channels() || (gram == null) != (other.gram == null)) {
            throw new IllegalArgumentException("cannot merge statistics of " + channels() + " channels" + (gram == null ? ""
                    : " with a Gram matrix") + " with statistics of " + other.channels() + " channels"
                    + (other.gram == null ? "" : " with a Gram matrix"));
        }
        CompensatedSums mergedSums = sums.copy();
        mergedSums.add(other.sums);
        CompensatedSums mergedSquares = sumSquares.copy();
        mergedSquares.add(other.sumSquares);
        float[] mergedMax = maxAbs.clone();
        for (int c = 0; c < mergedMax.length; c++) {
            mergedMax[c] = Math.max(mergedMax[c], other.maxAbs[c]);
        }
        CompensatedSums mergedGram = null;
        if (gram != null) {
            mergedGram = gram.copy();
            mergedGram.add(other.gram);
        }
        return new ChannelStatistics(mergedSums, mergedSquares, mergedMax, rows + other.rows, mergedGram);
    }

    /** Per channel, the L2 norm over all positions. */
    public double[] norms() {
        return Arrays.stream(sumSquares()).map(Math::sqrt).toArray();
    }

    /** Per channel, the mean over all positions. */
    public double[] means() {
        return Arrays.stream(sums()).map(sum -> rows == 0 ? 0 : sum / rows).toArray();
    }
}
