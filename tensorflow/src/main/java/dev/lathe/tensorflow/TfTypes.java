package dev.lathe.tensorflow;

import dev.lathe.core.model.DataType;
import java.util.Optional;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/** TensorFlow's data types against ONNX's ({@link DataType}), for the types a converted model can carry. */
public final class TfTypes {
    private TfTypes() {
    }

    /** The ONNX type of a TensorFlow type; empty for types without one (strings, resources, variants, refs). */
    public static Optional<DataType> onnxType(org.tensorflow.proto.DataType type) {
        return Optional.ofNullable(switch (type) {
            case DT_FLOAT, DT_FLOAT_REF -> DataType.FLOAT;
            case DT_DOUBLE, DT_DOUBLE_REF -> DataType.DOUBLE;
            case DT_HALF, DT_HALF_REF -> DataType.FLOAT16;
            case DT_BFLOAT16, DT_BFLOAT16_REF -> DataType.BFLOAT16;
            case DT_INT8, DT_INT8_REF -> DataType.INT8;
            case DT_UINT8, DT_UINT8_REF -> DataType.UINT8;
            case DT_INT16, DT_INT16_REF -> DataType.INT16;
            case DT_UINT16, DT_UINT16_REF -> DataType.UINT16;
            case DT_INT32, DT_INT32_REF -> DataType.INT32;
            case DT_UINT32, DT_UINT32_REF -> DataType.UINT32;
            case DT_INT64, DT_INT64_REF -> DataType.INT64;
            case DT_UINT64, DT_UINT64_REF -> DataType.UINT64;
            case DT_BOOL, DT_BOOL_REF -> DataType.BOOL;
            default -> null;
        });
    }

    /** The ONNX type of a TensorFlow type, or an exception naming {@code what} when there is none. */
    public static DataType requireOnnxType(org.tensorflow.proto.DataType type, String what) {
        return onnxType(type).orElseThrow(() -> new IllegalArgumentException(what + " has TensorFlow type " + type
                + ", which has no ONNX counterpart"));
    }

    /** TensorFlow Java's tensor class for an ONNX type that TensorFlow Java can feed. */
    static Class<? extends TType> tensorClass(DataType type) {
        return switch (type) {
            case FLOAT -> TFloat32.class;
            case DOUBLE -> TFloat64.class;
            case FLOAT16 -> TFloat16.class;
            case BFLOAT16 -> TBfloat16.class;
            case INT32 -> TInt32.class;
            case INT64 -> TInt64.class;
            case UINT8 -> TUint8.class;
            case BOOL -> TBool.class;
            default -> throw new IllegalArgumentException("TensorFlow Java cannot feed " + type + " tensors");
        };
    }
}
