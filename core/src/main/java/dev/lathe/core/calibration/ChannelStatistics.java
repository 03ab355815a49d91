package dev.lathe.core.calibration;

import java.util.Arrays;

/**
 * Per-channel statistics of one value over calibration samples. Mergeable: statistics gathered on two
 * parts of the samples and {@link #merge merged} equal those gathered on all of them (sums add, maxima
 * take the larger), so they can be computed in parts, on several machines.
 *
 * @param sums       per channel, the sum over all samples and positions
 * @param sumSquares per channel, the sum of squares
 * @param maxAbs     per channel, the largest absolute value
 * @param rows       how many positions contributed (samples times positions per sample)
 * @param gram       the channels' Gram matrix (symmetric), or null when it was not requested
 */
public record ChannelStatistics(double[] sums, double[] sumSquares, float[] maxAbs, long rows, double[][] gram) {

    /** Empty statistics for {@code channels} channels. */
    public static ChannelStatistics empty(int channels, boolean gram) {
        return new ChannelStatistics(new double[channels], new double[channels], new float[channels], 0,
                gram ? new double[channels][channels] : null);
    }

    /** The number of channels. */
    public int channels() {
        return sums.length;
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
        double[] mergedSums = sums.clone();
        double[] mergedSquares = sumSquares.clone();
        float[] mergedMax = maxAbs.clone();
        for (int c = 0; c < mergedSums.length; c++) {
            mergedSums[c] += other.sums[c];
            mergedSquares[c] += other.sumSquares[c];
            mergedMax[c] = Math.max(mergedMax[c], other.maxAbs[c]);
        }
        double[][] mergedGram = null;
        if (gram != null) {
            mergedGram = new double[gram.length][];
            for (int a = 0; a < gram.length; a++) {
                mergedGram[a] = gram[a].clone();
                for (int b = 0; b < gram[a].length; b++) {
                    mergedGram[a][b] += other.gram[a][b];
                }
            }
        }
        return new ChannelStatistics(mergedSums, mergedSquares, mergedMax, rows + other.rows, mergedGram);
    }

    /** Per channel, the L2 norm over all positions. */
    public double[] norms() {
        return Arrays.stream(sumSquares).map(Math::sqrt).toArray();
    }

    /** Per channel, the mean over all positions. */
    public double[] means() {
        return Arrays.stream(sums).map(sum -> rows == 0 ? 0 : sum / rows).toArray();
    }
}
