package dev.lathe.tensorflow.convert;

/** Converts one TensorFlow op into ONNX nodes, recording the ONNX value of each output it produces. */
@FunctionalInterface
interface OpConverter {
    /**
     * Converts the node.
     *
     * @throws NodeContext.ConversionProblem if an attribute or input has no ONNX form
     */
    void convert(NodeContext node);
}
