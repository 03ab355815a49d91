package dev.lathe.djl.serving;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.ProviderUnavailableException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderAvailability;
import dev.lathe.core.provider.ProviderCatalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ONNX model file (one Lathe wrote, for instance) loaded as a DJL {@link ZooModel} of {@link NDList} to
 * {@link NDList} through DJL's ONNX Runtime engine, so that it can be served by DJL Serving or any code
 * written against DJL's {@code Predictor}. The engine runs on the ONNX Runtime jar on the class path
 * (Lathe's pinned version, not the one DJL declares) and its bundled natives: loading a local file downloads
 * nothing and needs no network.
 *
 * <p>What DJL touches: loading a {@code .onnx} file downloads nothing and writes no file of its own. Starting
 * DJL's engine registry instantiates every engine on the class path to rank them; with
 * {@code ai.djl.huggingface:tokenizers} there (as in this module) that extracts the tokenizers' native library
 * once, about 15 MB, to {@code ~/.djl.ai/tokenizers/0.21.0-0.38.0-cpu-linux-x86_64/} (set {@code DJL_CACHE_DIR}
 * or {@code ENGINE_CACHE_DIR} to move it), and that "Rust" engine becomes DJL's default engine, so create
 * arrays with {@code zooModel().getNDManager()}. When the default engine is first found, DJL's telemetry asks
 * the EC2 metadata address (169.254.169.254, a short time-out when absent) whether it runs on AWS and, if so,
 * sends one request; {@code -Dai.djl.offline=true} (or {@code DJL_OFFLINE=true}, or
 * {@code OPT_OUT_TRACKING=true}) turns that off. This class sets none of them: they are process-wide.
 *
 * <p><b>Start order.</b> DJL's engine creates ONNX Runtime's process-wide {@code OrtEnvironment} itself,
 * with thread-pool options, and ONNX Runtime refuses that once an environment exists (any ONNX Runtime
 * version: "Tried to specify the thread pool when creating an OrtEnvironment, but one already exists"). So
 * in a process that also uses Lathe's {@code ModelSession} or provider probes, call {@link #startEngine()}
 * before them; Lathe then shares DJL's environment. {@link #load} starts the engine itself and explains the
 * failure when it is too late.
 *
 * <p>Input arrays are matched to model inputs by name. Close the served model to release the ONNX Runtime
 * session; closing twice is harmless.
 */
public final class ServedModel implements AutoCloseable {
    private final Path file;
    private final ServingOptions options;
    private final ZooModel<NDList, NDList> model;
    private boolean closed;

    private ServedModel(Path file, ServingOptions options, ZooModel<NDList, NDList> model) {
        this.file = file;
        this.options = options;
        this.model = model;
    }

    /** The DJL name of the ONNX Runtime engine. */
    public static final String ENGINE = "OnnxRuntime";

    /**
     * Starts DJL's ONNX Runtime engine, creating the process's ONNX Runtime environment; later calls do
     * nothing. Call it before anything else in the process uses ONNX Runtime (see the class comment).
     *
     * @throws RuntimeFailureException if the engine cannot start, in particular because an ONNX Runtime
     *                                 environment already exists (the message says what to do)
     */
    public static void startEngine() throws RuntimeFailureException {
        try {
            Engine.getEngine(ENGINE);
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new RuntimeFailureException("DJL's ONNX Runtime engine cannot start, most likely because something"
                    + " in this process (a Lathe ModelSession, a provider probe) created the ONNX Runtime environment"
                    + " before it, which DJL cannot share; call ServedModel.startEngine() before any other use of ONNX"
                    + " Runtime (" + causes(e) + ")", e);
        } catch (EngineException | IllegalArgumentException e) {
            throw new RuntimeFailureException("DJL's ONNX Runtime engine cannot start: " + causes(e), e);
        }
    }

    /**
     * Loads an {@code .onnx} file through DJL's ONNX Runtime engine with the given provider, threads and
     * optimization level. Models with external data load as long as their data files sit where the model's
     * {@code location} entries say, next to it.
     *
     * @throws InvalidModelException        if the file does not exist, is not an {@code .onnx} file, or ONNX
     *                                      Runtime cannot load it (the message names the file)
     * @throws ProviderUnavailableException if the provider cannot be used in this process (it names the
     *                                      provider and why, e.g. CUDA libraries not found)
     * @throws RuntimeFailureException      if DJL's ONNX Runtime engine cannot start (see {@link #startEngine()})
     */
    public static ServedModel load(Path file, ServingOptions options) throws LatheException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(file + ": no such model file");
        }
        String name = file.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new InvalidModelException(file + ": DJL's ONNX Runtime engine loads .onnx files only");
        }
        startEngine();
        if (options.provider() != Provider.CPU) {
            ProviderAvailability availability = ProviderCatalog.system().availability(options.provider());
            if (!availability.available()) {
                throw new ProviderUnavailableException(file + ": cannot serve on " + options.provider().cliName()
                        + ": " + availability.reason());
            }
        }
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine(ENGINE)
                // The folder plus the name: DJL warns about a model path that is a single, non-archive file.
                .optModelPath(file.toAbsolutePath().getParent())
                .optModelName(name.substring(0, name.length() - ".onnx".length()))
                .optDevice(options.device());
        options.criteriaOptions().forEach(criteria::optOption);
        try {
            return new ServedModel(file, options, criteria.build().loadModel());
        } catch (ModelNotFoundException | MalformedModelException | IOException e) {
            throw new InvalidModelException(file + ": DJL's ONNX Runtime engine cannot load the model: "
                    + causes(e), e);
        } catch (EngineException | IllegalArgumentException e) {
            throw new RuntimeFailureException(file + ": DJL's ONNX Runtime engine failed with options "
                    + options.criteriaOptions() + " on " + options.device() + ": " + causes(e), e);
        }
    }

    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    /** The model file. */
    public Path file() {
        return file;
    }

    /** The options the model was loaded with. */
    public ServingOptions options() {
        return options;
    }

    /** The DJL model, for {@code newPredictor()} or DJL Serving; it stays owned by this object. */
    public ZooModel<NDList, NDList> zooModel() {
        checkOpen();
        return model;
    }

    /** The model's input names, in order. */
    public List<String> inputNames() {
        return zooModel().describeInput().keys();
    }

    /**
     * Runs the model once through a DJL {@link Predictor}: the inputs become named {@link NDArray}s, the
     * outputs are copied back to Lathe tensors, keyed by output name (DJL's block cannot describe its outputs
     * before a run, so they are known only from one). Meant for checks against
     * {@code ModelSession} and for code that has samples as {@link TensorData}.
     *
     * @throws IllegalArgumentException if an input's element type has no DJL counterpart
     * @throws RuntimeFailureException  if DJL or ONNX Runtime fails to run the model (naming the file)
     */
    public Map<String, TensorData> run(Map<String, TensorData> inputs) throws RuntimeFailureException {
        ZooModel<NDList, NDList> zoo = zooModel();
        try (NDManager manager = zoo.getNDManager().newSubManager();
                Predictor<NDList, NDList> predictor = zoo.newPredictor()) {
            NDList feed = new NDList();
            for (Map.Entry<String, TensorData> input : inputs.entrySet()) {
                feed.add(toArray(manager, input.getKey(), input.getValue()));
            }
            NDList result = predictor.predict(feed);
            Map<String, TensorData> outputs = new LinkedHashMap<>();
            for (int i = 0; i < result.size(); i++) {
                NDArray array = result.get(i);
                String name = array.getName() != null ? array.getName() : "output_" + i; // DJL names them
                outputs.put(name, toTensor(array));
            }
            result.close();
            return outputs;
        } catch (TranslateException | EngineException e) {
            throw new RuntimeFailureException(file + ": DJL failed to run the model: " + causes(e), e);
        }
    }

    private static NDArray toArray(NDManager manager, String name, TensorData tensor) {
        ByteBuffer bytes = manager.allocateDirect(Math.toIntExact(tensor.byteSize()));
        bytes.order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("serving through DJL needs a little-endian machine");
        }
        bytes.put(tensor.rawBytes()).flip();
        NDArray array = manager.create(bytes, new Shape(tensor.shape()), djlType(name, tensor.dataType()));
        array.setName(name);
        return array;
    }

    private static ai.djl.ndarray.types.DataType djlType(String name, DataType type) {
        return switch (type) {
            case FLOAT -> ai.djl.ndarray.types.DataType.FLOAT32;
            case DOUBLE -> ai.djl.ndarray.types.DataType.FLOAT64;
            case FLOAT16 -> ai.djl.ndarray.types.DataType.FLOAT16;
            case INT8 -> ai.djl.ndarray.types.DataType.INT8;
            case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
            case INT32 -> ai.djl.ndarray.types.DataType.INT32;
            case INT64 -> ai.djl.ndarray.types.DataType.INT64;
            case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
            default -> throw new IllegalArgumentException("input " + name + ": element type " + type
                    + " cannot be passed through DJL; use float, double, float16, int8, uint8, int32, int64 or bool");
        };
    }

    private static TensorData toTensor(NDArray array) {
        DataType type = switch (array.getDataType()) {
            case FLOAT32 -> DataType.FLOAT;
            case FLOAT64 -> DataType.DOUBLE;
            case FLOAT16 -> DataType.FLOAT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOLEAN -> DataType.BOOL;
            default -> throw new IllegalStateException("output " + array.getName() + ": DJL type "
                    + array.getDataType() + " has no Lathe counterpart");
        };
        ByteBuffer source = array.toByteBuffer();
        ByteBuffer copy = ByteBuffer.allocate(source.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(source).flip();
        return TensorData.wrap(type, array.getShape().getShape(), copy);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(file + ": the served model is closed");
        }
    }

    /** Closes the DJL model and its ONNX Runtime session; closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }
}
