package dev.lathe.core.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Converts between {@link TensorProto} and {@link TensorData}: inline tensors in any of ONNX's storage
 * fields are decoded to raw little-endian bytes; encoding always writes {@code raw_data}.
 */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** A TensorProto named {@code name} holding the data in raw_data (the bytes are not copied). */
    public static TensorProto encode(String name, TensorData data) {
        TensorProto.Builder builder = TensorProto.newBuilder().setName(name).setDataType(data.dataType().code());
        for (long dim : data.shape()) {
            builder.addDims(dim);
        }
        return builder.setRawData(UnsafeByteOperations.unsafeWrap(data.rawBytes())).build();
    }

    /** The shape of a tensor proto. */
    public static long[] shapeOf(TensorProto tensor) {
        long[] shape = new long[tensor.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = tensor.getDims(i);
        }
        return shape;
    }

    /**
     * Decodes an inline tensor (raw_data or a typed field). Returns null with {@code problem[0]} set when
     * the stored data does not match the declared type and shape.
     */
    static TensorData decodeInline(TensorProto tensor, DataType type, long[] shape, String[] problem) {
        long count = TensorData.elementCount(shape);
        long expectedBytes = type.storageBytes(count);
        if (tensor.hasRawData()) {
            ByteString raw = tensor.getRawData();
            if (raw.size() != expectedBytes) {
                problem[0] = "raw_data has " + raw.size() + " bytes but " + type + " shape " + java.util.Arrays.toString(shape)
                        + " needs " + expectedBytes;
                return null;
            }
            return TensorData.wrap(type, shape, raw.asReadOnlyByteBuffer());
        }
        if (expectedBytes > Integer.MAX_VALUE) {
            problem[0] = "inline tensor of " + expectedBytes + " bytes is too large";
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate((int) expectedBytes).order(ByteOrder.LITTLE_ENDIAN);
        int stored;
        switch (type) {
            case FLOAT -> {
                stored = tensor.getFloatDataCount();
                if (stored == count) {
                    tensor.getFloatDataList().forEach(out::putFloat);
                }
            }
            case DOUBLE -> {
                stored = tensor.getDoubleDataCount();
                if (stored == count) {
                    tensor.getDoubleDataList().forEach(out::putDouble);
                }
            }
            case INT64 -> {
                stored = tensor.getInt64DataCount();
                if (stored == count) {
                    tensor.getInt64DataList().forEach(out::putLong);
                }
            }
            case UINT32 -> {
                stored = tensor.getUint64DataCount();
                if (stored == count) {
                    tensor.getUint64DataList().forEach(v -> out.putInt(v.intValue()));
                }
            }
            case UINT64 -> {
                stored = tensor.getUint64DataCount();
                if (stored == count) {
                    tensor.getUint64DataList().forEach(out::putLong);
                }
            }
            case INT32 -> {
                stored = tensor.getInt32DataCount();
                if (stored == count) {
                    tensor.getInt32DataList().forEach(out::putInt);
                }
            }
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                stored = tensor.getInt32DataCount();
                if (stored == count) {
                    tensor.getInt32DataList().forEach(v -> out.putShort(v.shortValue()));
                }
            }
            case INT8, UINT8, BOOL, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> {
                stored = tensor.getInt32DataCount();
                if (stored == count) {
                    tensor.getInt32DataList().forEach(v -> out.put(v.byteValue()));
                }
            }
            case INT4, UINT4 -> {
                // Two 4-bit elements per int32_data entry, low nibble first.
                stored = tensor.getInt32DataCount();
                count = expectedBytes;
                if (stored == count) {
                    tensor.getInt32DataList().forEach(v -> out.put(v.byteValue()));
                }
            }
            default -> {
                problem[0] = type + " tensors have no numeric storage";
                return null;
            }
        }
        if (stored != count) {
            problem[0] = "holds " + stored + " stored values but shape " + java.util.Arrays.toString(shape) + " needs " + count;
            return null;
        }
        out.flip();
        return TensorData.wrap(type, shape, out);
    }

    /** Total bytes of a STRING tensor's elements. */
    static long stringBytes(List<ByteString> strings) {
        long total = 0;
        for (ByteString s : strings) {
            total += s.size();
        }
        return total;
    }
}
