package dev.lathe.quantize.weightonly;

/**
 * A matrix quantized block-wise along its rows, in the layout com.microsoft {@code MatMulNBits} and
 * {@code GatherBlockQuantized} read: row {@code r} holds {@code columns} weights (for MatMulNBits, the K
 * inputs of output r, so B is stored transposed), cut into blocks of {@code blockSize} consecutive columns,
 * the last one padded; every block has its own scale and zero point, and an element stands for
 * {@code (code − zeroPoint) · scale}.
 *
 * @param rows       number of rows (N for MatMulNBits, the vocabulary for a table)
 * @param columns    number of columns (K for MatMulNBits, the embedding width for a table)
 * @param bits       bits per code: 4 or 8
 * @param blockSize  columns per block, a power of two from 16
 * @param codes      unsigned codes, one per element of the padded matrix {@code [rows][blocks · blockSize]},
 *                   row-major; padding holds the block's zero point (the code of 0)
 * @param scales     one per block, {@code [rows][blocks]} row-major
 * @param zeroPoints one per block like {@code scales}, or null for symmetric quantization, where every
 *                   zero point is {@code 2^(bits − 1)} (the default MatMulNBits assumes)
 */
record QuantizedBlocks(int rows, int columns, int bits, int blockSize, byte[] codes, float[] scales, int[] zeroPoints) {

    /** Checks the array sizes. */
    QuantizedBlocks {
        int blocks = blocksPerRow(columns, blockSize);
        if (codes.length != rows * blocks * blockSize || scales.length != rows * blocks
                || (zeroPoints != null && zeroPoints.length != scales.length)) {
            throw new IllegalArgumentException("arrays do not match " + rows + " rows of " + blocks + " blocks of "
                    + blockSize);
        }
    }

    /** Blocks per row for {@code columns} columns: {@code ceil(columns / blockSize)}. */
    static int blocksPerRow(int columns, int blockSize) {
        return (columns + blockSize - 1) / blockSize;
    }

    /** Blocks per row. */
    int blocksPerRow() {
        return blocksPerRow(columns, blockSize);
    }

    /** The zero point of a block ({@code row · blocksPerRow() + block}). */
    int zeroPoint(int blockIndex) {
        return zeroPoints == null ? 1 << (bits - 1) : zeroPoints[blockIndex];
    }

    /** The unsigned code of element (row, column). */
    int code(int row, int column) {
        return codes[row * blocksPerRow() * blockSize + column] & 0xff;
    }

    /** The float element (row, column) stands for. */
    float dequantized(int row, int column) {
        int block = row * blocksPerRow() + column / blockSize;
        return (code(row, column) - zeroPoint(block)) * scales[block];
    }

    /** All elements as floats, row-major {@code [rows][columns]} (padding left out). */
    float[] dequantize() {
        float[] out = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[r * columns + c] = dequantized(r, c);
            }
        }
        return out;
    }

    /**
     * MatMulNBits input B: {@code [rows][blocks][blockSize · bits / 8]} bytes; with 4 bits, the first of
     * two consecutive codes in the low nibble.
     */
    byte[] packedBlocks() {
        return pack(blocksPerRow() * blockSize);
    }

    /**
     * GatherBlockQuantized input data: {@code [rows][columns · bits / 8]} bytes, each row's codes packed
     * without block padding (4 bits: low nibble first; {@code columns} must then be even).
     */
    byte[] packedRows() {
        if (bits == 4 && columns % 2 != 0) {
            throw new IllegalStateException("4-bit rows need an even number of columns, not " + columns);
        }
        return pack(columns);
    }

    /**
     * Zero points packed like the codes, {@code [rows][ceil(blocks · bits / 8)]} (an odd last nibble is 0);
     * null when symmetric.
     */
    byte[] packedZeroPoints() {
        if (zeroPoints == null) {
            return null;
        }
        int blocks = blocksPerRow();
        int perRow = (blocks * bits + 7) / 8;
        byte[] packed = new byte[rows * perRow];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                put(packed, r * perRow, b, zeroPoints[r * blocks + b]);
            }
        }
        return packed;
    }

    /** Packs the first {@code length} codes of every padded row. */
    private byte[] pack(int length) {
        int stride = blocksPerRow() * blockSize;
        int perRow = length * bits / 8;
        byte[] packed = new byte[rows * perRow];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < length; c++) {
                put(packed, r * perRow, c, codes[r * stride + c] & 0xff);
            }
        }
        return packed;
    }

    /** Writes value number {@code index} of a packed run starting at byte {@code offset}. */
    private void put(byte[] packed, int offset, int index, int value) {
        if (bits == 8) {
            packed[offset + index] = (byte) value;
        } else {
            int shift = (index % 2) * 4;
            packed[offset + index / 2] |= (byte) ((value & 0xf) << shift);
        }
    }
}
