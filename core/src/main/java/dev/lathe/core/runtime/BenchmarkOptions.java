package dev.lathe.core.runtime;

/**
 * How to benchmark a model.
 *
 * @param warmupRuns runs before timing starts (the first runs allocate and tune)
 * @param timedRuns  runs that are timed
 * @param memory     how to measure peak resident memory
 * @param profile    whether to collect ONNX Runtime's per-node profile and sum it by op type
 */
public record BenchmarkOptions(int warmupRuns, int timedRuns, MemoryMeasurement memory, boolean profile) {

    /** Where peak memory is measured. */
    public enum MemoryMeasurement {
        /**
         * In a fresh child JVM that only loads and runs the model, so the caller's heap and earlier work do
         * not count (the CLI's default). Timing is taken in the child too. The child is started as
         * {@code java} from this JVM's home with this JVM's class path and heap limit, so it needs a plain
         * class path: not for Spring Boot fat jars, jlink images or application servers.
         */
        FORKED,
        /**
         * In this process, after resetting the kernel's peak-RSS counter (Linux): the library's default,
         * since it works wherever Lathe is embedded; the figure includes what the process already holds.
         */
        IN_PROCESS,
        /** Not measured. */
        NONE;

        /**
         * The name results, reports and the CLI use: {@code forked}, {@code in-process} or {@code none}
         * ({@link BenchmarkResult#memoryMethod()}).
         */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Validates the counts. */
    public BenchmarkOptions {
        if (warmupRuns < 0 || timedRuns < 1) {
            throw new IllegalArgumentException("warmup runs must be >= 0 and timed runs >= 1, got " + warmupRuns
                    + " and " + timedRuns);
        }
    }

    /** 10 warm-up runs, 100 timed runs, memory measured in this process, no profiling. */
    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(10, 100, MemoryMeasurement.IN_PROCESS, false);
    }

    /** These options with other run counts. */
    public BenchmarkOptions withRuns(int warmup, int timed) {
        return new BenchmarkOptions(warmup, timed, memory, profile);
    }

    /** These options with another memory measurement. */
    public BenchmarkOptions withMemory(MemoryMeasurement measurement) {
        return new BenchmarkOptions(warmupRuns, timedRuns, measurement, profile);
    }

    /** These options with profiling on or off. */
    public BenchmarkOptions withProfile(boolean on) {
        return new BenchmarkOptions(warmupRuns, timedRuns, memory, on);
    }
}
