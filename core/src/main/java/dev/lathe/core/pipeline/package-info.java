/**
 * Optimization passes and how they are run: {@link dev.lathe.core.pipeline.Pass} and its
 * {@link dev.lathe.core.pipeline.PassFactory} (found by name through {@link dev.lathe.core.pipeline.PassRegistry}),
 * what a pass gets ({@link dev.lathe.core.pipeline.PassContext}: shapes, calibration data and statistics,
 * the provider), the {@link dev.lathe.core.pipeline.Optimizer} that applies passes in memory with provenance,
 * and the {@link dev.lathe.core.pipeline.Pipeline} around it that validates with a
 * {@link dev.lathe.core.pipeline.ValidationGate}, measures and writes.
 */
package dev.lathe.core.pipeline;
