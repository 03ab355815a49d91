package dev.lathe.core;

/** An optimization pass could not transform a model. The message names the pass and, where known, the node. */
public class PassFailedException extends LatheException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names the pass and the problem. */
    public PassFailedException(String message) {
        super(message);
    }

    /** Creates an exception whose message names the pass and the problem, with its cause. */
    public PassFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
