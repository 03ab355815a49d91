package dev.lathe.core.data;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Generates plausible, seeded inputs for a model at concrete shapes: integer inputs that index a
 * constant table through {@code Gather} (token ids) get values inside the table's rows; other integer
 * inputs get ones (attention masks); floating-point inputs get standard normal values; bools are true.
 * The same model, shapes and seed always give the same inputs.
 */
public final class InputGenerator {
    private InputGenerator() {
    }

    /**
     * Inputs for every graph input of the model.
     *
     * @param shapes concrete shape per input name; every model input must have one
     * @throws IllegalArgumentException if an input has no shape, or has a type inputs cannot be made for
     */
    public static Map<String, TensorData> generate(OnnxModel model, Map<String, long[]> shapes, long seed) {
        return generate(model, shapes, Map.of(), seed);
    }

    /**
     * Inputs for every graph input, those with given values (integer inputs such as a sample rate, see
     * {@link dev.lathe.core.model.ShapeBinding#withInputValue}) holding them.
     *
     * @throws IllegalArgumentException as {@link #generate(OnnxModel, Map, long)}, or if a value is given for a
     *                                  floating-point input
     */
    public static Map<String, TensorData> generate(OnnxModel model, Map<String, long[]> shapes, Map<String, long[]> values,
            long seed) {
        requireHeap(model, shapes);
        Random random = new Random(seed);
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        for (ValueInfoProto input : model.graph().inputs()) {
            String name = input.getName();
            long[] shape = shapes.get(name);
            if (shape == null) {
                throw new IllegalArgumentException(model.source() + ": no shape given for input '" + name + "'");
            }
            int elemType = input.getType().getTensorType().getElemType();
            DataType type = DataType.fromCode(elemType).orElseThrow(() -> new IllegalArgumentException(
                    model.source() + ": input '" + name + "' is not a tensor of a known type (" + elemType + ")"));
            TensorData generated = generate(model, name, type, shape, random);
            long[] given = values.get(name);
            inputs.put(name, given == null ? generated : given(model, name, type, shape, given));
        }
        return inputs;
    }

    /**
     * Refuses, before allocating anything, inputs whose generation would not fit in the heap left: each
     * element needs its 8-byte working value plus its stored bytes.
     */
    private static void requireHeap(OnnxModel model, Map<String, long[]> shapes) {
        Runtime runtime = Runtime.getRuntime();
        long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        double needed = 0;
        StringBuilder largest = new StringBuilder();
        double largestBytes = 0;
        for (Map.Entry<String, long[]> input : shapes.entrySet()) {
            double elements = 1;
            for (long dim : input.getValue()) {
                elements *= dim;
            }
            double bytes = elements * 16;
            needed += bytes;
            if (bytes > largestBytes) {
                largestBytes = bytes;
                largest.setLength(0);
                largest.append(input.getKey()).append(' ').append(Arrays.toString(input.getValue()));
            }
        }
        if (needed > free) {
            throw new IllegalArgumentException(model.source() + ": generating inputs of these shapes needs about "
                    + Math.round(needed / (1 << 20)) + " MB of heap, more than the " + (free >> 20) + " MB left (largest: "
                    + largest + "); bind smaller shapes (--shape, --bind) or give the JVM more heap (-Xmx)");
        }
    }

    /** {@code count} samples, sample i generated with seed {@code seed + i}. */
    public static List<Map<String, TensorData>> samples(OnnxModel model, Map<String, long[]> shapes, int count, long seed) {
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(generate(model, shapes, seed + i));
        }
        return samples;
    }

    private static TensorData generate(OnnxModel model, String name, DataType type, long[] shape, Random random) {
        long count = TensorData.elementCount(shape);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input '" + name + "' of shape " + Arrays.toString(shape) + " is too large");
        }
        int n = (int) count;
        switch (type) {
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (float) random.nextGaussian();
                }
                return switch (type) {
                    case FLOAT16 -> TensorData.ofFloat16(shape, values);
                    case BFLOAT16 -> TensorData.ofBfloat16(shape, values);
                    case DOUBLE -> TensorData.ofDoubles(shape, toDoubles(values));
                    default -> TensorData.ofFloats(shape, values);
                };
            }
            case INT64, INT32 -> {
                long rows = gatherRows(model, name).orElse(0L);
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = rows > 0 ? (long) (random.nextDouble() * rows) : 1;
                }
                return type == DataType.INT64 ? TensorData.ofLongs(shape, values)
                        : TensorData.ofInts(shape, Arrays.stream(values).mapToInt(v -> (int) v).toArray());
            }
            case BOOL -> {
                boolean[] values = new boolean[n];
                Arrays.fill(values, true);
                return TensorData.ofBooleans(shape, values);
            }
            case INT8, UINT8 -> {
                int[] values = new int[n];
                Arrays.fill(values, 1);
                return TensorData.ofSmallValues(type, shape, values);
            }
            default -> throw new IllegalArgumentException("input '" + name + "' has type " + type
                    + ", for which Lathe cannot generate inputs yet; pass inputs explicitly");
        }
    }

    private static TensorData given(OnnxModel model, String name, DataType type, long[] shape, long[] values) {
        return switch (type) {
            case INT64 -> TensorData.ofLongs(shape, values);
            case INT32 -> TensorData.ofInts(shape, java.util.Arrays.stream(values).mapToInt(v -> (int) v).toArray());
            default -> throw new IllegalArgumentException(model.source() + ": a value was given for input '" + name
                    + "' of type " + type + "; values can be given for int64 and int32 inputs");
        };
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Rows of the constant table an input indexes through Gather, if it does. */
    private static Optional<Long> gatherRows(OnnxModel model, String input) {
        Graph graph = model.graph();
        for (NodeProto consumer : graph.consumers(input)) {
            if (consumer.getOpType().equals("Gather") && consumer.getInputCount() == 2 && consumer.getInput(1).equals(input)) {
                Optional<TensorProto> table = graph.initializer(consumer.getInput(0));
                if (table.isPresent()) {
                    long[] shape = TensorCodec.shapeOf(table.get());
                    long axis = NodeAttributes.getInt(consumer, "axis", 0);
                    int resolved = (int) (axis < 0 ? axis + shape.length : axis);
                    if (resolved >= 0 && resolved < shape.length) {
                        return Optional.of(shape[resolved]);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
