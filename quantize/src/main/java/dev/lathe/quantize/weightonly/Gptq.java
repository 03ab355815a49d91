package dev.lathe.quantize.weightonly;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * GPTQ (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
 * Transformers", 2022): quantizes a weight matrix one input column at a time and, after each column, moves
 * its rounding error onto the columns not yet quantized, in the proportions that minimise the error of the
 * layer's output {@code ||(W − Q) · Xᵀ||²} on calibration activations X. Only {@code H = XᵀX} is needed.
 *
 * <p>This is the variant with activation order and static groups: columns are processed by decreasing
 * {@code H[i][i]} (inputs with the most energy first, while there are the most columns left to absorb
 * their error), and every block's scale and zero point are chosen beforehand from the original weights,
 * so blocks stay contiguous along K as MatMulNBits needs (no {@code g_idx}). With U the upper Cholesky
 * factor of the permuted {@code H⁻¹} ({@code H⁻¹ = UᵀU}), for each column i in that order:
 * {@code q = quantize(w[i])}, {@code e = (w[i] − q) / U[i][i]}, {@code w[j] −= e · U[i][j]} for every later
 * j. Rows are independent and run in parallel; each row's arithmetic is sequential, so results do not
 * depend on the thread count.
 *
 * <p>H is dampened by {@code dampening · mean(diag H)} on its diagonal; inputs that are always zero in the
 * calibration data get a unit diagonal, so their weights are simply rounded.
 */
final class Gptq {
    /** Below this many rows, a Cholesky update step runs on one thread (forking would cost more). */
    private static final int PARALLEL_FROM = 256;

    private final BlockQuantizer quantizer;
    private final double dampening;

    /**
     * @param quantizer how blocks are quantized
     * @param dampening relative dampening of H, e.g. 0.1
     */
    Gptq(BlockQuantizer quantizer, double dampening) {
        this.quantizer = quantizer;
        this.dampening = dampening;
    }

    /**
     * A Hessian made ready for GPTQ; compute it once for all weights that read the same activations.
     *
     * @param order  input columns in processing order
     * @param factor row-major K×K upper Cholesky factor U of the dampened, permuted {@code H⁻¹}
     */
    record Preparation(int[] order, double[] factor) {
    }

    /**
     * Dampens, orders and factors a K×K Hessian.
     *
     * @param hessian row-major K×K; only its lower triangle (column ≤ row) is read; not changed
     * @throws IllegalArgumentException if H is not positive definite even after dampening
     */
    Preparation prepare(double[] hessian, int size) {
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
        return new Preparation(order, invertUpper(reverseCholesky(permuted, size), size));
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

    /**
     * Quantizes a row-major {@code [rows][columns]} matrix (one row per output, columns along K) with a
     * prepared K×K Hessian.
     */
    QuantizedBlocks quantize(float[] matrix, int rows, int columns, Preparation prepared) {
        BlockQuantizer.Builder out = quantizer.new Builder(rows, columns);
        int blockSize = quantizer.blockSize();
        int[] order = prepared.order();
        double[] factor = prepared.factor();
        IntStream.range(0, rows).parallel().forEach(r -> {
            double[] original = new double[columns];
            for (int c = 0; c < columns; c++) {
                original[c] = matrix[r * columns + c];
            }
            BlockQuantizer.Range[] ranges = new BlockQuantizer.Range[QuantizedBlocks.blocksPerRow(columns, blockSize)];
            for (int b = 0; b < ranges.length; b++) {
                ranges[b] = quantizer.range(original, b * blockSize, Math.min(columns, (b + 1) * blockSize));
                out.setRange(r, b, ranges[b]);
            }
            double[] w = new double[columns];
            for (int i = 0; i < columns; i++) {
                w[i] = original[order[i]];
            }
            for (int i = 0; i < columns; i++) {
                BlockQuantizer.Range range = ranges[order[i] / blockSize];
                int code = quantizer.code(w[i], range);
                out.setCode(r, order[i], code);
                int row = i * columns;
                double error = (w[i] - BlockQuantizer.dequantize(code, range)) / factor[row + i];
                for (int j = i + 1; j < columns; j++) {
                    w[j] -= error * factor[row + j];
                }
            }
        });
        return out.build();
    }
}
