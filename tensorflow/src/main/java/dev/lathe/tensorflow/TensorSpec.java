package dev.lathe.tensorflow;

import java.util.Arrays;
import java.util.Optional;

/**
 * One input or output of a SavedModel signature.
 *
 * @param name       the signature's name for it (the key callers feed or fetch by, e.g. {@code x})
 * @param tensorName the graph tensor behind it ({@code node:index}, e.g. {@code Placeholder:0})
 * @param tfType     TensorFlow's type name (e.g. {@code DT_FLOAT})
 * @param shape      the declared dimensions, -1 where unknown; empty with {@code rankKnown} false when even
 *                   the rank is unknown
 * @param rankKnown  whether the signature declares the rank
 */
public record TensorSpec(String name, String tensorName, String tfType, long[] shape, boolean rankKnown) {

    /** Copies the shape. */
    public TensorSpec {
        shape = shape.clone();
    }

    /** The declared dimensions (a copy), -1 where unknown. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The ONNX type of this tensor; empty for TensorFlow types ONNX lacks (strings, resources). */
    public Optional<dev.lathe.core.model.DataType> onnxType() {
        return TfTypes.onnxType(org.tensorflow.proto.DataType.valueOf(tfType));
    }

    /** The graph node that produces this tensor ({@code tensorName} without its output index). */
    public String nodeName() {
        return GraphNodes.nodeName(tensorName);
    }

    /** {@code name: DT_FLOAT [-1, 4]}, with {@code ?} for unknown dimensions. */
    @Override
    public String toString() {
        return name + ": " + tfType + " " + (rankKnown ? Arrays.toString(shape).replace("-1", "?") : "(unknown rank)");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec that && name.equals(that.name) && tensorName.equals(that.tensorName)
                && tfType.equals(that.tfType) && Arrays.equals(shape, that.shape) && rankKnown == that.rankKnown;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
