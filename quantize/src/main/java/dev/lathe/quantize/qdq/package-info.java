/**
 * Static int8 quantization as a QuantizeLinear/DequantizeLinear graph ({@code quantize.static}): weights and
 * activations in 8 bits with activation ranges calibrated on real samples, placed so that ONNX Runtime runs
 * integer kernels, with an accuracy-aware fallback that returns the most sensitive nodes to float.
 */
package dev.lathe.quantize.qdq;
