package dev.lathe.core;

/**
 * ONNX Runtime loaded a model but failed to run it on the inputs it was given: most often shapes the model
 * cannot take (two branches that no longer line up, a reshape that does not divide) or values out of range
 * (a token id past the vocabulary). The message names the model and carries ONNX Runtime's explanation,
 * which names the node.
 */
public class InferenceFailureException extends RuntimeFailureException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names the model and the runtime's explanation. */
    public InferenceFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
