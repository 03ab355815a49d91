package dev.lathe.core.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Converts between Lathe tensors and ONNX Runtime tensors (the caller closes what it gets). */
final class OrtTensors {
    private OrtTensors() {
    }

    static OnnxTensor toOrt(OrtEnvironment env, TensorData data) throws OrtException {
        long[] shape = data.shape();
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) data.byteSize()).order(ByteOrder.nativeOrder());
        ByteBuffer raw = data.rawBytes();
        switch (data.dataType()) {
            case FLOAT -> {
                bytes.asFloatBuffer().put(raw.asFloatBuffer());
                return OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape);
            }
            case DOUBLE -> {
                bytes.asDoubleBuffer().put(raw.asDoubleBuffer());
                return OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), shape);
            }
            case INT64 -> {
                bytes.asLongBuffer().put(raw.asLongBuffer());
                return OnnxTensor.createTensor(env, bytes.asLongBuffer(), shape);
            }
            case INT32 -> {
                bytes.asIntBuffer().put(raw.asIntBuffer());
                return OnnxTensor.createTensor(env, bytes.asIntBuffer(), shape);
            }
            case FLOAT16 -> {
                bytes.asShortBuffer().put(raw.asShortBuffer());
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.FLOAT16);
            }
            case BFLOAT16 -> {
                bytes.asShortBuffer().put(raw.asShortBuffer());
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.BFLOAT16);
            }
            case INT8 -> {
                bytes.put(raw).flip();
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.INT8);
            }
            case UINT8 -> {
                bytes.put(raw).flip();
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.UINT8);
            }
            case BOOL -> {
                bytes.put(raw).flip();
                return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.BOOL);
            }
            default -> throw new IllegalArgumentException(data.dataType() + " tensors cannot be fed to ONNX Runtime yet");
        }
    }

    /** Copies an ONNX Runtime tensor into Lathe tensor data. */
    static TensorData fromOrt(OnnxTensor tensor) {
        TensorInfo info = tensor.getInfo();
        long[] shape = info.getShape();
        DataType type = switch (info.type) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT16 -> DataType.INT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            default -> throw new IllegalArgumentException("ONNX Runtime output of type " + info.type + " is not supported");
        };
        ByteBuffer source = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer copy = ByteBuffer.allocate(source.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        switch (type.bits()) {
            case 64 -> copy.asLongBuffer().put(source.asLongBuffer());
            case 32 -> copy.asIntBuffer().put(source.asIntBuffer());
            case 16 -> copy.asShortBuffer().put(source.asShortBuffer());
            default -> copy.put(source).flip();
        }
        return TensorData.wrap(type, shape, copy);
    }
}
