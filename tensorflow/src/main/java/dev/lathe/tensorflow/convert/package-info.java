/**
 * TensorFlow graphs to ONNX, op by op, in Java ({@link dev.lathe.tensorflow.convert.OnnxConverter}), checked
 * against TensorFlow on the same inputs ({@link dev.lathe.tensorflow.convert.ConversionCheck}, giving a
 * {@link dev.lathe.core.report.ConversionFidelity}).
 *
 * <p>Covered: MatMul, BatchMatMul(V2/V3), Einsum (batched matrix products become MatMul, other equations ONNX
 * Einsum), BiasAdd, Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput, FusedBatchNorm(V2/V3) for inference,
 * grouped Conv2D, MaxPool, MaxPoolV2, AvgPool, Relu, Relu6, LeakyRelu, Elu, Selu, Sigmoid, Tanh, Softplus, Softmax,
 * LogSoftmax, Erf (so exact Gelu), Add, AddV2, AddN, Sub, Mul, RealDiv, Div, Maximum, Minimum, Pow,
 * SquaredDifference, comparisons and logical ops, Select (same-rank condition), SelectV2, Mean, Sum, Max, Min,
 * Prod, Reshape, Transpose, ConcatV2, Pack, StridedSlice (without ellipsis or new-axis masks), Slice, Squeeze,
 * ExpandDims, Pad, PadV2, MirrorPad (reflect), Shape, GatherV2, ResourceGather, Tile, Fill, Rsqrt, Sqrt, Square,
 * Exp, Log, Cast, and Identity-like ops. Variables (VariableV2, VarHandleOp with ReadVariableOp) and constants,
 * with everything computed from them alone, become initializers whose values TensorFlow computes, so Keras's layer
 * normalization pattern (Mean, SquaredDifference, Rsqrt, Mul) converts exactly.
 *
 * <p>NHWC tensors are held as NCHW between convolutions ({@link dev.lathe.tensorflow.convert.Layout}): a
 * Keras CNN gets one Transpose at its input. Not covered yet: graphs that call functions of a function
 * library (TF 2 Keras exports: StatefulPartitionedCall), control flow, string ops.
 */
package dev.lathe.tensorflow.convert;
