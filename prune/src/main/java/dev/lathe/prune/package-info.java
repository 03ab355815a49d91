/**
 * Pruning passes. {@link dev.lathe.prune.unstructured} zeroes weights (magnitude or Wanda importance,
 * unstructured or N:M): smaller once compressed, not faster on ONNX Runtime's CPU kernels.
 * {@link dev.lathe.prune.structured} removes whole FFN neurons and convolution channels with everything
 * tied to them, so tensors and MACs really shrink.
 */
package dev.lathe.prune;
