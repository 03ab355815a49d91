/**
 * Finding the weights optimization passes change: nodes whose weight input is a constant matrix, in every
 * graph of a model ({@link dev.lathe.core.weights.WeightedNodes}), and the user's selection of them
 * ({@link dev.lathe.core.weights.NodeFilter}). Shared by quantization and pruning.
 */
package dev.lathe.core.weights;
