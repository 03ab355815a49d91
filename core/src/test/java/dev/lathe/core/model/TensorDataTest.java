package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Typed views of raw little-endian tensor bytes, for every element type passes meet. */
class TensorDataTest {

    private static byte[] raw(TensorData data) {
        ByteBuffer bytes = data.rawBytes();
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
    }

    private static TensorData wrap(DataType type, long[] shape, int... bytes) {
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length);
        for (int b : bytes) {
            buffer.put((byte) b);
        }
        return TensorData.wrap(type, shape, buffer.flip());
    }

    @Test
    void float32() {
        TensorData data = TensorData.ofFloats(new long[] {2, 2}, 1f, -0f, 0f, 2.5f);

        assertThat(data.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(data.shape()).containsExactly(2, 2);
        assertThat(data.elementCount()).isEqualTo(4);
        assertThat(data.byteSize()).isEqualTo(16);
        assertThat(raw(data)).startsWith(0x00, 0x00, (byte) 0x80, 0x3f);
        assertThat(data.toFloatArray()).containsExactly(1f, -0f, 0f, 2.5f);
        assertThat(data.toDoubleArray()).containsExactly(1, -0.0, 0, 2.5);
        assertThat(data.countZeros()).isEqualTo(2);
        assertThatThrownBy(data::toLongArray).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(data::toIntArray).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("FLOAT");
    }

    @Test
    void float16() {
        TensorData data = TensorData.ofFloat16(new long[] {4}, 1f, -2f, 65504f, 0x1p-24f);

        assertThat(raw(data)).containsExactly(0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00);
        assertThat(data.toFloatArray()).containsExactly(1f, -2f, 65504f, 0x1p-24f);
        assertThat(data.toDoubleArray()).containsExactly(1, -2, 65504, 0x1p-24);
        assertThat(TensorData.ofFloat16(new long[] {2}, 0.1f, 1e6f).toFloatArray()).containsExactly(0.099975586f, Float.POSITIVE_INFINITY);
        assertThat(TensorData.ofSmallValues(DataType.FLOAT16, new long[] {3}, 0x0000, 0x8000, 0x0001).countZeros()).isEqualTo(2);
    }

    @Test
    void bfloat16() {
        TensorData data = TensorData.ofBfloat16(new long[] {3}, 1f, 1 + 0x1p-8f, -3.140625f);

        assertThat(raw(data)).containsExactly(0x80, 0x3f, 0x80, 0x3f, 0x49, 0xc0);
        assertThat(data.toFloatArray()).containsExactly(1f, 1f, -3.140625f);
        assertThat(TensorData.ofSmallValues(DataType.BFLOAT16, new long[] {3}, 0x8000, 0x0000, 0x0001).countZeros()).isEqualTo(2);
    }

    @Test
    void int8AndUint8() {
        TensorData signed = TensorData.ofSmallValues(DataType.INT8, new long[] {4}, -128, -1, 0, 127);
        assertThat(signed.toByteArray()).containsExactly(-128, -1, 0, 127);
        assertThat(signed.toLongArray()).containsExactly(-128, -1, 0, 127);
        assertThat(signed.toFloatArray()).containsExactly(-128f, -1f, 0f, 127f);
        assertThat(signed.countZeros()).isEqualTo(1);

        TensorData unsigned = TensorData.ofSmallValues(DataType.UINT8, new long[] {3}, 0, 200, 255);
        assertThat(unsigned.toByteArray()).containsExactly(0, 200, 255);
        assertThat(unsigned.toLongArray()).containsExactly(0, 200, 255);
        assertThat(unsigned.toDoubleArray()).containsExactly(0, 200, 255);
    }

    @Test
    void int4PacksLowNibbleFirstAndSignExtends() {
        TensorData data = TensorData.ofSmallValues(DataType.INT4, new long[] {5}, -8, 7, -1, 0, 3);

        assertThat(data.byteSize()).isEqualTo(3);
        assertThat(raw(data)).containsExactly(0x78, 0x0f, 0x03);
        assertThat(data.toByteArray()).containsExactly(-8, 7, -1, 0, 3);
        assertThat(data.toLongArray()).containsExactly(-8, 7, -1, 0, 3);
        assertThat(data.toFloatArray()).containsExactly(-8f, 7f, -1f, 0f, 3f);
        // The padding nibble of an odd count is not an element.
        assertThat(data.countZeros()).isEqualTo(1);
    }

    @Test
    void uint4DoesNotSignExtend() {
        TensorData data = wrap(DataType.UINT4, new long[] {3}, 0x0f, 0x08);

        assertThat(data.toByteArray()).containsExactly(15, 0, 8);
        assertThat(data.toLongArray()).containsExactly(15, 0, 8);
        assertThat(data.countZeros()).isEqualTo(1);
        assertThat(TensorData.ofSmallValues(DataType.UINT4, new long[] {3}, 15, 0, 8)).isEqualTo(data);
    }

    @Test
    void sixteenBitIntegers() {
        assertThat(TensorData.ofSmallValues(DataType.INT16, new long[] {3}, -1, 32767, -32768).toLongArray())
                .containsExactly(-1, 32767, -32768);
        assertThat(TensorData.ofSmallValues(DataType.UINT16, new long[] {2}, 0xffff, 1).toLongArray()).containsExactly(65535, 1);
    }

    @Test
    void int32AndUint32() {
        TensorData data = TensorData.ofInts(new long[] {3}, Integer.MIN_VALUE, 0, 7);
        assertThat(data.toIntArray()).containsExactly(Integer.MIN_VALUE, 0, 7);
        assertThat(data.toLongArray()).containsExactly(Integer.MIN_VALUE, 0, 7);
        assertThat(data.toDoubleArray()).containsExactly(Integer.MIN_VALUE, 0, 7);
        assertThat(data.countZeros()).isEqualTo(1);

        TensorData unsigned = wrap(DataType.UINT32, new long[] {1}, 0xff, 0xff, 0xff, 0xff);
        assertThat(unsigned.toLongArray()).containsExactly(0xffffffffL);
    }

    @Test
    void int64AndUint64() {
        TensorData data = TensorData.ofLongs(new long[] {4}, Long.MIN_VALUE, -1, 0, Long.MAX_VALUE);
        assertThat(data.toLongArray()).containsExactly(Long.MIN_VALUE, -1, 0, Long.MAX_VALUE);
        assertThat(data.toDoubleArray()).containsExactly(-0x1p63, -1, 0, 0x1p63);
        assertThat(data.countZeros()).isEqualTo(1);

        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).putLong(Long.MIN_VALUE + 1).flip();
        TensorData unsigned = TensorData.wrap(DataType.UINT64, new long[] {2}, bytes);
        assertThat(unsigned.toLongArray()).containsExactly(-1, Long.MIN_VALUE + 1);
        assertThat(unsigned.toDoubleArray()).containsExactly(0x1p64, 0x1p63);
    }

    @Test
    void float64() {
        TensorData data = TensorData.ofDoubles(new long[] {3}, 0.1, -0.0, 1e300);

        assertThat(data.toDoubleArray()).containsExactly(0.1, -0.0, 1e300);
        assertThat(data.toFloatArray()).containsExactly(0.1f, -0f, Float.POSITIVE_INFINITY);
        assertThat(data.countZeros()).isEqualTo(1);
        assertThat(data.byteSize()).isEqualTo(24);
    }

    @Test
    void bool() {
        TensorData data = TensorData.ofBooleans(new long[] {3}, true, false, true);

        assertThat(data.toBooleanArray()).containsExactly(true, false, true);
        assertThat(data.toLongArray()).containsExactly(1, 0, 1);
        assertThat(data.toByteArray()).containsExactly(1, 0, 1);
        assertThat(data.countZeros()).isEqualTo(1);
        assertThatThrownBy(() -> TensorData.ofFloats(new long[] {1}, 1f).toBooleanArray())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void scalarsAndEmptyTensors() {
        TensorData scalar = TensorData.ofFloats(new long[0], 3f);
        assertThat(scalar.elementCount()).isEqualTo(1);
        assertThat(scalar.toFloatArray()).containsExactly(3f);

        TensorData empty = TensorData.ofFloats(new long[] {0, 5});
        assertThat(empty.elementCount()).isZero();
        assertThat(empty.toFloatArray()).isEmpty();
        assertThat(empty.countZeros()).isZero();
        assertThat(TensorData.elementCount(new long[] {2, 3, 4})).isEqualTo(24);
    }

    @Test
    void wrapChecksSizeTypeAndShape() {
        assertThatThrownBy(() -> TensorData.wrap(DataType.FLOAT, new long[] {3}, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 12 bytes, got 8");
        assertThatThrownBy(() -> TensorData.wrap(DataType.STRING, new long[] {1}, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TensorData.ofFloats(new long[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> TensorData.ofSmallValues(DataType.FLOAT, new long[] {1}, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataIsImmutableAndComparedByContent() {
        float[] values = {1f, 2f};
        long[] shape = {2};
        TensorData data = TensorData.ofFloats(shape, values);
        values[0] = 9f;
        shape[0] = 7;
        data.shape()[0] = 5;
        assertThat(data.toFloatArray()).containsExactly(1f, 2f);
        assertThat(data.shape()).containsExactly(2);
        assertThat(data.rawBytes().isReadOnly()).isTrue();

        ByteBuffer direct = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f).flip();
        TensorData same = TensorData.wrap(DataType.FLOAT, new long[] {2}, direct);
        assertThat(same).isEqualTo(data).hasSameHashCodeAs(data);
        assertThat(TensorData.wrap(DataType.FLOAT, new long[] {1, 2}, direct)).isNotEqualTo(data);
        assertThat(TensorData.ofInts(new long[] {2}, 0x3f800000, 0x40000000)).isNotEqualTo(data);
        assertThat(data).hasToString("FLOAT[2]");
    }

    @Test
    void wrappingAViewStartsAtItsPosition() {
        ByteBuffer buffer = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(9f).putFloat(1f).putFloat(2f);
        buffer.position(4);

        TensorData data = TensorData.wrap(DataType.FLOAT, new long[] {2}, buffer);

        assertThat(data.toFloatArray()).containsExactly(1f, 2f);
        assertThat(data.rawBytes().position()).isZero();
    }
}
