package dev.lathe.core.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import dev.lathe.core.InferenceFailureException;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ModelPrecision;
import dev.lathe.core.provider.ProviderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX Runtime session on a Lathe model, owning its {@code SessionOptions} and {@code OrtSession}:
 * closing it closes the session first, then the options, and closing twice is harmless. The
 * process-wide {@code OrtEnvironment} is never closed. {@code OrtException} is translated to
 * {@link RuntimeFailureException} here, at the runtime boundary.
 */
public final class ModelSession implements AutoCloseable {
    /** Models with more bytes of weights than this are handed to ONNX Runtime as files, not as a byte array. */
    private static final long IN_MEMORY_LIMIT = 64L << 20;

    private final OrtEnvironment env;
    private final SessionOptions options;
    private final OrtSession session;
    private final String source;
    private final SessionSettings settings;
    private final double initMillis;
    private boolean closed;

    private ModelSession(OrtEnvironment env, SessionOptions options, OrtSession session, String source,
            SessionSettings settings, double initMillis) {
        this.env = env;
        this.options = options;
        this.session = session;
        this.source = source;
        this.settings = settings;
        this.initMillis = initMillis;
    }

    /**
     * Opens a session on a model. The model's own file is used when it has one; otherwise small
     * self-contained models are passed as bytes, and models with external data or over {@value
     * #IN_MEMORY_LIMIT} bytes of weights are written to a temporary folder first (ONNX Runtime needs the
     * former as files; the latter would be copied whole onto the Java heap).
     *
     * @throws RuntimeFailureException if the provider cannot be added or ONNX Runtime rejects the model
     */
    public static ModelSession open(OnnxModel model, SessionSettings settings) throws RuntimeFailureException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        SessionOptions options = new SessionOptions();
        try {
            options.setOptimizationLevel(settings.optimize() ? SessionOptions.OptLevel.ALL_OPT : SessionOptions.OptLevel.NO_OPT);
            ProviderOptions.addProvider(options, settings.provider(), ModelPrecision.of(model));
            if (settings.profilingPrefix().isPresent()) {
                options.enableProfiling(settings.profilingPrefix().get().toString());
            }
            OrtSession session;
            long start;
            if (model.file().isPresent()) {
                start = System.nanoTime();
                session = env.createSession(model.file().get().toString(), options);
            } else if (model.usesExternalData() || model.tensorBytes() > IN_MEMORY_LIMIT) {
                Path folder = Files.createTempDirectory("lathe-session");
                try {
                    Path file = folder.resolve("model.onnx");
                    model.save(file, SaveOptions.external(SaveOptions.DEFAULT_THRESHOLD_BYTES));
                    start = System.nanoTime();
                    session = env.createSession(file.toString(), options);
                } finally {
                    TempFolders.delete(folder);
                }
            } else {
                byte[] bytes = model.proto().toByteArray();
                start = System.nanoTime();
                session = env.createSession(bytes, options);
            }
            double initMillis = (System.nanoTime() - start) / 1e6;
            return new ModelSession(env, options, session, model.source(), settings, initMillis);
        } catch (OrtException | IOException | InvalidModelException | RuntimeException e) {
            options.close();
            throw new RuntimeFailureException(model.source() + ": ONNX Runtime cannot load the model with "
                    + settings.provider().describe() + ": " + e.getMessage(), e);
        }
    }

    /** Milliseconds ONNX Runtime took to create the session (graph optimization and provider setup included). */
    public double sessionInitMillis() {
        return initMillis;
    }

    /** The settings the session was opened with. */
    public SessionSettings settings() {
        return settings;
    }

    /** The name of the model the session runs, for messages. */
    public String source() {
        return source;
    }

    /** Names of the session's inputs, in order. */
    public List<String> inputNames() {
        return new ArrayList<>(session.getInputNames());
    }

    /** Names of the session's outputs, in order. */
    public List<String> outputNames() {
        return new ArrayList<>(session.getOutputNames());
    }

    /**
     * Runs the model once and returns the shape of every tensor output (non-tensor outputs are skipped).
     */
    public Map<String, long[]> outputShapes(Map<String, TensorData> inputs) throws RuntimeFailureException {
        checkOpen();
        try (OrtFeed feed = OrtFeed.of(env, inputs); OrtSession.Result result = session.run(feed.tensors())) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> output : result) {
                if (output.getValue().getInfo() instanceof TensorInfo info) {
                    shapes.put(output.getKey(), info.getShape());
                }
            }
            return shapes;
        } catch (OrtException e) {
            throw new InferenceFailureException(source + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the model once and returns every tensor output as Lathe tensor data (copied off ONNX
     * Runtime's buffers).
     */
    public Map<String, TensorData> run(Map<String, TensorData> inputs) throws RuntimeFailureException {
        checkOpen();
        try (OrtFeed feed = OrtFeed.of(env, inputs); OrtSession.Result result = session.run(feed.tensors())) {
            Map<String, TensorData> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> output : result) {
                if (output.getValue() instanceof OnnxTensor tensor) {
                    outputs.put(output.getKey(), OrtTensors.fromOrt(tensor));
                }
            }
            return outputs;
        } catch (OrtException e) {
            throw new InferenceFailureException(source + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        }
    }

    /**
     * Stops profiling and returns the profile file ONNX Runtime wrote (JSON, Chrome trace format).
     *
     * @throws IllegalStateException if the session was not opened with profiling
     */
    public Path endProfiling() throws RuntimeFailureException {
        checkOpen();
        if (settings.profilingPrefix().isEmpty()) {
            throw new IllegalStateException("session on " + source + " was opened without profiling");
        }
        try {
            return Path.of(session.endProfiling());
        } catch (OrtException e) {
            throw new RuntimeFailureException(source + ": ONNX Runtime could not end profiling: " + e.getMessage(), e);
        }
    }

    /** The underlying ONNX Runtime session, for timing loops in this package. */
    OrtSession ortSession() {
        checkOpen();
        return session;
    }

    OrtEnvironment environment() {
        return env;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session on " + source + " is closed");
        }
    }

    /** Closes the session, then its options; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            org.slf4j.LoggerFactory.getLogger(ModelSession.class).warn("closing session on {}: {}", source, e.getMessage());
        } finally {
            options.close();
        }
    }
}
