package dev.lathe.prune.unstructured;

import java.util.Arrays;

/**
 * Zeroes the lowest-scoring weights of a group. A group is an arithmetic progression of flat indices
 * ({@code start}, {@code start + stride}, ...), which covers a whole tensor, one output, and one N:M group
 * alike. Exactly the requested number is zeroed: every weight scoring below the threshold (the score of the
 * last one to go), then weights scoring exactly the threshold in index order, so ties go to the lower
 * index and the result is deterministic. Keeps a scratch buffer between calls; not thread-safe.
 */
final class LowestScores {
    private float[] scratch = new float[16];

    /**
     * Zeroes the {@code prune} lowest-scoring of the {@code count} weights at {@code start + i · stride}.
     *
     * @param scores the score of each element of the tensor
     * @param values the tensor's elements, zeroed in place
     */
    void zero(float[] scores, float[] values, int start, int stride, int count, int prune) {
        if (prune <= 0) {
            return;
        }
        if (scratch.length < count) {
            scratch = new float[count];
        }
        for (int i = 0; i < count; i++) {
            scratch[i] = scores[start + i * stride];
        }
        Arrays.sort(scratch, 0, count);
        Threshold threshold = Threshold.of(scratch, count, prune);
        for (int i = 0, index = start; i < count; i++, index += stride) {
            if (threshold.takes(scores[index])) {
                values[index] = 0;
            }
        }
    }

    /**
     * A score threshold taking exactly a given number of weights: all below it, and as many at it as remain,
     * in the order they are offered. Used within one group, and across all weights of a model for global
     * sparsity (offered tensor by tensor, in graph order).
     */
    static final class Threshold {
        private final float value;
        private long tiesLeft;

        private Threshold(float value, long tiesLeft) {
            this.value = value;
            this.tiesLeft = tiesLeft;
        }

        /**
         * The threshold that takes the {@code prune} lowest of the first {@code count} scores of
         * {@code sorted} (ascending); {@code 0 < prune <= count}.
         */
        static Threshold of(float[] sorted, long count, long prune) {
            float value = sorted[(int) (prune - 1)];
            long below = lowerBound(sorted, count, value);
            return new Threshold(value, prune - below);
        }

        /** A threshold that takes nothing. */
        static Threshold none() {
            return new Threshold(Float.NEGATIVE_INFINITY, 0);
        }

        /** Whether a weight with this score goes; call once per weight, in index order. */
        boolean takes(float score) {
            if (score < value) {
                return true;
            }
            if (score == value && tiesLeft > 0) {
                tiesLeft--;
                return true;
            }
            return false;
        }

        private static long lowerBound(float[] sorted, long count, float value) {
            int low = 0;
            int high = (int) count;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (sorted[middle] < value) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }
}
