/**
 * Pruning that zeroes individual weights and keeps every tensor's shape: unstructured sparsity to a
 * target fraction ({@code prune.magnitude}, {@code prune.wanda}) and N:M semi-structured sparsity
 * ({@code prune.nm}), of the constant weights of MatMul, Gemm and Conv nodes in every graph of a model
 * (initializers and Constant nodes, subgraphs of If/Loop/Scan included). Weights are ranked by magnitude
 * or by Wanda's activation-aware score |W|·‖X‖ from calibration inputs ({@link
 * dev.lathe.prune.unstructured.Importance}).
 *
 * <p>The zeros are stored densely: ONNX Runtime's CPU kernels multiply them like any other value, so these
 * passes make a model neither faster nor smaller on CPU by themselves. They prepare models for sparse
 * kernels and hardware (2:4 is the pattern of NVIDIA's sparse tensor cores and TensorRT's sparsity mode),
 * for compression, and for studying how much a model tolerates.
 */
package dev.lathe.prune.unstructured;
