package dev.lathe.tensorflow;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;

/** Copies between TensorFlow Java tensors and Lathe's {@link TensorData} (both little-endian, row-major). */
public final class TfTensors {
    private TfTensors() {
    }

    /** A copy of a TensorFlow tensor's values. */
    public static TensorData toTensorData(Tensor tensor) {
        DataType type = TfTypes.requireOnnxType(tensor.dataType(), "a tensor");
        ByteDataBuffer data = tensor.asRawTensor().data();
        long size = data.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a tensor of " + size + " bytes does not fit in a Java array");
        }
        byte[] bytes = new byte[(int) size];
        data.read(bytes);
        return TensorData.wrap(type, tensor.shape().asArray(), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** A new TensorFlow tensor holding a copy of {@code data}; the caller closes it. */
    public static Tensor toTensor(TensorData data) {
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) data.byteSize()).order(ByteOrder.nativeOrder());
        bytes.put(data.rawBytes().duplicate().order(ByteOrder.LITTLE_ENDIAN));
        bytes.flip();
        return Tensor.of(TfTypes.tensorClass(data.dataType()), Shape.of(data.shape()), DataBuffers.of(bytes));
    }
}
