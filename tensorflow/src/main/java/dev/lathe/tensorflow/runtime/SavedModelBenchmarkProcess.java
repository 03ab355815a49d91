package dev.lathe.tensorflow.runtime;

import dev.lathe.core.LatheException;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.ForkedBenchmark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;

/** The child JVM of a forked {@link SavedModelBenchmark}: loads the SavedModel, measures it, answers. */
public final class SavedModelBenchmarkProcess {
    private SavedModelBenchmarkProcess() {
    }

    /** Child entry point: {@code SavedModelBenchmarkProcess FOLDER}; exits 0 after answering, 1 on failure. */
    public static void main(String[] args) {
        try {
            Path folder = Path.of(args[0]);
            ForkedBenchmark.Request request = ForkedBenchmark.request(folder);
            Properties properties = request.properties();
            BenchmarkOptions options = new BenchmarkOptions(Integer.parseInt(properties.getProperty("warmup")),
                    Integer.parseInt(properties.getProperty("runs")), BenchmarkOptions.MemoryMeasurement.FORKED, false);
            SavedModelBenchmark.Measurement measurement = SavedModelBenchmark.measure(
                    Path.of(properties.getProperty("model")), properties.getProperty("signature"),
                    Integer.parseInt(properties.getProperty("threads")), request.inputs(), options);
            ForkedBenchmark.answer(folder, measurement.result(), measurement.runMillis());
            System.exit(0);
        } catch (LatheException | IOException | RuntimeException e) {
            System.err.println("lathe TensorFlow benchmark child: " + e.getMessage());
            System.exit(1);
        }
    }
}
