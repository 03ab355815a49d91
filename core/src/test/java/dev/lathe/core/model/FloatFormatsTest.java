package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * float16 and bfloat16 conversions against hand-picked values and against a slow reference that rounds
 * to nearest, ties to even, by searching the 16-bit grid.
 */
class FloatFormatsTest {
    private static final double TWO_TO_128 = 0x1p128;

    /** The value of non-negative half-precision bits up to 0x7c00, which stands for 2^16 (the first overflow). */
    private static double halfValue(int bits) {
        int exponent = bits >>> 10;
        int mantissa = bits & 0x3ff;
        return exponent == 0 ? mantissa * 0x1p-24 : (1024 + mantissa) * Math.pow(2, exponent - 25);
    }

    /** The value of non-negative bfloat16 bits up to 0x7f80, which stands for 2^128 (the first overflow). */
    private static double bfloat16Value(int bits) {
        return bits == 0x7f80 ? TWO_TO_128 : Float.intBitsToFloat(bits << 16);
    }

    /** Rounds |value| onto a 16-bit grid whose top code {@code overflow} means infinity; sign copied. */
    private static short reference(float value, int overflow, java.util.function.IntToDoubleFunction grid) {
        int sign = Float.floatToRawIntBits(value) < 0 ? 0x8000 : 0;
        double magnitude = Math.abs((double) value);
        int low = 0;
        int high = overflow;
        if (magnitude >= grid.applyAsDouble(overflow)) {
            return (short) (sign | overflow);
        }
        while (high - low > 1) {
            int middle = (low + high) >>> 1;
            if (grid.applyAsDouble(middle) <= magnitude) {
                low = middle;
            } else {
                high = middle;
            }
        }
        double below = magnitude - grid.applyAsDouble(low);
        double above = grid.applyAsDouble(high) - magnitude;
        int nearest = below < above ? low : above < below ? high : (low % 2 == 0 ? low : high);
        return (short) (sign | nearest);
    }

