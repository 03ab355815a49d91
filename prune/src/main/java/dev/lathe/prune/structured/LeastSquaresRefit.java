package dev.lathe.prune.structured;

import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Re-fits a linear consumer after some of its input channels were removed, so that its output on the
 * calibration activations stays as close as possible to the original. With H the consumer's input
 * (rows: calibration positions, columns: all channels), W its weights [in, out] and K the kept channels,
 * it solves
 *
 * <pre>
 *   min over W', d of  ||H_K W' + 1 d − H W||² + λ ||W' − W_K||²
 * </pre>
 *
 * where d is a correction of the consumer's bias (when it has one) and the ridge term pulls the solution
 * towards the kept rows of the original weights, which is what no re-fit would keep: with few calibration
 * rows it keeps the fit from chasing noise. λ = {@code ridge} · mean(diag(H_KᵀH_K)). The normal equations
 *
 * <pre>
 *   [ G_KK + λI  s_K ] [ W' ]   [ G_K· W + λ W_K ]
 *   [ s_Kᵀ       n   ] [ d  ] = [ sᵀ W           ]
 * </pre>
 *
 * need only the Gram matrix G = HᵀH, the column sums s and the row count n, and are solved by a Cholesky
 * factorization in double precision.
 */
final class LeastSquaresRefit {
    private LeastSquaresRefit() {
    }

    /**
     * Re-fitted weights and bias correction.
     *
     * @param weights [kept][out] weights for the kept input channels
     * @param bias    [out] correction to add to the consumer's bias (zeros without intercept)
     */
    record Solution(double[][] weights, double[] bias) {
    }

    /**
     * Solves the re-fit.
     *
     * @param gram      G = HᵀH over all input channels
     * @param sums      s = column sums of H
     * @param rows      n, the number of rows of H
     * @param weights   W, [in][out]
     * @param kept      the kept input channels, ascending
     * @param intercept whether to fit a bias correction
     * @param ridge     the relative ridge strength (0 for plain least squares)
     * @return the solution, or empty if the system is singular (only possible with {@code ridge} 0)
     */
    static Optional<Solution> solve(double[][] gram, double[] sums, long rows, double[][] weights, int[] kept,
            boolean intercept, double ridge) {
        int k = kept.length;
        int in = weights.length;
        int out = weights[0].length;
        int m = k + (intercept ? 1 : 0);
        double meanDiagonal = 0;
        for (int channel : kept) {
            meanDiagonal += gram[channel][channel];
        }
        meanDiagonal = k == 0 ? 0 : meanDiagonal / k;
        double lambda = ridge * meanDiagonal;
        double[] a = new double[m * m];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                a[i * m + j] = gram[kept[i]][kept[j]];
            }
            a[i * m + i] += lambda;
            if (intercept) {
                a[i * m + k] = sums[kept[i]];
                a[k * m + i] = sums[kept[i]];
            }
        }
        if (intercept) {
            a[k * m + k] = rows;
        }
        double[][] rhs = new double[m][];
        IntStream.range(0, k).parallel().forEach(i -> {
            double[] row = new double[out];
            double[] g = gram[kept[i]];
            for (int c = 0; c < in; c++) {
                double factor = g[c];
                if (factor != 0) {
                    double[] w = weights[c];
                    for (int o = 0; o < out; o++) {
                        row[o] += factor * w[o];
                    }
                }
            }
            double[] own = weights[kept[i]];
            for (int o = 0; o < out; o++) {
                row[o] += lambda * own[o];
            }
            rhs[i] = row;
        });
        if (intercept) {
            double[] row = new double[out];
            for (int c = 0; c < in; c++) {
                for (int o = 0; o < out; o++) {
                    row[o] += sums[c] * weights[c][o];
                }
            }
            rhs[k] = row;
        }
        if (!cholesky(a, m)) {
            return Optional.empty();
        }
        double[][] solved = substitute(a, m, rhs);
        double[][] refitted = new double[k][];
        System.arraycopy(solved, 0, refitted, 0, k);
        return Optional.of(new Solution(refitted, intercept ? solved[k] : new double[out]));
    }

    /** Factorizes the symmetric matrix in place into its lower Cholesky factor; false if not positive definite. */
    static boolean cholesky(double[] a, int n) {
        for (int j = 0; j < n; j++) {
            double diagonal = a[j * n + j];
            for (int p = 0; p < j; p++) {
                diagonal -= a[j * n + p] * a[j * n + p];
            }
            if (!(diagonal > 0)) {
                return false;
            }
            double pivot = Math.sqrt(diagonal);
            a[j * n + j] = pivot;
            final int column = j;
            IntStream.range(j + 1, n).parallel().forEach(i -> {
                double value = a[i * n + column];
                for (int p = 0; p < column; p++) {
                    value -= a[i * n + p] * a[column * n + p];
                }
                a[i * n + column] = value / pivot;
            });
        }
        return true;
    }

    /**
     * Solves L Lᵀ X = B for every column of B at once, with L the lower factor {@link #cholesky} left in
     * {@code factor}; B's rows are overwritten with X's.
     */
    static double[][] substitute(double[] factor, int n, double[][] b) {
        int columns = b[0].length;
        for (int i = 0; i < n; i++) {
            double[] row = b[i];
            for (int p = 0; p < i; p++) {
                double l = factor[i * n + p];
                if (l != 0) {
                    double[] solvedRow = b[p];
                    for (int c = 0; c < columns; c++) {
                        row[c] -= l * solvedRow[c];
                    }
                }
            }
            double pivot = factor[i * n + i];
            for (int c = 0; c < columns; c++) {
                row[c] /= pivot;
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            double[] row = b[i];
            for (int p = i + 1; p < n; p++) {
                double l = factor[p * n + i];
                if (l != 0) {
                    double[] solvedRow = b[p];
                    for (int c = 0; c < columns; c++) {
                        row[c] -= l * solvedRow[c];
                    }
                }
            }
            double pivot = factor[i * n + i];
            for (int c = 0; c < columns; c++) {
                row[c] /= pivot;
            }
        }
        return b;
    }
}
