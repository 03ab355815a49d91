package dev.lathe.core.pipeline;

import dev.lathe.core.model.OnnxModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a pass produced: the new model and the details it wants reported (counts, choices, skipped nodes
 * and why). Detail values should be JSON-friendly: numbers, strings, booleans, lists and maps of those.
 *
 * @param model   the transformed model
 * @param details what to report, in order
 */
public record PassResult(OnnxModel model, Map<String, Object> details) {

    /** Copies the details, keeping their order. */
    public PassResult {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
