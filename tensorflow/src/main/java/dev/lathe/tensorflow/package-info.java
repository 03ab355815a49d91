/**
 * TensorFlow SavedModels in Lathe, on TensorFlow Java: {@link dev.lathe.tensorflow.SavedModel} loads one
 * (tags, signatures, GraphDef, a session with variables restored), {@link dev.lathe.tensorflow.SavedModelFootprint}
 * states its footprint in the same {@link dev.lathe.core.footprint.Footprint} type as an ONNX model's, and
 * {@link dev.lathe.tensorflow.convert.OnnxConverter} turns it into ONNX for the optimization pipeline.
 *
 * <p>This module carries TensorFlow's native library (about 160 MB for Linux x86-64); {@code lathe-core}
 * does not depend on it, so only applications that add {@code lathe-tensorflow} pay for it.
 */
package dev.lathe.tensorflow;
