package dev.lathe.core.model;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How {@link OnnxModel#save(java.nio.file.Path, SaveOptions)} lays out weights: all in the .onnx file, or
 * initializers at or above a size threshold in one external data file beside it.
 *
 * @param externalData    whether to write external data: {@code null} decides automatically (external when
 *                        the model already used external data or its weights would not fit the 2 GiB
 *                        protobuf limit)
 * @param thresholdBytes  initializers of at least this many bytes go to the external file (int32/int64
 *                        tensors under {@link #DEFAULT_THRESHOLD_BYTES} always stay inline: ONNX Runtime
 *                        reads such shape constants while loading and cannot take them from a file)
 * @param dataFileName    the external file's name in the model's folder; empty means
 *                        {@code <model file name>.data}
 */
public record SaveOptions(Boolean externalData, long thresholdBytes, Optional<String> dataFileName) {

    /** Weights smaller than this stay inline when writing external data (as ONNX's own tooling does). */
    public static final long DEFAULT_THRESHOLD_BYTES = 1024;

    /** Validates the options. */
    public SaveOptions {
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("thresholdBytes must be >= 0, got " + thresholdBytes);
        }
        dataFileName.ifPresent(name -> {
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("dataFileName must be a plain file name, got '" + name + "'");
            }
        });
    }

    /** Automatic layout, default threshold, default data file name. */
    public static SaveOptions defaults() {
        return new SaveOptions(null, DEFAULT_THRESHOLD_BYTES, Optional.empty());
    }

    /** Everything in the .onnx file (fails for weights over the 2 GiB protobuf limit). */
    public static SaveOptions embedded() {
        return new SaveOptions(false, DEFAULT_THRESHOLD_BYTES, Optional.empty());
    }

    /** Initializers of at least {@code thresholdBytes} bytes in an external data file. */
    public static SaveOptions external(long thresholdBytes) {
        return new SaveOptions(true, thresholdBytes, Optional.empty());
    }

    /** Where a model saved to {@code modelFile} puts its external data: this name, or {@code <model file name>.data}. */
    public Path dataFileFor(Path modelFile) {
        Path target = modelFile.toAbsolutePath().normalize();
        return target.resolveSibling(dataFileName.orElse(target.getFileName() + ".data"));
    }

    /** These options with another external data file name. */
    public SaveOptions withDataFileName(String name) {
        return new SaveOptions(externalData, thresholdBytes, Optional.of(name));
    }
}
