package dev.lathe.quantize.weightonly;

import dev.lathe.core.model.TensorData;

/**
 * A constant float matrix read a stripe of rows at a time, so that quantizing a weight never copies it
 * whole onto the heap: the rows are the quantizer's rows (the outputs of a MatMul, the entries of an
 * embedding table), each of {@code columns} elements, and a stripe holds about {@value #STRIPE_ELEMENTS}
 * elements. Every quantizer here treats rows independently, so stripes give exactly the codes the whole
 * matrix would.
 */
final class WeightStripes {
    /** Elements of one stripe: 16 MiB of floats, plus the quantizer's per-row work. */
    static final int STRIPE_ELEMENTS = 1 << 22;

    private final TensorData data;
    private final int rows;
    private final int columns;
    private final boolean transposed;

    /**
     * @param data       the stored tensor (FLOAT, FLOAT16 or BFLOAT16)
     * @param rows       rows of the matrix as the quantizer sees it
     * @param columns    elements per row
     * @param transposed whether the tensor stores the matrix transposed, {@code [columns][rows]} (a MatMul
     *                   weight [K, N] read as N rows of K)
     */
    WeightStripes(TensorData data, int rows, int columns, boolean transposed) {
        if (data.elementCount() != (long) rows * columns) {
            throw new IllegalArgumentException("a " + rows + "x" + columns + " matrix cannot be read from "
                    + data.elementCount() + " elements");
        }
        this.data = data;
        this.rows = rows;
        this.columns = columns;
        this.transposed = transposed;
    }

    /** Rows per stripe (at least one). */
    int stripeRows() {
        return Math.max(1, Math.min(rows, STRIPE_ELEMENTS / Math.max(1, columns)));
    }

    /** Rows {@code [first, first + count)} as a row-major {@code [count][columns]} array. */
    float[] read(int first, int count) {
        float[] stripe = new float[count * columns];
        if (!transposed) {
            data.copyFloats((long) first * columns, stripe, 0, count * columns);
            return stripe;
        }
        float[] line = new float[count];
        for (int c = 0; c < columns; c++) {
            data.copyFloats((long) c * rows + first, line, 0, count);
            for (int r = 0; r < count; r++) {
                stripe[r * columns + c] = line[r];
            }
        }
        return stripe;
    }
}
