/**
 * Quantization passes and what they share: which nodes to quantize ({@link dev.lathe.quantize.NodeFilter},
 * {@link dev.lathe.quantize.WeightedNodes}) and the arithmetic of quantizing weights
 * ({@link dev.lathe.quantize.WeightQuantizer}). The passes live in sub-packages, one per method.
 */
package dev.lathe.quantize;
