package dev.lathe.tensorflow.convert;

/**
 * How a converted ONNX value holds a TensorFlow tensor. TensorFlow images are NHWC, ONNX convolutions
 * NCHW; the converter keeps a rank-4 value in NCHW from one convolution to the next and transposes back
 * only where an op needs TensorFlow's order, so a CNN needs two Transposes, not two per convolution.
 */
enum Layout {
    /** Same dimension order as in TensorFlow. */
    AS_IN_TENSORFLOW,
    /** A TensorFlow NHWC tensor held as NCHW (dimensions permuted by 0, 3, 1, 2). */
    NCHW;

    /** ONNX perm taking NHWC to NCHW. */
    static final long[] TO_NCHW = {0, 3, 1, 2};
    /** ONNX perm taking NCHW back to NHWC. */
    static final long[] TO_NHWC = {0, 2, 3, 1};

    /** Where TensorFlow axis {@code axis} (0..3, of NHWC) sits in the NCHW value. */
    static int nchwAxis(int axis) {
        return switch (axis) {
            case 0 -> 0;
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 1;
            default -> throw new IllegalArgumentException("axis " + axis + " of a rank-4 tensor");
        };
    }
}
