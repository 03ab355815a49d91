package dev.lathe.core.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.InferenceFailureException;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Measures a model on a provider: session creation time, latency of timed runs after warm-up,
 * throughput, peak resident memory and, optionally, ONNX Runtime's per-op-type time: in this process by
 * default ({@link BenchmarkOptions#defaults()}), which works wherever Lathe is embedded, or in a child JVM
 * ({@link BenchmarkOptions.MemoryMeasurement#FORKED}, the CLI's default; {@link BenchmarkProcess}) so that
 * the caller's heap does not pollute the memory figure.
 */
public final class Benchmark {
    private Benchmark() {
    }

    /**
     * Benchmarks a model with the given inputs.
     *
     * @throws RuntimeFailureException if ONNX Runtime cannot load or run the model, or the child JVM fails
     */
    public static BenchmarkResult run(OnnxModel model, SessionSettings settings, Map<String, TensorData> inputs,
            BenchmarkOptions options) throws LatheException {
        if (options.memory() == BenchmarkOptions.MemoryMeasurement.FORKED) {
            return BenchmarkProcess.runForked(model, settings, inputs, options);
        }
        return measure(model, settings, inputs, options).result();
    }

    /** A result together with the individual run times it summarizes. */
    record Measurement(BenchmarkResult result, double[] runMillis) {
    }

    /** Runs the measurement in this process. */
    static Measurement measure(OnnxModel model, SessionSettings settings, Map<String, TensorData> inputs,
            BenchmarkOptions options) throws LatheException {
        boolean trackMemory = options.memory() != BenchmarkOptions.MemoryMeasurement.NONE && PeakMemory.reset();
        Path profileFolder = null;
        SessionSettings effective = settings;
        try {
            if (options.profile()) {
                profileFolder = Files.createTempDirectory("lathe-profile");
                effective = settings.withProfiling(profileFolder.resolve("profile"));
            }
            try (ModelSession session = ModelSession.open(model, effective)) {
                double[] millis = time(session, inputs, options);
                Map<String, Double> byOpType = options.profile()
                        ? timeByOpType(session.endProfiling(), options.warmupRuns() + options.timedRuns()) : Map.of();
                long peak = trackMemory ? PeakMemory.peakBytes() : -1;
                String method = trackMemory ? options.memory().label() : BenchmarkOptions.MemoryMeasurement.NONE.label();
                return new Measurement(BenchmarkResult.ofRuns(settings.provider().describe(), session.sessionInitMillis(),
                        millis, peak, method, byOpType), millis);
            }
        } catch (IOException e) {
            throw new RuntimeFailureException(model.source() + ": cannot write ONNX Runtime's profile: " + e.getMessage(), e);
        } finally {
            if (profileFolder != null) {
                TempFolders.delete(profileFolder);
            }
        }
    }

    /** Warm-up runs, then timed runs; returns the timed runs' milliseconds. */
    static double[] time(ModelSession session, Map<String, TensorData> inputs, BenchmarkOptions options)
            throws RuntimeFailureException {
        OrtSession ort = session.ortSession();
        try (OrtFeed feed = OrtFeed.of(session.environment(), inputs)) {
            for (int i = 0; i < options.warmupRuns(); i++) {
                try (OrtSession.Result result = ort.run(feed.tensors())) {
                    // Only timing matters.
                }
            }
            double[] millis = new double[options.timedRuns()];
            for (int i = 0; i < millis.length; i++) {
                long start = System.nanoTime();
                try (OrtSession.Result result = ort.run(feed.tensors())) {
                    millis[i] = (System.nanoTime() - start) / 1e6;
                }
            }
            return millis;
        } catch (OrtException e) {
            throw new InferenceFailureException(session.source() + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        }
    }

    /**
     * Sums the kernel times of ONNX Runtime's profile (Chrome trace JSON) by op type, as mean
     * milliseconds per run, slowest first.
     */
    static Map<String, Double> timeByOpType(Path profile, int runs) throws InvalidModelException {
        Map<String, Double> micros = new TreeMap<>();
        try {
            JsonNode events = new ObjectMapper().readTree(profile.toFile());
            for (JsonNode event : events) {
                if ("Node".equals(event.path("cat").asText()) && event.path("name").asText().endsWith("_kernel_time")) {
                    micros.merge(event.path("args").path("op_name").asText("?"), event.path("dur").asDouble(), Double::sum);
                }
            }
        } catch (IOException e) {
            throw new InvalidModelException(profile + ": cannot read ONNX Runtime's profile: " + e.getMessage(), e);
        }
        return micros.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() / 1000.0 / runs, (a, b) -> a, LinkedHashMap::new));
    }
}
