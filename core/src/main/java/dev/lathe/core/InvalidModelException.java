package dev.lathe.core;

/**
 * A model file (or bytes) that is not a valid ONNX model: corrupt or truncated protobuf, an unknown
 * data type, a node reading an undefined value, external data that is missing, too short or outside
 * the model's folder. The message names the source and the problem.
 */
public class InvalidModelException extends LatheException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names the source and the problem. */
    public InvalidModelException(String message) {
        super(message);
    }

    /** Creates an exception whose message names the source and the problem, with its cause. */
    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
