package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import java.util.Optional;

/**
 * A TensorFlow tensor as converted so far: the ONNX value holding it, in which layout, its type and rank
 * (from TensorFlow's shape inference; -1 when unknown), and its value when it is a constant.
 */
record TfValue(String onnxName, Layout layout, DataType type, int rank, Optional<TensorData> constant) {

    /** A computed value in TensorFlow's layout. */
    static TfValue of(String onnxName, DataType type, int rank) {
        return new TfValue(onnxName, Layout.AS_IN_TENSORFLOW, type, rank, Optional.empty());
    }

    /** Whether the value is a constant known at conversion time. */
    boolean isConstant() {
        return constant.isPresent();
    }
}
