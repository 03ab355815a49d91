package dev.lathe.quantize.weightonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The block arithmetic on hand-made weights, and the byte layouts MatMulNBits and GatherBlockQuantized read. */
class BlockQuantizerTest {

    /** The 16 values −1.5, −1, …, 6: a range of 7.5 over 15 steps. */
    private static float[] ramp() {
        float[] row = new float[16];
        for (int i = 0; i < 16; i++) {
            row[i] = -1.5f + 0.5f * i;
        }
        return row;
    }

    @Test
    void asymmetricFourBitsSpreadTheBlockRangeOverAllSixteenCodes() {
        QuantizedBlocks q = new BlockQuantizer(4, 16, false).roundToNearest(ramp(), 1, 16);

        assertThat(q.scales()).containsExactly(0.5f);
        assertThat(q.zeroPoints()).containsExactly(3);
        for (int c = 0; c < 16; c++) {
            assertThat(q.code(0, c)).isEqualTo(c);
        }
        assertThat(q.dequantize()).containsExactly(ramp());
    }

    @Test
    void symmetricFourBitsMapTheLargestMagnitudeToCodeZero() {
        float[] negative = {-4f, 3.5f, 4f, 1.25f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        QuantizedBlocks q = new BlockQuantizer(4, 16, true).roundToNearest(negative, 1, 16);

        assertThat(q.zeroPoints()).isNull();
        assertThat(q.scales()).containsExactly(0.5f);
        assertThat(new int[] {q.code(0, 0), q.code(0, 1), q.code(0, 2), q.code(0, 3), q.code(0, 4)})
                .containsExactly(0, 15, 15, 10, 8);
        // 4 is clipped to 7 steps; 1.25 / 0.5 = 2.5 rounds half to even, to 2.
        assertThat(q.dequantize()).startsWith(-4f, 3.5f, 3.5f, 1f, 0f);

        float[] positive = {4f, -3.5f, 1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        QuantizedBlocks flipped = new BlockQuantizer(4, 16, true).roundToNearest(positive, 1, 16);
        assertThat(flipped.scales()).containsExactly(-0.5f);
        assertThat(flipped.code(0, 0)).isZero();
        assertThat(flipped.dequantize()).startsWith(4f, -3.5f, 1f);
    }

    @Test
    void eightBitErrorsStayWithinHalfAStep() {
        Random random = new Random(7);
        float[] matrix = new float[3 * 100];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = (float) random.nextGaussian();
        }
        for (boolean symmetric : new boolean[] {false, true}) {
            QuantizedBlocks q = new BlockQuantizer(8, 32, symmetric).roundToNearest(matrix, 3, 100);
            float[] back = q.dequantize();
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 100; c++) {
                    float step = Math.abs(q.scales()[r * 4 + c / 32]);
                    assertThat(back[r * 100 + c]).isCloseTo(matrix[r * 100 + c], within(step / 2 + 1e-6f));
                }
            }
        }
    }

    @Test
    void partialBlocksArePaddedWithTheZeroPoint() {
        float[] row = new float[20];
        for (int i = 0; i < 20; i++) {
            row[i] = i - 10;
        }
        QuantizedBlocks q = new BlockQuantizer(4, 16, false).roundToNearest(row, 1, 20);

        assertThat(q.blocksPerRow()).isEqualTo(2);
        assertThat(q.codes()).hasSize(32);
        int zero = q.zeroPoints()[1];
        for (int c = 20; c < 32; c++) {
            assertThat(q.codes()[c] & 0xff).as("padding code %d", c).isEqualTo(zero);
        }
        assertThat(q.dequantize()).hasSize(20);
        assertThat(q.dequantized(0, 19)).isCloseTo(9f, within(q.scales()[1] / 2));
    }

    @Test
    void blocksOfZerosDequantizeToZero() {
        for (boolean symmetric : new boolean[] {false, true}) {
            QuantizedBlocks q = new BlockQuantizer(4, 16, symmetric).roundToNearest(new float[16], 1, 16);
            assertThat(q.dequantize()).containsOnly(0f);
        }
    }

    @Test
    void fourBitCodesArePackedLowNibbleFirstInBlocksOfEachRow() {
        // Two rows of 20 columns, block 16: each row has 2 blocks of 8 bytes, the second padded. Every block
        // spans [0, 15], so scale 1, zero point 0 and code = value.
        float[] matrix = new float[40];
        for (int c = 0; c < 16; c++) {
            matrix[c] = c;
            matrix[20 + c] = 15 - c;
        }
        float[] tails = {0, 15, 1, 2, 15, 0, 14, 13};
        System.arraycopy(tails, 0, matrix, 16, 4);
        System.arraycopy(tails, 4, matrix, 36, 4);
        QuantizedBlocks q = new BlockQuantizer(4, 16, false).roundToNearest(matrix, 2, 20);
        assertThat(q.scales()).containsOnly(1f);
        assertThat(q.zeroPoints()).containsOnly(0);

        byte[] packed = q.packedBlocks();

        assertThat(packed).hasSize(2 * 2 * 8);
        assertThat(packed[0]).isEqualTo((byte) 0x10);
        assertThat(packed[1]).isEqualTo((byte) 0x32);
        assertThat(packed[7]).isEqualTo((byte) 0xfe);
        assertThat(packed[8]).isEqualTo((byte) 0xf0);
        assertThat(packed[9]).isEqualTo((byte) 0x21);
        assertThat(packed[10]).isEqualTo((byte) 0x00);
        assertThat(packed[16]).isEqualTo((byte) 0xef);
        assertThat(packed[24]).isEqualTo((byte) 0x0f);
        assertThat(packed[25]).isEqualTo((byte) 0xde);
        // Without block padding (GatherBlockQuantized data): 10 bytes per row.
        byte[] rows = q.packedRows();
        assertThat(rows).hasSize(20);
        assertThat(rows[8]).isEqualTo((byte) 0xf0);
        assertThat(rows[9]).isEqualTo((byte) 0x21);
        assertThat(rows[10]).isEqualTo((byte) 0xef);
        assertThat(rows[18]).isEqualTo((byte) 0x0f);
    }

    @Test
    void fourBitZeroPointsArePackedTwoPerByteWithEachRowPadded() {
        // One row, three blocks with zero points 3, 4 and 5 (each block spans [−z, 15 − z]).
        float[] row = new float[48];
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < 16; i++) {
                row[b * 16 + i] = i - (3 + b);
            }
        }
        QuantizedBlocks q = new BlockQuantizer(4, 16, false).roundToNearest(row, 1, 48);
        assertThat(q.zeroPoints()).containsExactly(3, 4, 5);

        assertThat(q.packedZeroPoints()).containsExactly((byte) 0x43, (byte) 0x05);
        assertThat(new BlockQuantizer(4, 16, true).roundToNearest(row, 1, 48).packedZeroPoints()).isNull();
    }

    @Test
    void eightBitCodesAndZeroPointsTakeOneBytePerValue() {
        // Both blocks span [−51, 204]: scale 1, zero point 51, every value exact.
        float[] row = new float[32];
        for (int i = 0; i < 32; i++) {
            row[i] = (i % 16) * 17 - 51;
        }
        QuantizedBlocks q = new BlockQuantizer(8, 16, false).roundToNearest(row, 1, 32);

        assertThat(q.packedBlocks()).hasSize(32);
        assertThat(q.packedZeroPoints()).containsExactly((byte) 51, (byte) 51);
        for (int c = 0; c < 32; c++) {
            assertThat(q.packedBlocks()[c] & 0xff).isEqualTo(q.code(0, c));
        }
        assertThat(q.dequantize()).containsExactly(row);
    }

    @Test
    void invalidLayoutsAreRejected() {
        assertThatThrownBy(() -> new BlockQuantizer(3, 16, false)).hasMessageContaining("bits must be 4 or 8");
        assertThatThrownBy(() -> new BlockQuantizer(4, 24, false)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new BlockQuantizer(4, 8, false)).hasMessageContaining("at least 16");
        QuantizedBlocks odd = new BlockQuantizer(4, 16, false).roundToNearest(new float[3], 1, 3);
        assertThatThrownBy(odd::packedRows).isInstanceOf(IllegalStateException.class).hasMessageContaining("even");
    }
}
