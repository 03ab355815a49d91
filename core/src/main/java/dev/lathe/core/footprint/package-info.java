/**
 * The static compute footprint of a model at given input shapes ({@link dev.lathe.core.footprint.FootprintAnalyzer}):
 * size, parameters, bytes by data type, op histogram, weight sparsity and multiply-accumulates by op type,
 * from shapes propagated statically (or, where that fails, from one ONNX Runtime run, which the footprint
 * says).
 */
package dev.lathe.core.footprint;
