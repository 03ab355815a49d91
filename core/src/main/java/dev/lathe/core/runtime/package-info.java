/**
 * ONNX Runtime, the only package that touches its types: sessions that own their native resources
 * ({@link dev.lathe.core.runtime.ModelSession}), execution providers and how one is chosen
 * ({@link dev.lathe.core.runtime.ProviderSelector}, {@link dev.lathe.core.runtime.ProviderPolicy}), and
 * measurement: latency, throughput and peak memory ({@link dev.lathe.core.runtime.Benchmark}, in a child JVM
 * by default) and output fidelity of one model against another ({@link dev.lathe.core.runtime.FidelityMeter}).
 */
package dev.lathe.core.runtime;
