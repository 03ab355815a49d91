/**
 * The ONNX model IR: {@link dev.lathe.core.model.OnnxModel} (immutable, memory-mapped, external data,
 * invariants checked on every build), its read-only graph view ({@link dev.lathe.core.model.Graph}, subgraphs
 * included), editing ({@link dev.lathe.core.model.ModelEditor}, {@link dev.lathe.core.model.GraphEditor}),
 * tensors ({@link dev.lathe.core.model.TensorData}) and input shapes ({@link dev.lathe.core.model.ShapeBinding},
 * with {@link dev.lathe.core.model.DimensionDefaults} for dimensions nobody bound). Pure Java: no native code.
 */
package dev.lathe.core.model;
