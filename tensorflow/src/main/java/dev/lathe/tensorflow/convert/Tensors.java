package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Rearrangements of constant tensors made at conversion time (weights into ONNX's layouts). */
final class Tensors {
    private Tensors() {
    }

    /** The tensor with its dimensions permuted ({@code perm[i]} is the source axis of result axis i). */
    static TensorData transpose(TensorData data, long[] perm) {
        long[] shape = data.shape();
        if (perm.length != shape.length) {
            throw new IllegalArgumentException("perm of rank " + perm.length + " for a tensor of rank " + shape.length);
        }
        int rank = shape.length;
        long[] outShape = new long[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[(int) perm[i]];
        }
        long[] strides = new long[rank];
        long stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        int width = data.dataType().bits() / 8;
        ByteBuffer in = data.rawBytes();
        int count = Math.toIntExact(TensorData.elementCount(shape));
        ByteBuffer out = ByteBuffer.allocate(count * width).order(ByteOrder.LITTLE_ENDIAN);
        long[] index = new long[rank];
        byte[] element = new byte[width];
        for (int n = 0; n < count; n++) {
            long source = 0;
            for (int i = 0; i < rank; i++) {
                source += index[i] * strides[(int) perm[i]];
            }
            in.position((int) (source * width));
            in.get(element);
            out.put(element);
            for (int i = rank - 1; i >= 0; i--) {
                if (++index[i] < outShape[i]) {
                    break;
                }
                index[i] = 0;
            }
        }
        out.flip();
        return TensorData.wrap(data.dataType(), outShape, out);
    }

    /** The same elements under another shape of the same size. */
    static TensorData reshape(TensorData data, long... shape) {
        return TensorData.wrap(data.dataType(), shape, data.rawBytes());
    }
}
