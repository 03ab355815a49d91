/**
 * Quantization passes and the arithmetic they share ({@link dev.lathe.quantize.WeightQuantizer}). The passes
 * live in sub-packages, one per method; which nodes they change is chosen with
 * {@link dev.lathe.core.weights.NodeFilter} and {@link dev.lathe.core.weights.WeightedNodes}.
 */
package dev.lathe.quantize;
