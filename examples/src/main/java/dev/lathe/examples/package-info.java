/**
 * Small runnable programs that use Lathe as a library: inspecting a model's footprint, optimizing a model
 * on real data with the pipeline, and serving an optimized sentence embedder through DJL.
 */
package dev.lathe.examples;
