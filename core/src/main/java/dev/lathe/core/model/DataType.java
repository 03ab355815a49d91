package dev.lathe.core.model;

import java.util.Optional;

/**
 * ONNX tensor element types (IR version 10), with their wire codes and storage sizes. Sub-byte types
 * ({@link #INT4}, {@link #UINT4}) pack two elements per byte, low nibble first.
 */
public enum DataType {
    FLOAT(1, 32, true),
    UINT8(2, 8, false),
    INT8(3, 8, false),
    UINT16(4, 16, false),
    INT16(5, 16, false),
    INT32(6, 32, false),
    INT64(7, 64, false),
    STRING(8, 0, false),
    BOOL(9, 8, false),
    FLOAT16(10, 16, true),
    DOUBLE(11, 64, true),
    UINT32(12, 32, false),
    UINT64(13, 64, false),
    COMPLEX64(14, 64, true),
    COMPLEX128(15, 128, true),
    BFLOAT16(16, 16, true),
    FLOAT8E4M3FN(17, 8, true),
    FLOAT8E4M3FNUZ(18, 8, true),
    FLOAT8E5M2(19, 8, true),
    FLOAT8E5M2FNUZ(20, 8, true),
    UINT4(21, 4, false),
    INT4(22, 4, false);

    private final int code;
    private final int bits;
    private final boolean floatingPoint;

    DataType(int code, int bits, boolean floatingPoint) {
        this.code = code;
        this.bits = bits;
        this.floatingPoint = floatingPoint;
    }

    /** The ONNX wire code ({@code TensorProto.DataType}). */
    public int code() {
        return code;
    }

    /** Bits one element occupies in raw storage; 0 for {@link #STRING}, which has no fixed size. */
    public int bits() {
        return bits;
    }

    /** Whether elements are floating-point numbers (these count as model parameters). */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** Bytes that {@code elements} elements take in raw storage, rounding packed types up. */
    public long storageBytes(long elements) {
        return (elements * bits + 7) / 8;
    }

    /** The type with the given wire code, or empty if the code is not an ONNX IR 10 type. */
    public static Optional<DataType> fromCode(int code) {
        for (DataType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
