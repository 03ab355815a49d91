package dev.lathe.quantize.weightonly;

/**
 * Round-to-nearest block-wise quantization to 4 or 8 bits, the arithmetic of com.microsoft
 * {@code MatMulNBits}: every block of {@code blockSize} consecutive elements of a row gets a scale and a
 * zero point, codes are {@code round(w / scale) + zeroPoint} clamped to {@code [0, 2^bits − 1]}, rounding
 * half to even.
 *
 * <ul>
 *   <li>Asymmetric: the block's range {@code [min(0, min w), max(0, max w)]} is spread over all codes, so
 *       the zero point is an integer code and 0 is exact.</li>
 *   <li>Symmetric: the zero point is fixed at {@code 2^(bits − 1)} (8 for 4 bits), the default of
 *       MatMulNBits when no zero points are given; the element of largest magnitude {@code v} gets scale
 *       {@code v / −2^(bits − 1)}, so it maps exactly to code 0 and all {@code 2^bits} codes are used (the
 *       scale is negative when {@code v} is positive, which the operator allows).</li>
 * </ul>
 */
final class BlockQuantizer {
    private final int bits;
    private final int blockSize;
    private final boolean symmetric;

    /**
     * @param bits      4 or 8
     * @param blockSize a power of two, at least 16
     * @param symmetric zero points fixed at {@code 2^(bits − 1)} instead of chosen per block
     */
    BlockQuantizer(int bits, int blockSize, boolean symmetric) {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two of at least 16, got " + blockSize);
        }
        this.bits = bits;
        this.blockSize = blockSize;
        this.symmetric = symmetric;
    }

    /** Elements per block. */
    int blockSize() {
        return blockSize;
    }

    /** Whether zero points are fixed at {@code 2^(bits − 1)}. */
    boolean symmetric() {
        return symmetric;
    }

    /** The largest code, {@code 2^bits − 1}. */
    int maxCode() {
        return (1 << bits) - 1;
    }

    /**
     * Scale and zero point of one block.
     *
     * @param scale     the step between codes (negative for some symmetric blocks)
     * @param zeroPoint the code that stands for 0
     */
    record Range(float scale, int zeroPoint) {
    }

    /** The range of {@code values[from, to)}, elements of one block. */
    Range range(double[] values, int from, int to) {
        if (symmetric) {
            double extreme = 0;
            for (int i = from; i < to; i++) {
                if (Math.abs(values[i]) > Math.abs(extreme)) {
                    extreme = values[i];
                }
            }
            int zero = 1 << (bits - 1);
            return new Range(extreme == 0 ? 1f : (float) (extreme / -zero), zero);
        }
        double min = 0;
        double max = 0;
        for (int i = from; i < to; i++) {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        if (max == min) {
            return new Range(1f, 0);
        }
        float scale = (float) ((max - min) / maxCode());
        long zero = Math.round(-min / scale);
        return new Range(scale, (int) Math.max(0, Math.min(maxCode(), zero)));
    }

    /** The code of {@code value} in a block with this range. */
    int code(double value, Range range) {
        long q = (long) Math.rint(value / range.scale()) + range.zeroPoint();
        return (int) Math.max(0, Math.min(maxCode(), q));
    }

    /** The value a code stands for. */
    static double dequantize(int code, Range range) {
        return (double) (code - range.zeroPoint()) * range.scale();
    }

    /**
     * Quantizes a row-major {@code [rows][columns]} matrix, every row on its own (for MatMulNBits pass
     * the weight transposed, one row per output).
     */
    QuantizedBlocks roundToNearest(float[] matrix, int rows, int columns) {
        Builder out = new Builder(rows, columns);
        double[] row = new double[columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                row[c] = matrix[r * columns + c];
            }
            for (int start = 0; start < columns; start += blockSize) {
                int end = Math.min(columns, start + blockSize);
                Range range = range(row, start, end);
                out.setRange(r, start / blockSize, range);
                for (int c = start; c < end; c++) {
                    out.setCode(r, c, code(row[c], range));
                }
            }
        }
        return out.build();
    }

    /** Collects codes, scales and zero points row by row; padding gets the block's zero point. */
    final class Builder {
        private final int rows;
        private final int columns;
        private final int blocks;
        private final byte[] codes;
        private final float[] scales;
        private final int[] zeroPoints;

        /** An empty matrix of this quantizer's layout. */
        Builder(int rows, int columns) {
            this.rows = rows;
            this.columns = columns;
            this.blocks = QuantizedBlocks.blocksPerRow(columns, blockSize);
            this.codes = new byte[Math.multiplyExact(rows, blocks * blockSize)];
            this.scales = new float[rows * blocks];
            this.zeroPoints = symmetric ? null : new int[rows * blocks];
        }

        /** Sets a block's range and fills its padding (columns past the end) with the zero point. */
        void setRange(int row, int block, Range range) {
            scales[row * blocks + block] = range.scale();
            if (zeroPoints != null) {
                zeroPoints[row * blocks + block] = range.zeroPoint();
            }
            int padded = (block + 1) * blockSize;
            for (int c = Math.max(columns, block * blockSize); c < padded; c++) {
                setCode(row, c, range.zeroPoint());
            }
        }

        /** Sets the code of element (row, column). */
        void setCode(int row, int column, int code) {
            codes[row * blocks * blockSize + column] = (byte) code;
        }

        /** The finished matrix. */
        QuantizedBlocks build() {
            return new QuantizedBlocks(rows, columns, bits, blockSize, codes, scales, zeroPoints);
        }
    }
}
