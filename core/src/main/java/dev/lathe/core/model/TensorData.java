package dev.lathe.core.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The elements of one tensor: element type, shape and the raw little-endian bytes, exactly as ONNX
 * stores them in {@code raw_data}. The bytes may live off the Java heap (a memory-mapped external data
 * file); the typed accessors copy them into Java arrays on request. Immutable.
 *
 * <p>Packed 4-bit types hold two elements per byte, the first in the low nibble. {@link DataType#STRING}
 * tensors are not represented here.
 */
public final class TensorData {
    private final DataType dataType;
    private final long[] shape;
    private final ByteBuffer bytes;

    private TensorData(DataType dataType, long[] shape, ByteBuffer bytes) {
        this.dataType = dataType;
        this.shape = shape;
        this.bytes = bytes;
    }

    /**
     * Wraps raw little-endian bytes. The buffer's remaining bytes must be exactly the storage size of the
     * shape; the buffer is not copied, so the caller must not change it afterwards.
     */
    public static TensorData wrap(DataType dataType, long[] shape, ByteBuffer bytes) {
        if (dataType == DataType.STRING) {
            throw new IllegalArgumentException("STRING tensors have no raw representation");
        }
        long[] dims = shape.clone();
        long expected = dataType.storageBytes(elementCount(dims));
        if (bytes.remaining() != expected) {
            throw new IllegalArgumentException("a " + dataType + " tensor of shape " + Arrays.toString(dims)
                    + " needs " + expected + " bytes, got " + bytes.remaining());
        }
        return new TensorData(dataType, dims, bytes.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN));
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static TensorData ofFloats(long[] shape, float... values) {
        ByteBuffer buffer = allocate(values.length * 4L);
        buffer.asFloatBuffer().put(values);
        return wrap(DataType.FLOAT, shape, buffer);
    }

    /** A float64 tensor holding a copy of {@code values}. */
    public static TensorData ofDoubles(long[] shape, double... values) {
        ByteBuffer buffer = allocate(values.length * 8L);
        buffer.asDoubleBuffer().put(values);
        return wrap(DataType.DOUBLE, shape, buffer);
    }

    /** An int32 tensor holding a copy of {@code values}. */
    public static TensorData ofInts(long[] shape, int... values) {
        ByteBuffer buffer = allocate(values.length * 4L);
        buffer.asIntBuffer().put(values);
        return wrap(DataType.INT32, shape, buffer);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static TensorData ofLongs(long[] shape, long... values) {
        ByteBuffer buffer = allocate(values.length * 8L);
        buffer.asLongBuffer().put(values);
        return wrap(DataType.INT64, shape, buffer);
    }

    /** A bool tensor holding a copy of {@code values}. */
    public static TensorData ofBooleans(long[] shape, boolean... values) {
        ByteBuffer buffer = allocate(values.length);
        for (boolean value : values) {
            buffer.put((byte) (value ? 1 : 0));
        }
        buffer.flip();
        return wrap(DataType.BOOL, shape, buffer);
    }

    /**
     * A tensor of an 8-, 16- or 4-bit type from one value per element: bytes for INT8/UINT8 (two's
     * complement), 16-bit patterns for FLOAT16/BFLOAT16/INT16/UINT16, nibble values for INT4/UINT4 (which
     * are packed two per byte here).
     */
    public static TensorData ofSmallValues(DataType dataType, long[] shape, int... values) {
        ByteBuffer buffer = allocate(dataType.storageBytes(values.length));
        switch (dataType.bits()) {
            case 4 -> {
                for (int i = 0; i < values.length; i += 2) {
                    int low = values[i] & 0xf;
                    int high = i + 1 < values.length ? values[i + 1] & 0xf : 0;
                    buffer.put((byte) (low | (high << 4)));
                }
                buffer.flip();
            }
            case 8 -> {
                for (int value : values) {
                    buffer.put((byte) value);
                }
                buffer.flip();
            }
            case 16 -> {
                for (int value : values) {
                    buffer.putShort((short) value);
                }
                buffer.flip();
            }
            default -> throw new IllegalArgumentException(dataType + " is not an 4-, 8- or 16-bit type");
        }
        return wrap(dataType, shape, buffer);
    }

    /** A float16 tensor holding {@code values} rounded to half precision. */
    public static TensorData ofFloat16(long[] shape, float... values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = FloatFormats.floatToFloat16(values[i]);
        }
        return ofSmallValues(DataType.FLOAT16, shape, bits);
    }

    /** A bfloat16 tensor holding {@code values} rounded to bfloat16. */
    public static TensorData ofBfloat16(long[] shape, float... values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = FloatFormats.floatToBfloat16(values[i]);
        }
        return ofSmallValues(DataType.BFLOAT16, shape, bits);
    }

    private static ByteBuffer allocate(long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensors over 2 GiB cannot be built in memory: " + size + " bytes");
        }
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements of a shape (1 for a scalar). */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The element type. */
    public DataType dataType() {
        return dataType;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        return elementCount(shape);
    }

    /** Bytes of raw storage. */
    public long byteSize() {
        return bytes.remaining();
    }

    /** A read-only little-endian view of the raw bytes, positioned at the first element. */
    public ByteBuffer rawBytes() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Elements as floats: exact for FLOAT, FLOAT16, BFLOAT16 and small integers; DOUBLE and large integers
     * are rounded to the nearest float.
     */
    public float[] toFloatArray() {
        int n = arrayLength();
        float[] out = new float[n];
        ByteBuffer b = rawBytes();
        switch (dataType) {
            case FLOAT -> b.asFloatBuffer().get(out);
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = FloatFormats.float16ToFloat(b.getShort(i * 2));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = FloatFormats.bfloat16ToFloat(b.getShort(i * 2));
                }
            }
            default -> {
                double[] values = toDoubleArray();
                for (int i = 0; i < n; i++) {
                    out[i] = (float) values[i];
                }
            }
        }
        return out;
    }

    /**
     * Copies {@code count} elements starting at element {@code first} of a FLOAT, FLOAT16 or BFLOAT16
     * tensor into {@code into} at {@code at}, as floats: how large tensors are read piece by piece without
     * copying them whole onto the heap.
     *
     * @throws UnsupportedOperationException for other element types
     * @throws IndexOutOfBoundsException     if the range is outside the tensor or the array
     */
    public void copyFloats(long first, float[] into, int at, int count) {
        java.util.Objects.checkFromIndexSize(first, count, elementCount());
        java.util.Objects.checkFromIndexSize(at, count, into.length);
        switch (dataType) {
            case FLOAT -> bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) (first * 4)).asFloatBuffer()
                    .get(into, at, count);
            case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    into[at + i] = FloatFormats.float16ToFloat(bytes.getShort((int) ((first + i) * 2)));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    into[at + i] = FloatFormats.bfloat16ToFloat(bytes.getShort((int) ((first + i) * 2)));
                }
            }
            default -> throw new UnsupportedOperationException(dataType + " elements are not floating point");
        }
    }

    /** Elements as doubles, for any numeric type (8-bit float formats are not decoded). */
    public double[] toDoubleArray() {
        int n = arrayLength();
        double[] out = new double[n];
        ByteBuffer b = rawBytes();
        switch (dataType) {
            case DOUBLE -> b.asDoubleBuffer().get(out);
            case FLOAT, FLOAT16, BFLOAT16 -> {
                float[] values = toFloatArray();
                for (int i = 0; i < n; i++) {
                    out[i] = values[i];
                }
            }
            default -> {
                long[] values = toLongArray();
                for (int i = 0; i < n; i++) {
                    out[i] = dataType == DataType.UINT64 && values[i] < 0
                            ? (double) (values[i] >>> 1) * 2.0 + (values[i] & 1) : values[i];
                }
            }
        }
        return out;
    }

    /** Elements of an integer or bool type as longs; UINT64 values above 2^63 wrap to negative. */
    public long[] toLongArray() {
        int n = arrayLength();
        long[] out = new long[n];
        ByteBuffer b = rawBytes();
        switch (dataType) {
            case INT64, UINT64 -> b.asLongBuffer().get(out);
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4) & 0xffffffffL;
                }
            }
            case INT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(i * 2);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(i * 2) & 0xffff;
                }
            }
            case INT8, UINT8, BOOL, INT4, UINT4 -> {
                byte[] values = toByteArray();
                boolean unsigned = dataType == DataType.UINT8 || dataType == DataType.BOOL;
                for (int i = 0; i < n; i++) {
                    out[i] = unsigned ? values[i] & 0xff : values[i];
                }
            }
            default -> throw new UnsupportedOperationException(dataType + " elements are not integers");
        }
        return out;
    }

    /** Elements of an INT32 tensor. */
    public int[] toIntArray() {
        requireType(DataType.INT32);
        int[] out = new int[arrayLength()];
        rawBytes().asIntBuffer().get(out);
        return out;
    }

    /**
     * One byte per element for 8-bit and 4-bit types: INT8/UINT8/BOOL raw bytes; INT4 unpacked and sign
     * extended (-8..7); UINT4 unpacked (0..15).
     */
    public byte[] toByteArray() {
        int n = arrayLength();
        byte[] out = new byte[n];
        ByteBuffer b = rawBytes();
        switch (dataType) {
            case INT8, UINT8, BOOL -> b.get(out);
            case INT4, UINT4 -> {
                for (int i = 0; i < n; i++) {
                    int packed = b.get(i / 2);
                    int nibble = (i % 2 == 0 ? packed : packed >> 4) & 0xf;
                    out[i] = (byte) (dataType == DataType.INT4 && nibble >= 8 ? nibble - 16 : nibble);
                }
            }
            default -> throw new UnsupportedOperationException(dataType + " elements are not bytes");
        }
        return out;
    }

    /** Elements of a BOOL tensor. */
    public boolean[] toBooleanArray() {
        requireType(DataType.BOOL);
        byte[] values = toByteArray();
        boolean[] out = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] != 0;
        }
        return out;
    }

    /**
     * Number of elements exactly equal to zero (both signed zeros count), read straight from the raw
     * bytes so that large off-heap tensors are never copied.
     */
    public long countZeros() {
        ByteBuffer b = rawBytes();
        long zeros = 0;
        switch (dataType) {
            case FLOAT -> {
                for (int i = 0, n = b.remaining(); i < n; i += 4) {
                    zeros += (b.getInt(i) & 0x7fffffff) == 0 ? 1 : 0;
                }
            }
            case DOUBLE -> {
                for (int i = 0, n = b.remaining(); i < n; i += 8) {
                    zeros += (b.getLong(i) & 0x7fffffffffffffffL) == 0 ? 1 : 0;
                }
            }
            case FLOAT16, BFLOAT16 -> {
                for (int i = 0, n = b.remaining(); i < n; i += 2) {
                    zeros += (b.getShort(i) & 0x7fff) == 0 ? 1 : 0;
                }
            }
            case INT4, UINT4 -> {
                long count = elementCount();
                for (long i = 0; i < count; i++) {
                    int packed = b.get((int) (i / 2));
                    zeros += ((i % 2 == 0 ? packed : packed >> 4) & 0xf) == 0 ? 1 : 0;
                }
            }
            default -> {
                int width = Math.max(1, dataType.bits() / 8);
                for (int i = 0, n = b.remaining(); i < n; i += width) {
                    boolean zero = true;
                    for (int j = 0; j < width && zero; j++) {
                        zero = b.get(i + j) == 0;
                    }
                    zeros += zero ? 1 : 0;
                }
            }
        }
        return zeros;
    }

    private int arrayLength() {
        long count = elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException("tensor of " + count + " elements is too large for a Java array");
        }
        return (int) count;
    }

    private void requireType(DataType expected) {
        if (dataType != expected) {
            throw new UnsupportedOperationException("tensor is " + dataType + ", not " + expected);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorData that && dataType == that.dataType && Arrays.equals(shape, that.shape)
                && rawBytes().equals(that.rawBytes());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dataType.hashCode() + Arrays.hashCode(shape)) + rawBytes().hashCode();
    }

    @Override
    public String toString() {
        return dataType + Arrays.toString(shape);
    }
}
