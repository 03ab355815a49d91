/**
 * Lathe's core: the checked exceptions every module throws ({@link dev.lathe.core.LatheException} and its
 * subclasses for invalid models, failed passes, unavailable providers and runtime failures) and the Lathe
 * version. The subpackages hold the ONNX model IR ({@code model}), input samples ({@code data}), the
 * calibration service ({@code calibration}), the static footprint ({@code footprint}), ONNX Runtime access
 * ({@code runtime}), tasks and their metrics ({@code task}), the pipeline ({@code pipeline}) and reports
 * ({@code report}), models of other frameworks ({@code conversion}).
 *
 * <p><b>Thread safety.</b> Safe to share between threads: {@code OnnxModel}, {@code Footprint}, reports
 * and the other records (immutable); a built {@code Pipeline} and {@code Optimizer} (immutable; concurrent
 * {@code run}s are independent, tested by {@code ConcurrentPipelinesTest}); passes made by the
 * {@code PassRegistry} (they keep no state between runs); {@code ProviderCatalog} and
 * {@code ProviderSelector}. Not to be shared: {@code ModelSession} (one caller at a time; open one per
 * thread), {@code ModelEditor} and {@code GraphEditor} (mutable builders), builders in general, and
 * {@code SampleSource}s that read files or tokenize as they iterate. An {@code ImportedModel} serializes its
 * own conversion but holds one native session of the original's runtime.
 */
package dev.lathe.core;
