package dev.lathe.prune.unstructured;

import java.util.Optional;

/** Which weights a pruning pass zeroes: a fraction of each group of competitors, or N of every M. */
public sealed interface SparsityPattern {

    /** A short description for reports, such as {@code 50% per layer} or {@code 2:4}. */
    String describe();

    /**
     * Why a weight cannot take the pattern, or empty if it can.
     *
     * @param channels the length of the weight's reduction dimension: K of a [K, N] matrix, the input
     *                 channels per group of a Conv (whose reduction also runs over the kernel positions)
     */
    Optional<String> rejects(int channels);

    /**
     * Unstructured sparsity: the lowest-scoring {@code round(sparsity · size)} weights of every group the
     * scope defines are zeroed.
     *
     * @param sparsity the fraction of weights to zero, in [0, 1]
     * @param scope    which weights compete
     */
    record Unstructured(double sparsity, Scope scope) implements SparsityPattern {
        /** Checks the sparsity. */
        public Unstructured {
            if (!(sparsity >= 0 && sparsity <= 1)) {
                throw new IllegalArgumentException("sparsity must be from 0 to 1, got " + sparsity);
            }
        }

        /** How many of {@code size} competing weights are zeroed. */
        public long prunedOf(long size) {
            return Math.round(sparsity * size);
        }

        @Override
        public String describe() {
            return Math.round(sparsity * 1000) / 10.0 + "% " + switch (scope) {
                case OUTPUT -> "per output";
                case LAYER -> "per layer";
                case GLOBAL -> "global";
            };
        }

        @Override
        public Optional<String> rejects(int channels) {
            return Optional.empty();
        }
    }

    /**
     * N:M semi-structured sparsity: in every group of {@code m} consecutive weights along the reduction
     * dimension, the {@code n} highest-scoring are kept. Groups run down each column of a [K, N] MatMul or
     * Gemm weight (along K), and for a Conv along its input channels at each kernel position — the layout
     * NVIDIA's sparse tensor cores, TensorRT's sparsity mode and apex ASP use ({@code [Cout, kh, kw, Cin]}
     * with groups along Cin); for 1×1 kernels that is plain Cin.
     *
     * @param n weights kept per group, from 1 to m − 1
     * @param m group size, at least 2
     */
    record SemiStructured(int n, int m) implements SparsityPattern {
        /** Checks that 1 ≤ n &lt; m. */
        public SemiStructured {
            if (m < 2 || n < 1 || n >= m) {
                throw new IllegalArgumentException("N:M sparsity needs 1 <= n < m, got " + n + ":" + m);
            }
        }

        @Override
        public String describe() {
            return n + ":" + m;
        }

        @Override
        public Optional<String> rejects(int channels) {
            if (channels % m != 0) {
                return Optional.of("reduction dimension of " + channels + " input channels is not a multiple of " + m);
            }
            return Optional.empty();
        }
    }
}
