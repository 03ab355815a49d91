/**
 * Weight-only block-wise quantization to com.microsoft {@code MatMulNBits} (passes {@code quantize.int4} and
 * {@code quantize.int8-weights}): round-to-nearest or GPTQ for MatMul/Gemm weights, and 8- or 4-bit
 * storage of embedding tables.
 */
package dev.lathe.quantize.weightonly;
