/**
 * Running a model on ONNX Runtime and measuring it: sessions that own their native resources
 * ({@link dev.lathe.core.runtime.ModelSession}), latency, throughput and peak memory
 * ({@link dev.lathe.core.runtime.Benchmark}, in a child JVM by default) and output fidelity of one model against
 * another ({@link dev.lathe.core.runtime.FidelityMeter}). Which provider a session uses is configured in
 * {@link dev.lathe.core.provider} and chosen in {@link dev.lathe.core.selection}.
 */
package dev.lathe.core.runtime;
