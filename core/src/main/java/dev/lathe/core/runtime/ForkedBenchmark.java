package dev.lathe.core.runtime;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.files.StaleFiles;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A benchmark measured in a child JVM, so that the caller's heap does not pollute the memory figure; the
 * same protocol for every runtime (ONNX Runtime here, TensorFlow Java in {@code lathe-tensorflow}). The
 * parent writes the inputs as {@code .npy} files and a {@code request.properties} into a temporary folder
 * and starts {@code java -Xmx<caller's> CHILD_MAIN FOLDER} with the caller's class path, waiting at most
 * {@link #TIMEOUT}; the child reads them with {@link #request},
 * measures, and answers with {@link #answer}.
 */
public final class ForkedBenchmark {
    private static final String REQUEST = "request.properties";
    private static final String RESULT = "result.properties";
    private static final String FOLDER_PREFIX = "lathe-bench";
    /** The longest a child may take: far beyond any sane benchmark, short of waiting forever. */
    static final Duration TIMEOUT = Duration.ofMinutes(30);

    private ForkedBenchmark() {
    }

    /** Writes files the child needs (a model) into the request folder and names them in the request. */
    @FunctionalInterface
    public interface FolderSetup {
        /** Prepares {@code folder}; may add entries to {@code request}. */
        void prepare(Path folder, Properties request) throws IOException, LatheException;
    }

    /** What the child reads: the request's properties and the inputs by name. */
    public record Request(Properties properties, Map<String, TensorData> inputs) {
    }

    /**
     * Runs {@code childMain} in a child JVM on a request and inputs and returns its result, labelled with
     * {@code provider}.
     *
     * @param source names the model in error messages
     * @throws RuntimeFailureException if the child fails or cannot be started
     */
    public static BenchmarkResult run(Class<?> childMain, Properties request, Map<String, TensorData> inputs,
            FolderSetup setup, String provider, String source) throws LatheException {
        Path folder = null;
        try {
            folder = Files.createTempDirectory(FOLDER_PREFIX);
            removeStaleFolders(folder.getParent());
            Properties full = new Properties();
            full.putAll(request);
            setup.prepare(folder, full);
            int i = 0;
            for (Map.Entry<String, TensorData> input : inputs.entrySet()) {
                full.setProperty("input." + i, input.getKey());
                NpyFiles.write(input.getValue(), folder.resolve("input-" + i + ".npy"));
                i++;
            }
            full.setProperty("inputs", Integer.toString(i));
            try (Writer writer = Files.newBufferedWriter(folder.resolve(REQUEST))) {
                full.store(writer, "lathe benchmark request");
            }
            Path log = folder.resolve("child.log");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // The class path goes in the environment, not on the command line: ONNX Runtime 1.29 crashes
            // (SIGSEGV while creating its environment) in a JVM whose command line is longer than about 4 KB,
            // which a test or application class path easily is.
            ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(),
                    "-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m", childMain.getName(), folder.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            Process child = builder.start();
            int exit;
            try {
                if (!child.waitFor(TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
                    child.destroyForcibly();
                    throw new RuntimeFailureException(source + ": the benchmark child JVM did not finish within "
                            + TIMEOUT.toMinutes() + " minutes and was stopped: " + tail(log), null);
                }
                exit = child.exitValue();
            } catch (InterruptedException e) {
                child.destroyForcibly();
                throw e;
            }
            if (exit != 0 || !Files.exists(folder.resolve(RESULT))) {
                throw new RuntimeFailureException(source + ": the benchmark child JVM failed (exit " + exit + "): "
                        + tail(log), null);
            }
            Properties answer = load(folder.resolve(RESULT));
            double[] millis = Arrays.stream(answer.getProperty("runMillis").split(",")).mapToDouble(Double::parseDouble)
                    .toArray();
            Map<String, Double> byOpType = new LinkedHashMap<>();
            for (int op = 0; op < Integer.parseInt(answer.getProperty("ops")); op++) {
                byOpType.put(answer.getProperty("op." + op + ".name"), Double.parseDouble(answer.getProperty("op." + op + ".ms")));
            }
            return BenchmarkResult.ofRuns(provider, Double.parseDouble(answer.getProperty("sessionInitMs")), millis,
                    Long.parseLong(answer.getProperty("peakMemoryBytes")), answer.getProperty("memoryMethod"), byOpType);
        } catch (IOException e) {
            throw new RuntimeFailureException(source + ": cannot run the benchmark child JVM: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException(source + ": interrupted while benchmarking", e);
        } finally {
            if (folder != null) {
                TempFolders.delete(folder);
            }
        }
    }

    /**
     * Deletes request folders ({@code lathe-bench*} holding a {@code request.properties}) that a benchmark
     * killed with its parent left in the temporary directory ({@link StaleFiles}).
     */
    static void removeStaleFolders(Path temporaryDirectory) {
        StaleFiles.remove(temporaryDirectory, entry -> entry.getFileName().toString().startsWith(FOLDER_PREFIX)
                && Files.isRegularFile(entry.resolve(REQUEST)), "a benchmark folder");
    }

    /** Child side: the request in {@code folder} (an unreadable input file is a {@link LatheException}). */
    public static Request request(Path folder) throws IOException, LatheException {
        Properties request = load(folder.resolve(REQUEST));
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        int count = Integer.parseInt(request.getProperty("inputs"));
        for (int i = 0; i < count; i++) {
            inputs.put(request.getProperty("input." + i),
                    NpyFiles.read(folder.resolve("input-" + i + ".npy")).values().iterator().next());
        }
        return new Request(request, inputs);
    }

    /** Child side: writes the result and the individual run times it summarizes into {@code folder}. */
    public static void answer(Path folder, BenchmarkResult result, double[] runMillis) throws IOException {
        Properties answer = new Properties();
        answer.setProperty("sessionInitMs", Double.toString(result.sessionInitMs()));
        answer.setProperty("runMillis", Arrays.stream(runMillis).mapToObj(Double::toString).collect(Collectors.joining(",")));
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