    /** Random finite floats with exponents spread over [2^-30, 2^20), where float16 rounding happens. */
    private static float[] floatsAroundHalfRange(long seed, int count) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            int exponent = 127 - 30 + random.nextInt(50);
            values[i] = Float.intBitsToFloat((random.nextBoolean() ? 0x80000000 : 0) | exponent << 23 | random.nextInt(1 << 23));
        }
        return values;
    }

    @Test
    void float16ExactValues() {
        assertThat(FloatFormats.floatToFloat16(1f)).isEqualTo((short) 0x3c00);
        assertThat(FloatFormats.floatToFloat16(-2f)).isEqualTo((short) 0xc000);
        assertThat(FloatFormats.floatToFloat16(0.5f)).isEqualTo((short) 0x3800);
        assertThat(FloatFormats.floatToFloat16(65504f)).isEqualTo((short) 0x7bff);
        assertThat(FloatFormats.floatToFloat16(0x1p-14f)).isEqualTo((short) 0x0400);
        assertThat(FloatFormats.floatToFloat16(0f)).isEqualTo((short) 0);
        assertThat(FloatFormats.floatToFloat16(-0f)).isEqualTo((short) 0x8000);
        assertThat(FloatFormats.float16ToFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(FloatFormats.float16ToFloat((short) 0xfbff)).isEqualTo(-65504f);
    }

    @Test
    void float16Subnormals() {
        assertThat(FloatFormats.floatToFloat16(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(FloatFormats.floatToFloat16(1023 * 0x1p-24f)).isEqualTo((short) 0x03ff);
        assertThat(FloatFormats.float16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(FloatFormats.float16ToFloat((short) 0x83ff)).isEqualTo(-1023 * 0x1p-24f);
        // Halfway between 0 and the smallest subnormal: ties to even, so to zero; just above goes up.
        assertThat(FloatFormats.floatToFloat16(0x1p-25f)).isEqualTo((short) 0);
        assertThat(FloatFormats.floatToFloat16(Math.nextUp(0x1p-25f))).isEqualTo((short) 0x0001);
        assertThat(FloatFormats.floatToFloat16(3 * 0x1p-25f)).isEqualTo((short) 0x0002);
        assertThat(FloatFormats.floatToFloat16(0x1p-40f)).isEqualTo((short) 0);
        assertThat(FloatFormats.floatToFloat16(-0x1p-40f)).isEqualTo((short) 0x8000);
        // The largest subnormal plus half an ulp rounds (to even) into the smallest normal.
        assertThat(FloatFormats.floatToFloat16(1023.5f * 0x1p-24f)).isEqualTo((short) 0x0400);
    }

    @Test
    void float16RoundsToNearestEven() {
        assertThat(FloatFormats.floatToFloat16(1 + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(FloatFormats.floatToFloat16(1 + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
        assertThat(FloatFormats.floatToFloat16(Math.nextUp(1 + 0x1p-11f))).isEqualTo((short) 0x3c01);
        assertThat(FloatFormats.floatToFloat16(65519f)).isEqualTo((short) 0x7bff);
        assertThat(FloatFormats.floatToFloat16(65520f)).isEqualTo((short) 0x7c00);
    }

    @Test
    void float16InfinitiesAndNaN() {
        assertThat(FloatFormats.floatToFloat16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7c00);
        assertThat(FloatFormats.floatToFloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xfc00);
        assertThat(FloatFormats.floatToFloat16(1e10f)).isEqualTo((short) 0x7c00);
        assertThat(FloatFormats.floatToFloat16(-1e10f)).isEqualTo((short) 0xfc00);
        assertThat(FloatFormats.float16ToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FloatFormats.float16ToFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(FloatFormats.float16ToFloat(FloatFormats.floatToFloat16(Float.NaN))).isNaN();
        assertThat(FloatFormats.float16ToFloat((short) 0x7e00)).isNaN();
        // A NaN whose payload sits only in the low float bits must not become infinity.
        assertThat(FloatFormats.float16ToFloat(FloatFormats.floatToFloat16(Float.intBitsToFloat(0x7f800001)))).isNaN();
    }

    @Test
    void everyFloat16RoundTripsThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = FloatFormats.float16ToFloat((short) bits);
            if (Float.isNaN(value)) {
                assertThat(FloatFormats.float16ToFloat(FloatFormats.floatToFloat16(value))).isNaN();
            } else {
                assertThat(FloatFormats.floatToFloat16(value)).as("bits %04x", bits).isEqualTo((short) bits);
                if (bits < 0x7c00) {
                    assertThat((double) value).as("bits %04x", bits).isEqualTo(halfValue(bits));
                }
            }
        }
    }

    @Test
    void float16MatchesTheReferenceOnRandomFloats() {
        for (float value : floatsAroundHalfRange(17, 200_000)) {
            assertThat(FloatFormats.floatToFloat16(value)).as("%s", value)
                    .isEqualTo(reference(value, 0x7c00, FloatFormatsTest::halfValue));
        }
    }

    @Test
    void bfloat16ExactValuesAndSpecials() {
        assertThat(FloatFormats.floatToBfloat16(1f)).isEqualTo((short) 0x3f80);
        assertThat(FloatFormats.floatToBfloat16(-2f)).isEqualTo((short) 0xc000);
        assertThat(FloatFormats.bfloat16ToFloat((short) 0x3f80)).isEqualTo(1f);
        assertThat(FloatFormats.floatToBfloat16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7f80);
        assertThat(FloatFormats.floatToBfloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xff80);
        assertThat(FloatFormats.floatToBfloat16(Float.MAX_VALUE)).isEqualTo((short) 0x7f80);
        assertThat(FloatFormats.floatToBfloat16(-0f)).isEqualTo((short) 0x8000);
        assertThat(FloatFormats.bfloat16ToFloat(FloatFormats.floatToBfloat16(Float.NaN))).isNaN();
        assertThat(FloatFormats.bfloat16ToFloat(FloatFormats.floatToBfloat16(Float.intBitsToFloat(0x7f800001)))).isNaN();
        // Subnormal floats keep their top bits.
        assertThat(FloatFormats.bfloat16ToFloat(FloatFormats.floatToBfloat16(Float.MIN_NORMAL / 2))).isEqualTo(Float.MIN_NORMAL / 2);
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertThat(FloatFormats.floatToBfloat16(1 + 0x1p-8f)).isEqualTo((short) 0x3f80);
        assertThat(FloatFormats.floatToBfloat16(1 + 3 * 0x1p-8f)).isEqualTo((short) 0x3f82);
        assertThat(FloatFormats.floatToBfloat16(Math.nextUp(1 + 0x1p-8f))).isEqualTo((short) 0x3f81);
        Random random = new Random(19);
        for (int i = 0; i < 200_000; i++) {
            float value = Float.intBitsToFloat(random.nextInt());
            if (!Float.isNaN(value)) {
                assertThat(FloatFormats.floatToBfloat16(value)).as("%s", value)
                        .isEqualTo(reference(value, 0x7f80, FloatFormatsTest::bfloat16Value));
            }
        }
    }

    @Test
    void everyBfloat16RoundTripsThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = FloatFormats.bfloat16ToFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertThat(FloatFormats.floatToBfloat16(value)).as("bits %04x", bits).isEqualTo((short) bits);
            }
        }
    }
}
