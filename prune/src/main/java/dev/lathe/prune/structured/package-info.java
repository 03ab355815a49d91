/**
 * Structured pruning ({@code prune.structured}): whole feed-forward neurons and convolution channels are
 * removed, so that weights, activations and MACs shrink; {@link dev.lathe.prune.structured.StructuredPruning}
 * is the pass. {@code ChannelGroups} finds the channels tied together through a graph, {@code UnitImportance}
 * ranks them, {@code GroupAllocation} decides which groups to prune, {@code PrunedModelBuilder} rewrites the
 * graph through {@code GraphSurgery} and corrects consumers with {@code LeastSquaresRefit} on statistics
 * from the calibration service ({@code PassContext.statistics}).
 */
package dev.lathe.prune.structured;
