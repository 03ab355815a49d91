/**
 * Lathe's core: the checked exceptions every module throws ({@link dev.lathe.core.LatheException} and its
 * subclasses for invalid models, failed passes, unavailable providers and runtime failures) and the Lathe
 * version. The subpackages hold the ONNX model IR ({@code model}), input samples ({@code data}), the
 * calibration service ({@code calibration}), the static footprint ({@code footprint}), ONNX Runtime access
 * ({@code runtime}), tasks and their metrics ({@code task}), the pipeline ({@code pipeline}) and reports
 * ({@code report}).
 */
package dev.lathe.core;
