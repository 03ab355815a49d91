package dev.lathe.quantize.weightonly;

import dev.lathe.core.files.SpillFile;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * One block-quantized matrix being written stripe by stripe into a {@link SpillFile}, in the layout its
 * operator reads: the packed codes, the float scales and (asymmetric) the packed zero points, each a
 * region off the heap. Stripes must cover every row once; their order does not matter.
 */
final class SpilledBlocks {
    /** How one stripe of rows is quantized. */
    @FunctionalInterface
    interface StripeQuantizer {
        /** The codes of {@code rows} rows, row-major in {@code stripe}. */
        QuantizedBlocks quantize(float[] stripe, int rows);
    }

    /**
     * The initializers a stored matrix was put in.
     *
     * @param codes      the packed codes
     * @param scales     the scales
     * @param zeroPoints the packed zero points; empty when symmetric
     */
    record Stored(String codes, String scales, String zeroPoints) {
    }

    private final int rows;
    private final int bits;
    private final int blockSize;
    private final int blocks;
    private final boolean padded;
    private final int codeBytesPerRow;
    private final int zeroBytesPerRow;
    private final MappedByteBuffer codes;
    private final MappedByteBuffer scales;
    private final MappedByteBuffer zeroPoints;

    /**
     * Reserves the regions of a {@code rows × columns} matrix.
     *
     * @param padded whether codes keep the block padding ({@code MatMulNBits}: {@code [rows][blocks][blockSize·bits/8]})
     *               or not ({@code GatherBlockQuantized}: {@code [rows][columns·bits/8]})
     */
    SpilledBlocks(SpillFile spill, int rows, int columns, int bits, int blockSize, boolean symmetric, boolean padded)
            throws IOException {
        this.rows = rows;
        this.bits = bits;
        this.blockSize = blockSize;
        this.blocks = QuantizedBlocks.blocksPerRow(columns, blockSize);
        this.padded = padded;
        this.codeBytesPerRow = (padded ? blocks * blockSize : columns) * bits / 8;
        this.zeroBytesPerRow = symmetric ? 0 : (blocks * bits + 7) / 8;
        this.codes = spill.allocate((long) rows * codeBytesPerRow);
        this.scales = spill.allocate((long) rows * blocks * 4);
        this.zeroPoints = symmetric ? null : spill.allocate((long) rows * zeroBytesPerRow);
    }

    /** Quantizes every row of {@code stripes}, a stripe at a time, into these regions. */
    SpilledBlocks fill(WeightStripes stripes, StripeQuantizer quantizer) {
        int step = stripes.stripeRows();
        for (int first = 0; first < rows; first += step) {
            int count = Math.min(step, rows - first);
            put(first, quantizer.quantize(stripes.read(first, count), count));
        }
        return this;
    }

    /**
     * Puts the codes (named {@code name + codesSuffix}), the scales and the zero points into {@code home} as
     * initializers.
     */
    Stored store(GraphEditor home, String name, String codesSuffix) {
        String codesName = home.uniqueName(name + codesSuffix);
        String scalesName = home.uniqueName(name + "_scales");
        home.putInitializer(codesName, codes());
        home.putInitializer(scalesName, scales());
        String zeroPointsName = "";
        if (zeroPoints != null) {
            zeroPointsName = home.uniqueName(name + "_zero_points");
            home.putInitializer(zeroPointsName, TensorData.wrap(DataType.UINT8, new long[] {rows, zeroBytesPerRow},
                    whole(zeroPoints)));
        }
        return new Stored(codesName, scalesName, zeroPointsName);
    }

    /** Writes the quantized rows {@code [first, first + stripe.rows())}. */
    private void put(int first, QuantizedBlocks stripe) {
        codes.put(first * codeBytesPerRow, padded ? stripe.packedBlocks() : stripe.packedRows());
        float[] stripeScales = stripe.scales();
        for (int i = 0; i < stripeScales.length; i++) {
            scales.putFloat((first * blocks + i) * 4, stripeScales[i]);
        }
        if (zeroPoints != null) {
            zeroPoints.put(first * zeroBytesPerRow, stripe.packedZeroPoints());
        }
    }

    /** The codes as UINT8, shaped for the layout. */
    private TensorData codes() {
        long[] shape = padded ? new long[] {rows, blocks, (long) blockSize * bits / 8} : new long[] {rows, codeBytesPerRow};
        return TensorData.wrap(DataType.UINT8, shape, whole(codes));
    }

    /** The scales, FLOAT {@code [rows][blocks]}. */
    private TensorData scales() {
        return TensorData.wrap(DataType.FLOAT, new long[] {rows, blocks}, whole(scales));
    }

    /** Bytes stored. */
    long bytes() {
        return codes.limit() + scales.limit() + (zeroPoints == null ? 0 : zeroPoints.limit());
    }

    private static ByteBuffer whole(MappedByteBuffer region) {
        return region.duplicate().position(0);
    }
}
