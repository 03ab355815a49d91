/**
 * Serving an optimized model with DJL: {@link dev.lathe.djl.serving.ServedModel} loads an ONNX file as a DJL
 * {@code ZooModel} through DJL's ONNX Runtime engine with the provider and threads of
 * {@link dev.lathe.djl.serving.ServingOptions}.
 */
package dev.lathe.djl.serving;
