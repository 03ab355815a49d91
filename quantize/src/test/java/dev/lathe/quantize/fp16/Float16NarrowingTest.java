package dev.lathe.quantize.fp16;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.FloatFormats;
import dev.lathe.core.model.TensorData;
import org.junit.jupiter.api.Test;

/** Narrowing float32 constants to float16: same rounding as core's FloatFormats, plus clamping and subnormal keeping. */
class Float16NarrowingTest {

    @Test
    void theBranchFreeNormalPathRoundsLikeFloatFormats() {
        int smallest = Float.floatToRawIntBits(0x1p-14f);
        int largest = Float.floatToRawIntBits(65504f);
        int[] lowBits = {0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff};
        for (int upper = smallest >>> 13; upper <= largest >>> 13; upper++) {
            for (int low : lowBits) {
                int magnitude = upper << 13 | low;
                if (magnitude >= smallest && magnitude <= largest) {
                    for (int sign : new int[] {0, 0x80000000}) {
                        int bits = sign | magnitude;
                        assertThat(Float16Narrowing.normal(bits, magnitude)).as("bits %08x", bits)
                                .isEqualTo(FloatFormats.floatToFloat16(Float.intBitsToFloat(bits)));
                    }
                }
            }
        }
        for (int magnitude = smallest; magnitude <= largest && magnitude > 0; magnitude += 97) {
            assertThat(Float16Narrowing.normal(magnitude, magnitude))
                    .isEqualTo(FloatFormats.floatToFloat16(Float.intBitsToFloat(magnitude)));
        }
    }

    @Test
    void clampsOutOfRangeValuesKeepsTinyOnesAndPassesSpecialValues() {
        float[] values = {65504f, 65519f, 1e9f, -1e9f, Float.POSITIVE_INFINITY, Float.NaN, -0f, 0f, 1e-10f, -1e-10f,
                0x1p-24f, 0x1p-20f, 1f / 3};
        Float16Narrowing narrowed = Float16Narrowing.of(TensorData.ofFloats(new long[] {values.length}, values));

        assertThat(narrowed.clamped()).isEqualTo(3);
        assertThat(narrowed.raisedToSubnormal()).isEqualTo(2);
        assertThat(narrowed.data().shape()).containsExactly(values.length);
        float[] back = narrowed.data().toFloatArray();
        assertThat(back).containsExactly(65504f, 65504f, 65504f, -65504f, Float.POSITIVE_INFINITY, Float.NaN, -0f, 0f,
                0x1p-24f, -0x1p-24f, 0x1p-24f, 0x1p-20f, FloatFormats.float16ToFloat(FloatFormats.floatToFloat16(1f / 3)));
        assertThat(Float.floatToRawIntBits(back[6])).isEqualTo(Float.floatToRawIntBits(-0f));
    }

    @Test
    void largeTensorsAreConvertedAcrossChunks() {
        float[] values = new float[200_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i - 100_000) * 0.37f;
        }
        float[] back = Float16Narrowing.of(TensorData.ofFloats(new long[] {400, 500}, values)).data().toFloatArray();

        for (int i = 0; i < values.length; i++) {
            assertThat(back[i]).isEqualTo(FloatFormats.float16ToFloat(FloatFormats.floatToFloat16(values[i])));
        }
    }
}
