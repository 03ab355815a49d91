/**
 * Float16 conversion ({@code quantize.fp16}): {@link dev.lathe.quantize.fp16.Float16Conversion} and its
 * factory. Element types are propagated with a small per-operator table, which also records which operators
 * ONNX Runtime's CPU provider runs in float16.
 */
package dev.lathe.quantize.fp16;
