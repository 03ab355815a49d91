package dev.lathe.quantize.weightonly;

import dev.lathe.quantize.GptqHessian;
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
 * so blocks stay contiguous along K as MatMulNBits needs (no {@code g_idx}); the order and the factor come
 * from {@link GptqHessian}. Rows are independent and run in parallel; each row's arithmetic is sequential,
 * so results do not depend on the thread count.
 */
final class Gptq {
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
     * Dampens, orders and factors a K×K Hessian with this solver's dampening ({@link GptqHessian#prepare}).
     *
     * @param hessian row-major K×K; only its lower triangle (column ≤ row) is read; not changed
     */
    GptqHessian prepare(double[] hessian, int size) {
        return GptqHessian.prepare(hessian, size, dampening);
    }

    /**
     * Quantizes a row-major {@code [rows][columns]} matrix (one row per output, columns along K) with a
     * prepared K×K Hessian.
     */
    QuantizedBlocks quantize(float[] matrix, int rows, int columns, GptqHessian prepared) {
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
