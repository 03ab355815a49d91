package dev.lathe.core;

/**
 * The checked base of every error Lathe reports about its input: a model it cannot read, a pass that
 * fails, a runtime that cannot run. Messages name the file, node or option concerned.
 */
public class LatheException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that names what went wrong and where. */
    public LatheException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public LatheException(String message, Throwable cause) {
        super(message, cause);
    }
}
