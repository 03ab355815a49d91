package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.util.Optional;

/** Reads float constants (initializers or Constant nodes) of a graph being edited. */
final class FloatConstants {
    private FloatConstants() {
    }

    /**
     * The elements of a float constant, or empty when the value is not a constant or not float.
     *
     * @throws InvalidModelException if its data cannot be read (external data missing, say)
     */
    static Optional<float[]> of(OnnxModel model, GraphEditor graph, String value) throws InvalidModelException {
        Optional<TensorProto> constant = graph.constant(value);
        if (constant.isEmpty() || constant.get().getDataType() != DataType.FLOAT.code()) {
            return Optional.empty();
        }
        return Optional.of(model.tensorData(constant.get()).toFloatArray());
    }
}
