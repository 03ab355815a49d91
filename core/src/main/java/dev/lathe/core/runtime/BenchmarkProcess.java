package dev.lathe.core.runtime;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderSpecs;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The child JVM of a forked benchmark, and the parent's side of it. The parent writes the inputs as
 * {@code .npy} files and a {@code request.properties} into a temporary folder; the child loads the model,
 * measures it in a process of its own and answers in {@code result.properties}.
 */
public final class BenchmarkProcess {
    private static final String REQUEST = "request.properties";
    private static final String RESULT = "result.properties";

    private BenchmarkProcess() {
    }

    /**
     * Child entry point: {@code BenchmarkProcess FOLDER}. Exits 0 after writing the result, 1 on failure
     * (with the reason on stderr).
     */
    public static void main(String[] args) {
        try {
            Path folder = Path.of(args[0]);
            Properties request = load(folder.resolve(REQUEST));
            OnnxModel model = OnnxModel.load(Path.of(request.getProperty("model")));
            Map<String, TensorData> inputs = new LinkedHashMap<>();
            int count = Integer.parseInt(request.getProperty("inputs"));
            for (int i = 0; i < count; i++) {
                Path file = folder.resolve("input-" + i + ".npy");
                inputs.put(request.getProperty("input." + i), NpyFiles.read(file).values().iterator().next());
            }
            SessionSettings settings = new SessionSettings(ProviderSpecs.parse(request.getProperty("provider")),
                    Boolean.parseBoolean(request.getProperty("optimize")), java.util.Optional.empty());
            BenchmarkOptions options = new BenchmarkOptions(Integer.parseInt(request.getProperty("warmup")),
                    Integer.parseInt(request.getProperty("runs")), BenchmarkOptions.MemoryMeasurement.FORKED,
                    Boolean.parseBoolean(request.getProperty("profile")));
            Benchmark.Measurement measurement = Benchmark.measure(model, settings, inputs, options);
            BenchmarkResult result = measurement.result();
            double[] millis = measurement.runMillis();
            Properties answer = new Properties();
            answer.setProperty("sessionInitMs", Double.toString(result.sessionInitMs()));
            answer.setProperty("runMillis", Arrays.stream(millis).mapToObj(Double::toString).collect(Collectors.joining(",")));
            answer.setProperty("peakMemoryBytes", Long.toString(result.peakMemoryBytes()));
            answer.setProperty("memoryMethod", result.memoryMethod());
            int op = 0;
            for (Map.Entry<String, Double> entry : result.timeByOpTypeMs().entrySet()) {
                answer.setProperty("op." + op + ".name", entry.getKey());
                answer.setProperty("op." + op + ".ms", Double.toString(entry.getValue()));
                op++;
            }
            answer.setProperty("ops", Integer.toString(op));
            try (Writer writer = Files.newBufferedWriter(folder.resolve(RESULT))) {
                answer.store(writer, "lathe benchmark result");
            }
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
        Path folder = null;
        try {
            folder = Files.createTempDirectory("lathe-bench");
            Path modelFile = model.file().orElse(null);
            if (modelFile == null) {
                modelFile = folder.resolve("model.onnx");
                model.save(modelFile);
            }
            Properties request = new Properties();
            request.setProperty("model", modelFile.toAbsolutePath().toString());
            request.setProperty("provider", ProviderSpecs.format(settings.provider()));
            request.setProperty("optimize", Boolean.toString(settings.optimize()));
            request.setProperty("warmup", Integer.toString(options.warmupRuns()));
            request.setProperty("runs", Integer.toString(options.timedRuns()));
            request.setProperty("profile", Boolean.toString(options.profile()));
            int i = 0;
            for (Map.Entry<String, TensorData> input : inputs.entrySet()) {
                request.setProperty("input." + i, input.getKey());
                NpyFiles.write(input.getValue(), folder.resolve("input-" + i + ".npy"));
                i++;
            }
            request.setProperty("inputs", Integer.toString(i));
            try (Writer writer = Files.newBufferedWriter(folder.resolve(REQUEST))) {
                request.store(writer, "lathe benchmark request");
            }
            Path log = folder.resolve("child.log");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process child = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                    BenchmarkProcess.class.getName(), folder.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int exit = child.waitFor();
            if (exit != 0 || !Files.exists(folder.resolve(RESULT))) {
                throw new RuntimeFailureException(model.source() + ": the benchmark child JVM failed (exit " + exit + "): "
                        + tail(log), null);
            }
            Properties answer = load(folder.resolve(RESULT));
            double[] millis = Arrays.stream(answer.getProperty("runMillis").split(",")).mapToDouble(Double::parseDouble).toArray();
            Map<String, Double> byOpType = new LinkedHashMap<>();
            for (int op = 0; op < Integer.parseInt(answer.getProperty("ops")); op++) {
                byOpType.put(answer.getProperty("op." + op + ".name"), Double.parseDouble(answer.getProperty("op." + op + ".ms")));
            }
            double total = Arrays.stream(millis).sum();
            return new BenchmarkResult(settings.provider().describe(), Double.parseDouble(answer.getProperty("sessionInitMs")),
                    LatencyStats.of(millis), millis.length / (total / 1000.0),
                    Long.parseLong(answer.getProperty("peakMemoryBytes")), answer.getProperty("memoryMethod"), byOpType);
        } catch (IOException e) {
            throw new RuntimeFailureException(model.source() + ": cannot run the benchmark child JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException(model.source() + ": interrupted while benchmarking", e);
        } finally {
            if (folder != null) {
                TempFolders.delete(folder);
            }
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
