package dev.lathe.quantize.fp16;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.FloatFormats;
import dev.lathe.core.model.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Narrows float32 constants to float16, rounding to nearest even, with two safeguards: finite values beyond
 * float16's range ({@code |v| > 65504}) are clamped to ±65504 instead of becoming infinite (a float32
 * mask constant such as −3.4·10³⁸ stays a very large negative number), and non-zero values so small that
 * they would round to zero ({@code |v| ≤ 2⁻²⁵}) are kept as the smallest subnormal, ±2⁻²⁴ ≈ 6·10⁻⁸, so that
 * epsilons (LayerNorm's 1e−12, for instance) never become zero divisors. Infinities and NaN stay as they
 * are. This is what onnxconverter-common's float16 converter does too.
 *
 * @param data                  the float16 tensor
 * @param clamped               elements clamped to ±65504
 * @param raisedToSubnormal     non-zero elements kept as ±2⁻²⁴ instead of rounding to zero
 */
record Float16Narrowing(TensorData data, long clamped, long raisedToSubnormal) {
    /** The largest finite float16 value. */
    static final float MAX_FLOAT16 = 65504f;
    private static final int MAX_FLOAT16_BITS = Float.floatToRawIntBits(MAX_FLOAT16);
    private static final short MAX_FLOAT16_HALF = 0x7bff;
    private static final int SMALLEST_NORMAL_FLOAT16_BITS = Float.floatToRawIntBits(0x1p-14f);
    private static final short SMALLEST_SUBNORMAL = 0x0001;
    private static final int CHUNK = 1 << 16;

    /**
     * Narrows a float32 tensor; its bytes are read in chunks, never copied whole into a Java array.
     *
     * @throws IllegalArgumentException if the tensor is not float32
     */
    static Float16Narrowing of(TensorData floats) {
        if (floats.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a float32 tensor, got " + floats.dataType());
        }
        FloatBuffer source = floats.rawBytes().asFloatBuffer();
        int count = source.remaining();
        ByteBuffer target = ByteBuffer.allocate(Math.multiplyExact(count, 2)).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer halves = target.asShortBuffer();
        float[] chunk = new float[Math.min(count, CHUNK)];
        short[] converted = new short[chunk.length];
        long clamped = 0;
        long raised = 0;
        for (int done = 0; done < count; done += chunk.length) {
            int length = Math.min(chunk.length, count - done);
            source.get(chunk, 0, length);
            for (int i = 0; i < length; i++) {
                int bits = Float.floatToRawIntBits(chunk[i]);
                int magnitude = bits & 0x7fffffff;
                if (magnitude >= SMALLEST_NORMAL_FLOAT16_BITS && magnitude <= MAX_FLOAT16_BITS) {
                    converted[i] = normal(bits, magnitude);
                    continue;
                }
                float value = chunk[i];
                short half;
                if (Float.isFinite(value) && magnitude > MAX_FLOAT16_BITS) {
                    half = (short) ((bits >>> 16 & 0x8000) | MAX_FLOAT16_HALF);
                    clamped++;
                } else {
                    half = FloatFormats.floatToFloat16(value);
                    if ((half & 0x7fff) == 0 && magnitude != 0) {
                        half = (short) ((half & 0x8000) | SMALLEST_SUBNORMAL);
                        raised++;
                    }
                }
                converted[i] = half;
            }
            halves.put(converted, 0, length);
        }
        return new Float16Narrowing(TensorData.wrap(DataType.FLOAT16, floats.shape(), target), clamped, raised);
    }

    /** Whether a float32 tensor holds finite elements beyond ±65504, which narrowing would clamp. */
    static boolean hasValuesBeyondRange(TensorData floats) {
        FloatBuffer values = floats.rawBytes().asFloatBuffer();
        for (int i = 0, n = values.remaining(); i < n; i++) {
            int magnitude = Float.floatToRawIntBits(values.get(i)) & 0x7fffffff;
            if (magnitude > MAX_FLOAT16_BITS && magnitude < 0x7f800000) {
                return true;
            }
        }
        return false;
    }

    /**
     * Float16 bits of a float whose magnitude lies in float16's normal range, rounded to nearest even: the
     * same result as {@link FloatFormats#floatToFloat16} without its branches.
     */
    static short normal(int bits, int magnitude) {
        int rebased = magnitude - ((127 - 15) << 23);
        int rounded = (rebased + 0x0fff + ((rebased >>> 13) & 1)) >>> 13;
        return (short) ((bits >>> 16 & 0x8000) | rounded);
    }
}
