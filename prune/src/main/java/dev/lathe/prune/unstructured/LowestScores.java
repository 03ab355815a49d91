package dev.lathe.prune.unstructured;

/**
 * Zeroes the lowest-scoring weights of a group. A group is an arithmetic progression of flat indices
 * ({@code start}, {@code start + stride}, ...), which covers a whole tensor, one output, and one N:M group
 * alike. Exactly the requested number is zeroed: every weight scoring below the threshold (the score of the
 * last one to go), then weights scoring exactly the threshold in index order, so ties go to the lower
 * index and the result is deterministic. The threshold is found by selection, in time linear in the group
 * size. Keeps a scratch buffer between calls; not thread-safe.
 */
final class LowestScores {
    private float[] scratch = new float[16];

    /**
     * Zeroes the {@code prune} lowest-scoring of the {@code count} weights at {@code start + i · stride}.
     *
     * @param scores the score of each element of the tensor
     * @param values the tensor's elements, zeroed in place
     * @param start  flat index of the group's first weight
     * @param stride distance between the group's weights
     * @param count  weights in the group
     * @param prune  how many of them to zero
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
         * {@code scores}, which it reorders; {@code 0 < prune <= count}.
         */
        static Threshold of(float[] scores, int count, int prune) {
            float value = select(scores, count, prune - 1);
            long below = 0;
            for (int i = 0; i < count; i++) {
                below += scores[i] < value ? 1 : 0;
            }
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

        /**
         * The {@code k}-th smallest (from 0) of the first {@code count} values, which are reordered: quickselect
         * with a median-of-three pivot and a three-way partition, so runs of equal scores (zeros of an already
         * sparse weight) cost no more than distinct ones.
         */
        private static float select(float[] a, int count, int k) {
            int low = 0;
            int high = count - 1;
            while (low < high) {
                float pivot = median(a[low], a[(low + high) >>> 1], a[high]);
                int less = low;
                int greater = high;
                int i = low;
                while (i <= greater) {
                    if (a[i] < pivot) {
                        swap(a, less++, i++);
                    } else if (a[i] > pivot) {
                        swap(a, i, greater--);
                    } else {
                        i++;
                    }
                }
                if (k < less) {
                    high = less - 1;
                } else if (k > greater) {
                    low = greater + 1;
                } else {
                    return pivot;
                }
            }
            return a[low];
        }

        private static float median(float a, float b, float c) {
            return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
        }

        private static void swap(float[] a, int i, int j) {
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
