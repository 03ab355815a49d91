package dev.lathe.core.pipeline;

/**
 * Hears about long work (steps, calibration, validation, benchmarking), so that a command line can show a
 * progress bar and a service can log. Calls come from the thread running the pipeline.
 */
public interface ProgressListener {

    /** A task starts; {@code total} units of work, or -1 when unknown. */
    void started(String task, long total);

    /** {@code done} of {@code total} units of a task are finished. */
    void progressed(String task, long done, long total);

    /** A task is finished. */
    void finished(String task);

    /** A listener that ignores everything. */
    static ProgressListener none() {
        return new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(String task, long done, long total) {
            }

            @Override
            public void finished(String task) {
            }
        };
    }
}
