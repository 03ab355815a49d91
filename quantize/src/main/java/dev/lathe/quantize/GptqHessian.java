package dev.lathe.quantize;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A layer's Hessian {@code H = XᵀX} made ready for GPTQ (Frantar et al., 2022), which quantizes a weight
 * row one input column at a time and moves each column's rounding error onto the columns not yet quantized:
 * the processing order (decreasing {@code H[i][i]}, inputs with the most energy first, while there are the
 * most columns left to absorb their error) and the row-major K×K upper Cholesky factor U of the dampened,
 * permuted {@code H⁻¹ = UᵀU}. With it, for each column i in that order: {@code q = quantize(w[i])},
 * {@code e = (w[i] − q) / U[i][i]}, {@code w[j] −= e · U[i][j]} for every later j. Compute it once for all
 * weights that read the same activations.
 *
 * @param order  input columns in processing order
 * @param factor row-major K×K upper Cholesky factor U of the dampened, permuted {@code H⁻¹}
 */
public record GptqHessian(int[] order, double[] factor) {
    /** Below this many rows, a Cholesky update step runs on one thread (forking would cost more). */
    private static final int PARALLEL_FROM = 256;

    /**
     * Dampens, orders and factors a K×K Hessian. H is dampened by {@code dampening · mean(diag H)} on its
     * diagonal; inputs that are always zero in the calibration data get a unit diagonal, so their weights
     * are simply rounded.
     *
     * @param hessian   row-major K×K; only its lower triangle (column ≤ row) is read; not changed
     * @param dampening relative dampening, e.g. 0.1
     * @throws IllegalArgumentException if H is not positive definite even after dampening
     */
    public static GptqHessian prepare(double[] hessian, int size, double dampening) {
        double[] diagonal = new double[size];
        double mean = 0;
        for (int i = 0; i < size; i++) {
            double d = hessian[i * size + i];
            diagonal[i] = d > 0 ? d : 1;
            mean += diagonal[i];
        }
        double damp = dampening * mean / size;
        Integer[] sorted = new Integer[size];
        for (int i = 0; i < size; i++) {
            sorted[i] = i;
        }
        Arrays.sort(sorted, (a, b) -> Double.compare(diagonal[b], diagonal[a]));
        int[] order = Arrays.stream(sorted).mapToInt(Integer::intValue).toArray();
        double[] permuted = new double[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < i; j++) {
                int a = Math.max(order[i], order[j]);
                int b = Math.min(order[i], order[j]);
                permuted[i * size + j] = hessian[a * size + b];
            }
            permuted[i * size + i] = diagonal[order[i]] + damp;
        }
        return new GptqHessian(order, invertUpper(reverseCholesky(permuted, size), size));
    }

    /**
     * Upper triangular V with {@code H = V·Vᵀ}, by outer-product Cholesky from the last column backwards,
     * on the lower triangle of {@code a} (overwritten).
     */
    private static double[] reverseCholesky(double[] a, int n) {
        double[] v = new double[n * n];
        double[] column = new double[n];
        for (int j = n - 1; j >= 0; j--) {
            double pivot = a[j * n + j];
            if (!(pivot > 0)) {
                throw new IllegalArgumentException("Hessian is not positive definite at column " + j);
            }
            double root = Math.sqrt(pivot);
            v[j * n + j] = root;
            for (int i = 0; i < j; i++) {
                column[i] = a[j * n + i] / root;
                v[i * n + j] = column[i];
            }
            IntStream rows = IntStream.range(0, j);
            (j > PARALLEL_FROM ? rows.parallel() : rows).forEach(i -> {
                double ci = column[i];
                int row = i * n;
                for (int l = 0; l <= i; l++) {
                    a[row + l] -= ci * column[l];
                }
            });
        }
        return v;
    }

    /** The inverse of an upper triangular matrix, itself upper triangular, built from the last row up. */
    private static double[] invertUpper(double[] v, int n) {
        double[] u = new double[n * n];
        for (int i = n - 1; i >= 0; i--) {
            int row = i * n;
            for (int k = i + 1; k < n; k++) {
                double factor = v[row + k];
                if (factor == 0) {
                    continue;
                }
                int other = k * n;
                for (int j = k; j < n; j++) {
                    u[row + j] -= factor * u[other + j];
                }
            }
            double inverse = 1 / v[row + i];
            for (int j = i + 1; j < n; j++) {
                u[row + j] *= inverse;
            }
            u[row + i] = inverse;
        }
        return u;
    }
}
