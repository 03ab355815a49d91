package dev.lathe.tensorflow.convert;

import dev.lathe.core.InvalidModelException;
import java.util.List;

/**
 * A graph with ops (or op attributes) the converter cannot express in ONNX. The message lists every
 * problem at once, each naming the op and the node, so one run tells the whole story; nothing is written.
 */
public final class UnsupportedOpsException extends InvalidModelException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** An exception for {@code source} listing {@code problems} (each "op Foo (node a/b): why"). */
    public UnsupportedOpsException(String source, List<String> problems) {
        super(source + ": cannot convert to ONNX; " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, naming the op and the node. */
    public List<String> problems() {
        return problems;
    }
}
