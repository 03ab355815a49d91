/**
 * SavedModels measured in TensorFlow Java with the same method and result type as ONNX models in ONNX
 * Runtime ({@link dev.lathe.tensorflow.runtime.SavedModelBenchmark}), so "before" and "after" figures of a
 * conversion compare like with like.
 */
package dev.lathe.tensorflow.runtime;
