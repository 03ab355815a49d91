package dev.lathe.core.report;

import dev.lathe.core.footprint.Footprint;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pipeline step as it ran: which pass, with which options, how long, how it ended, what the pass
 * reported, and the static footprint after it (so the change each step caused can be traced).
 *
 * @param name       the pass name ("cleanup", "quantize.int8", ...)
 * @param config     the pass options as given
 * @param durationMs wall time of the step
 * @param status     how the step ended
 * @param details    what the pass chose to report (counts, skipped nodes, reasons)
 * @param after      the static footprint of the model the step produced; null if it failed or was not taken
 */
public record StepRecord(String name, Map<String, String> config, double durationMs, Status status,
        Map<String, Object> details, Footprint after) {

    /** How a step ended. */
    public enum Status {
        /** The pass produced a new model. */
        OK,
        /** The pass threw; the pipeline stopped. */
        FAILED
    }

    /** Copies the maps, keeping their order. */
    public StepRecord {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
