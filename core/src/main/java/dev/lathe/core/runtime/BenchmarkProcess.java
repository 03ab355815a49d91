package dev.lathe.core.runtime;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderSpecs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The child JVM of a forked ONNX Runtime benchmark, and the parent's side of it ({@link ForkedBenchmark}
 * carries the request and the answer): the child loads the model, measures it in a process of its own and
 * answers.
 */
public final class BenchmarkProcess {
    private BenchmarkProcess() {
    }

    /**
     * Child entry point: {@code BenchmarkProcess FOLDER}. Exits 0 after writing the result, 1 on failure
     * (with the reason on stderr).
     */
    public static void main(String[] args) {
        try {
            Path folder = Path.of(args[0]);
            ForkedBenchmark.Request request = ForkedBenchmark.request(folder);
            Properties properties = request.properties();
            OnnxModel model = OnnxModel.load(Path.of(properties.getProperty("model")));
            SessionSettings settings = new SessionSettings(ProviderSpecs.parse(properties.getProperty("provider")),
                    Boolean.parseBoolean(properties.getProperty("optimize")), Optional.empty());
            BenchmarkOptions options = new BenchmarkOptions(Integer.parseInt(properties.getProperty("warmup")),
                    Integer.parseInt(properties.getProperty("runs")), BenchmarkOptions.MemoryMeasurement.FORKED,
                    Boolean.parseBoolean(properties.getProperty("profile")));
            Benchmark.Measurement measurement = Benchmark.measure(model, settings, request.inputs(), options);
            ForkedBenchmark.answer(folder, measurement.result(), measurement.runMillis());
            System.exit(0);
        } catch (LatheException | IOException | RuntimeException e) {
            System.err.println("lathe benchmark child: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Runs the benchmark in a child JVM and reads its answer. */
    static BenchmarkResult runForked(OnnxModel model, SessionSettings settings, Map<String, TensorData> inputs,
            BenchmarkOptions options) throws LatheException {
        if (settings.profilingPrefix().isPresent()) {
            throw new IllegalArgumentException("profiling is set through BenchmarkOptions.profile, not SessionSettings");
        }
        Properties request = new Properties();
        request.setProperty("provider", ProviderSpecs.format(settings.provider()));
        request.setProperty("optimize", Boolean.toString(settings.optimize()));
        request.setProperty("warmup", Integer.toString(options.warmupRuns()));
        request.setProperty("runs", Integer.toString(options.timedRuns()));
        request.setProperty("profile", Boolean.toString(options.profile()));
        return ForkedBenchmark.run(BenchmarkProcess.class, request, inputs, (folder, full) -> {
            Path modelFile = model.file().orElse(null);
            if (modelFile == null) {
                modelFile = folder.resolve("model.onnx");
                model.save(modelFile);
            }
            full.setProperty("model", modelFile.toAbsolutePath().toString());
        }, settings.provider().describe(), model.source());
    }
}
