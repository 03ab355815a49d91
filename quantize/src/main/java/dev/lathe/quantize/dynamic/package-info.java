/**
 * Dynamic int8 quantization ({@code quantize.int8}): MatMul and Gemm weights quantized per channel, activations
 * quantized at run time ({@code DynamicQuantizeMatMul} after ONNX Runtime's fusion), embedding tables in 8
 * bits, and SmoothQuant migration of activation outliers into the weights when there is calibration data.
 */
package dev.lathe.quantize.dynamic;
