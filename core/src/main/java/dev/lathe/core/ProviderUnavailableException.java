package dev.lathe.core;

/**
 * An execution provider was required but cannot be used here: it is not in this ONNX Runtime build, or
 * its native libraries (CUDA, cuDNN, TensorRT, ...) are missing. The message names the provider and why.
 */
public class ProviderUnavailableException extends LatheException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names the provider and the reason it is unavailable. */
    public ProviderUnavailableException(String message) {
        super(message);
    }
}
