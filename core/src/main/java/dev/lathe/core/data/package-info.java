/**
 * Input samples for calibration and validation: a re-iterable, lazily read {@link
 * dev.lathe.core.data.SampleSource} of maps from input name to tensor, with sources from NumPy files
 * ({@link dev.lathe.core.data.NpySamples}), any Java {@code Iterable}, or generated values ({@link
 * dev.lathe.core.data.GeneratedSamples}, marked as such); a deterministic calibration/validation split
 * ({@link dev.lathe.core.data.DataSplit}); and the shapes of representative samples. Text, images and
 * audio become samples in the {@code lathe-djl} module.
 */
package dev.lathe.core.data;
