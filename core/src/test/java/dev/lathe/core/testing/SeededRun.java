package dev.lathe.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a model once in ONNX Runtime (CPU, one thread) on inputs drawn from a fixed seed, and returns its
 * float outputs, so tests can compare two models on the same inputs. Inputs are made from the session's
 * own input metadata: float inputs are normal with deviation 1, int32/int64 inputs uniform in
 * [0, bound) (bound 2 unless {@link #intBound} says otherwise), bool inputs fair coin flips. Symbolic
 * dimensions must be bound with {@link #dim}.
 *
 * <p>Every call draws from a fresh generator seeded the same way, so two calls with models that have the
 * same inputs feed them identical values. Sessions, tensors and results are closed before returning.
 */
public final class SeededRun {
    private final long seed;
    private final Map<String, Long> dims = new HashMap<>();
    private final Map<String, Long> intBounds = new HashMap<>();

    private SeededRun(long seed) {
        this.seed = seed;
    }

    /** A run whose inputs are drawn from {@code seed}. */
    public static SeededRun withSeed(long seed) {
        return new SeededRun(seed);
    }

    /** Binds the symbolic dimension {@code name} to {@code size} in every input. */
    public SeededRun dim(String name, long size) {
        dims.put(name, size);
        return this;
    }

    /** Draws the integer input {@code input} uniformly from [0, bound) (token ids, for instance). */
    public SeededRun intBound(String input, long bound) {
        intBounds.put(input, bound);
        return this;
    }

    /** Runs the serialized model and returns its outputs by name, flattened. */
    public Map<String, float[]> outputs(byte[] model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options();
             OrtSession session = env.createSession(model, options)) {
            return run(env, session);
        }
    }

    /** Runs the model file (external data is found beside it) and returns its outputs by name, flattened. */
    public Map<String, float[]> outputs(Path model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options();
             OrtSession session = env.createSession(model.toString(), options)) {
            return run(env, session);
        }
    }

    /**
     * Asserts that two runs gave the same outputs, bit for bit (the same output names, the same values in
     * the same order).
     */
    public static void assertIdentical(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertThat(expected).as("outputs to compare").isNotEmpty();
        assertThat(actual).containsOnlyKeys(expected.keySet());
        expected.forEach((name, values) -> assertThat(actual.get(name)).as("output '%s'", name).containsExactly(values));
    }

    private static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        return options;
    }

    private Map<String, float[]> run(OrtEnvironment env, OrtSession session) throws OrtException {
        Random random = new Random(seed);
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        List<OnnxTensor> created = new ArrayList<>();
        try {
            for (Map.Entry<String, NodeInfo> entry : session.getInputInfo().entrySet()) {
                OnnxTensor tensor = input(env, entry.getKey(), (TensorInfo) entry.getValue().getInfo(), random);
                created.add(tensor);
                inputs.put(entry.getKey(), tensor);
            }
            Map<String, float[]> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(inputs)) {
                for (Map.Entry<String, OnnxValue> entry : result) {
                    OnnxTensor tensor = (OnnxTensor) entry.getValue();
                    FloatBuffer values = tensor.getFloatBuffer();
                    if (values == null) {
                        throw new IllegalArgumentException("output '" + entry.getKey() + "' is not a float tensor");
                    }
                    float[] copy = new float[values.remaining()];
                    values.get(copy);
                    outputs.put(entry.getKey(), copy);
                }
            }
            return outputs;
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor input(OrtEnvironment env, String name, TensorInfo info, Random random) throws OrtException {
        long[] shape = info.getShape();
        String[] names = info.getDimensionNames();
        int count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                Long bound = dims.get(names[i]);
                if (bound == null) {
                    throw new IllegalArgumentException("input '" + name + "' has symbolic dimension '" + names[i]
                            + "': bind it with dim()");
                }
                shape[i] = bound;
            }
            count = Math.multiplyExact(count, Math.toIntExact(shape[i]));
        }
        long bound = intBounds.getOrDefault(name, 2L);
        switch (info.type) {
            case FLOAT -> {
                float[] values = new float[count];
                for (int i = 0; i < count; i++) {
                    values[i] = (float) random.nextGaussian();
                }
                return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
            }
            case INT64 -> {
                long[] values = new long[count];
                for (int i = 0; i < count; i++) {
                    values[i] = random.nextLong(bound);
                }
                return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
            }
            case INT32 -> {
                int[] values = new int[count];
                for (int i = 0; i < count; i++) {
                    values[i] = Math.toIntExact(random.nextLong(bound));
                }
                return OnnxTensor.createTensor(env, IntBuffer.wrap(values), shape);
            }
            case BOOL -> {
                ByteBuffer values = ByteBuffer.allocateDirect(count).order(ByteOrder.nativeOrder());
                for (int i = 0; i < count; i++) {
                    values.put((byte) (random.nextBoolean() ? 1 : 0));
                }
                values.flip();
                return OnnxTensor.createTensor(env, values, shape, OnnxJavaType.BOOL);
            }
            default -> throw new IllegalArgumentException("input '" + name + "' has type " + info.type
                    + ", which seeded runs do not generate");
        }
    }
}
