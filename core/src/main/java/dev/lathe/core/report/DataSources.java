package dev.lathe.core.report;

import java.util.Optional;

/**
 * Where the samples behind a report came from, so that every figure says what it was measured on.
 *
 * @param calibration what data-aware passes calibrated on; empty when no pass read calibration data
 * @param validation  what the optimized model was judged on
 */
public record DataSources(Optional<Source> calibration, Source validation) {

    /**
     * One set of samples.
     *
     * @param description a file or folder with a count, or "generated (...)"
     * @param samples     how many samples were used
     * @param generated   whether they were generated rather than real data
     */
    public record Source(String description, int samples, boolean generated) {
    }

    /** Whether fidelity was measured on generated inputs rather than real data. */
    public boolean validationGenerated() {
        return validation.generated();
    }
}
