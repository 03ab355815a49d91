package dev.lathe.core.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An ONNX Runtime session on a Lathe model, owning its {@code SessionOptions} and {@code OrtSession}:
 * closing it closes the session first, then the options, and closing twice is harmless. The
 * process-wide {@code OrtEnvironment} is never closed. {@code OrtException} is translated to
 * {@link RuntimeFailureException} here, at the runtime boundary.
 */
public final class ModelSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final SessionOptions options;
    private final OrtSession session;
    private final String source;
    private boolean closed;

    private ModelSession(OrtEnvironment env, SessionOptions options, OrtSession session, String source) {
        this.env = env;
        this.options = options;
        this.session = session;
        this.source = source;
    }

    /**
     * Opens a CPU session on a model. Models with external data are written to a temporary folder first
     * (ONNX Runtime needs them as files); self-contained ones are passed as bytes.
     *
     * @param optimize whether ONNX Runtime may apply its graph optimizations
     */
    public static ModelSession open(OnnxModel model, boolean optimize) throws RuntimeFailureException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        SessionOptions options = new SessionOptions();
        try {
            options.setOptimizationLevel(optimize ? SessionOptions.OptLevel.ALL_OPT : SessionOptions.OptLevel.NO_OPT);
            OrtSession session;
            if (model.usesExternalData()) {
                Path folder = Files.createTempDirectory("lathe-session");
                try {
                    Path file = folder.resolve("model.onnx");
                    model.save(file, SaveOptions.external(SaveOptions.DEFAULT_THRESHOLD_BYTES));
                    session = env.createSession(file.toString(), options);
                } finally {
                    deleteRecursively(folder);
                }
            } else {
                session = env.createSession(model.proto().toByteArray(), options);
            }
            return new ModelSession(env, options, session, model.source());
        } catch (OrtException | IOException | InvalidModelException e) {
            options.close();
            throw new RuntimeFailureException(model.source() + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
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
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, TensorData> input : inputs.entrySet()) {
                feed.put(input.getKey(), OrtTensors.toOrt(env, input.getValue()));
            }
            Map<String, long[]> shapes = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed)) {
                for (Map.Entry<String, OnnxValue> output : result) {
                    if (output.getValue().getInfo() instanceof TensorInfo info) {
                        shapes.put(output.getKey(), info.getShape());
                    }
                }
            }
            return shapes;
        } catch (OrtException e) {
            throw new RuntimeFailureException(source + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
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

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
