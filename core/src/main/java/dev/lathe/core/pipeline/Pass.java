package dev.lathe.core.pipeline;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import java.util.Map;

/**
 * One optimization step: a named, configured transformation from one model to a new one. A pass never
 * changes its input model, and opens ONNX Runtime sessions (for calibration, folding) only through
 * {@code dev.lathe.core.runtime}. The same input and options must give a byte-identical output.
 */
public interface Pass {

    /** The registered name, such as {@code cleanup} or {@code quantize.int8}. */
    String name();

    /** The options this pass was configured with, for reports and provenance (ordered, as given). */
    Map<String, String> options();

    /**
     * Transforms a model.
     *
     * @throws LatheException (typically {@link dev.lathe.core.PassFailedException}) naming the pass and
     *                        node when the model cannot be transformed
     */
    PassResult apply(OnnxModel model, PassContext context) throws LatheException;
}
