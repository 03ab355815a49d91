package dev.lathe.core;

/**
 * ONNX Runtime could not create a session for, or run, a model. The message names the model and carries
 * ONNX Runtime's own explanation.
 */
public class RuntimeFailureException extends LatheException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names the model and the runtime's explanation. */
    public RuntimeFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
