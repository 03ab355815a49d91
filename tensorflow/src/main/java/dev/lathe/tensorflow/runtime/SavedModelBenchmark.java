package dev.lathe.tensorflow.runtime;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.ForkedBenchmark;
import dev.lathe.core.runtime.PeakMemory;
import dev.lathe.tensorflow.SavedModel;
import dev.lathe.tensorflow.SignatureInfo;
import dev.lathe.tensorflow.TensorSpec;
import dev.lathe.tensorflow.TfTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Measures a SavedModel signature in TensorFlow Java the way {@link dev.lathe.core.runtime.Benchmark}
 * measures an ONNX model: load time (the session's init), latency of timed runs after warm-up,
 * throughput and peak resident memory, in this process or in a child JVM ({@link ForkedBenchmark}) as the
 * options say, with the same
 * {@link BenchmarkResult}. Inputs are made into TensorFlow tensors once, before timing, as ONNX Runtime's
 * are. Per-op profiles are not collected for TensorFlow.
 */
public final class SavedModelBenchmark {
    private SavedModelBenchmark() {
    }

    /**
     * Benchmarks a signature of the SavedModel in {@code directory}.
     *
     * @param threads intra- and inter-op threads; 0 for TensorFlow's default (one per core)
     * @throws LatheException if TensorFlow cannot load or run the model, or the child JVM fails
     */
    public static BenchmarkResult run(Path directory, String signatureKey, int threads, Map<String, TensorData> inputs,
            BenchmarkOptions options) throws LatheException {
        if (options.memory() == BenchmarkOptions.MemoryMeasurement.FORKED) {
            Properties request = new Properties();
            request.setProperty("model", directory.toAbsolutePath().toString());
            request.setProperty("signature", signatureKey);
            request.setProperty("threads", Integer.toString(threads));
            request.setProperty("warmup", Integer.toString(options.warmupRuns()));
            request.setProperty("runs", Integer.toString(options.timedRuns()));
            return ForkedBenchmark.run(SavedModelBenchmarkProcess.class, request, inputs, (folder, full) -> {
            }, describe(threads), directory.toString());
        }
        return measure(directory, signatureKey, threads, inputs, options).result();
    }

    /** What TensorFlow Java runs on, as a benchmark's provider: {@code tensorflow-java cpu (1 thread)}. */
    public static String describe(int threads) {
        return "tensorflow-java cpu" + (threads > 0 ? " (" + threads + (threads == 1 ? " thread)" : " threads)") : "");
    }

    /** A result with the individual run times it summarizes. */
    record Measurement(BenchmarkResult result, double[] runMillis) {
    }

    /** Measures in this process. */
    static Measurement measure(Path directory, String signatureKey, int threads, Map<String, TensorData> inputs,
            BenchmarkOptions options) throws LatheException {
        boolean trackMemory = options.memory() != BenchmarkOptions.MemoryMeasurement.NONE && PeakMemory.reset();
        long start = System.nanoTime();
        try (SavedModel model = SavedModel.load(directory, threads)) {
            double initMillis = (System.nanoTime() - start) / 1e6;
            SignatureInfo signature = model.signature(signatureKey);
            List<Tensor> feeds = new ArrayList<>();
            try {
                for (TensorSpec input : signature.inputs()) {
                    TensorData value = inputs.get(input.name());
                    if (value == null) {
                        throw new IllegalArgumentException(directory + ": no value for input '" + input.name()
                                + "' of signature " + signatureKey + "; given " + inputs.keySet());
                    }
                    feeds.add(TfTensors.toTensor(value));
                }
                for (int i = 0; i < options.warmupRuns(); i++) {
                    runOnce(model.session(), signature, feeds);
                }
                double[] millis = new double[options.timedRuns()];
                for (int i = 0; i < millis.length; i++) {
                    long t = System.nanoTime();
                    runOnce(model.session(), signature, feeds);
                    millis[i] = (System.nanoTime() - t) / 1e6;
                }
                long peak = trackMemory ? PeakMemory.peakBytes() : -1;
                String method = trackMemory ? options.memory().label() : BenchmarkOptions.MemoryMeasurement.NONE.label();
                return new Measurement(BenchmarkResult.ofRuns(describe(threads), initMillis, millis, peak, method, Map.of()),
                        millis);
            } finally {
                feeds.forEach(Tensor::close);
            }
        } catch (TensorFlowException e) {
            throw new RuntimeFailureException(directory + ": TensorFlow failed to run signature " + signatureKey + ": "
                    + e.getMessage(), e);
        }
    }

    private static void runOnce(Session session, SignatureInfo signature, List<Tensor> feeds) {
        Session.Runner runner = session.runner();
        for (int i = 0; i < feeds.size(); i++) {
            runner.feed(signature.inputs().get(i).tensorName(), feeds.get(i));
        }
        signature.outputs().forEach(output -> runner.fetch(output.tensorName()));
        try (Result result = runner.run()) {
            // Only timing matters.
        }
    }
}
