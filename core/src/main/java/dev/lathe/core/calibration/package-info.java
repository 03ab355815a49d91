/**
 * Calibration statistics: the one service that streams calibration samples through a single probe model
 * and hands data-aware passes the per-channel statistics they ask for (sums, sums of squares, largest
 * magnitudes, Gram matrices), mergeable across parts of the samples.
 */
package dev.lathe.core.calibration;
