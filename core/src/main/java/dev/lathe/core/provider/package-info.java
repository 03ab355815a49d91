/**
 * Execution providers: what exists ({@link dev.lathe.core.provider.Provider}), what this machine can load
 * ({@link dev.lathe.core.provider.ProviderCatalog}), each provider's typed settings
 * ({@link dev.lathe.core.provider.ProviderConfig}, parsed by {@link dev.lathe.core.provider.ProviderSpecs}) and
 * how they become ONNX Runtime session options ({@link dev.lathe.core.provider.ProviderOptions}). Also the CPU's
 * instruction-set features that decide integer kernels ({@link dev.lathe.core.provider.CpuFeatures}).
 */
package dev.lathe.core.provider;
