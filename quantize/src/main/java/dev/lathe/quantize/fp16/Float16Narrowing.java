package dev.lathe.quantize.fp16;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.FloatFormats;
import dev.lathe.core.model.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

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
    private static final short SMALLEST_SUBNORMAL = 0x0001;

    /**
     * Narrows a float32 tensor (its bytes are read in place, never copied into a Java array).
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
        long clamped = 0;
        long raised = 0;
        for (int i = 0; i < count; i++) {
            float value = source.get(i);
            short bits;
            if (Float.isFinite(value) && Math.abs(value) > MAX_FLOAT16) {
                bits = FloatFormats.floatToFloat16(Math.copySign(MAX_FLOAT16, value));
                clamped++;
            } else {
                bits = FloatFormats.floatToFloat16(value);
                if ((bits & 0x7fff) == 0 && value != 0f) {
                    bits = (short) ((bits & 0x8000) | SMALLEST_SUBNORMAL);
                    raised++;
                }
            }
            target.putShort(i * 2, bits);
        }
        return new Float16Narrowing(TensorData.wrap(DataType.FLOAT16, floats.shape(), target), clamped, raised);
    }
}
