package dev.lathe.cli;

import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkOptions.MemoryMeasurement;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options of a benchmark that every measuring command shares: warm-up runs ({@code --warmup}) and how
 * peak memory is measured ({@code --memory}). The number of timed runs is each command's own option, as
 * its default differs.
 */
final class MeasurementOptions {

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "10",
            description = "Untimed runs before the timed ones (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--memory", paramLabel = "forked|in-process|none", defaultValue = "forked",
            converter = MemoryConverter.class,
            description = "How peak resident memory is measured: in a fresh child JVM that also takes the timings "
                    + "(forked), in this process (in-process), or not at all (none). Default: ${DEFAULT-VALUE}.")
    private MemoryMeasurement memory;

    /** The benchmark options for this many timed runs, without profiling. */
    BenchmarkOptions options(int runs) {
        return new BenchmarkOptions(warmup, runs, memory, false);
    }

    /** Parses {@code --memory}; the message names the value and the valid ones. */
    static final class MemoryConverter implements ITypeConverter<MemoryMeasurement> {
        @Override
        public MemoryMeasurement convert(String value) {
            return Arrays.stream(MemoryMeasurement.values()).filter(m -> m.label().equals(value)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not one of "
                            + Arrays.stream(MemoryMeasurement.values()).map(MemoryMeasurement::label)
                                    .collect(Collectors.joining(", "))));
        }
    }
}
