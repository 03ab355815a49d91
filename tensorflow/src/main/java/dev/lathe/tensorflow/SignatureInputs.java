package dev.lathe.tensorflow;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Concrete input shapes and generated inputs for a signature, for footprints and benchmarks when no real
 * data is given. An unknown dimension has a name ({@link #dimensionName}, the same the converted ONNX model
 * gives it), so it can be bound by name as well as by a whole input shape; unbound, it is 1.
 */
public final class SignatureInputs {
    private SignatureInputs() {
    }

    /**
     * The name of unknown dimension {@code index} of a signature tensor: {@code batch} for the first
     * dimension of a tensor of rank 2 or more (the convention of Keras exports), else
     * {@code NAME_dimINDEX}.
     */
    public static String dimensionName(TensorSpec tensor, int index) {
        return index == 0 && tensor.shape().length >= 2 ? "batch" : tensor.name() + "_dim" + index;
    }

    /**
     * The concrete shape of every input: the binding's shape for it when given (its rank must match),
     * else the declared shape with unknown dimensions bound by name ({@link #dimensionName}) or set to 1.
     *
     * @throws IllegalArgumentException if a bound shape does not fit the declared one, or an input has an
     *                                  unknown rank and no bound shape
     */
    public static Map<String, long[]> shapes(SignatureInfo signature, ShapeBinding binding) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (TensorSpec input : signature.inputs()) {
            long[] declared = input.shape();
            long[] bound = binding.inputShape(input.name()).orElse(null);
            if (bound != null) {
                if (input.rankKnown() && !fits(bound, declared)) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(bound) + " given for input '"
                            + input.name() + "' does not fit its declared shape " + input);
                }
                shapes.put(input.name(), bound.clone());
            } else if (!input.rankKnown()) {
                throw new IllegalArgumentException("input '" + input.name() + "' has an unknown rank: give its shape");
            } else {
                long[] shape = declared.clone();
                for (int i = 0; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = binding.dimension(dimensionName(input, i)).orElse(1L);
                    }
                }
                shapes.put(input.name(), shape);
            }
        }
        for (String bound : binding.boundInputs()) {
            if (!shapes.containsKey(bound)) {
                throw new IllegalArgumentException("a shape is given for '" + bound + "', which is not an input of signature "
                        + signature.key() + "; its inputs are " + shapes.keySet());
            }
        }
        return shapes;
    }

    /**
     * Inputs of the given shapes drawn from a seeded generator: floats uniform in [-1, 1), integers 1
     * (a valid token id and an attention-mask value), booleans true.
     *
     * @throws IllegalArgumentException if an input's type has no ONNX counterpart (strings)
     */
    public static Map<String, TensorData> generate(SignatureInfo signature, Map<String, long[]> shapes, long seed) {
        Random random = new Random(seed);
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        for (TensorSpec input : signature.inputs()) {
            long[] shape = shapes.get(input.name());
            DataType type = input.onnxType().orElseThrow(() -> new IllegalArgumentException("input '" + input.name()
                    + "' has type " + input.tfType() + ", which Lathe cannot generate or convert"));
            int count = Math.toIntExact(TensorData.elementCount(shape));
            inputs.put(input.name(), switch (type) {
                case FLOAT -> {
                    float[] values = new float[count];
                    for (int i = 0; i < count; i++) {
                        values[i] = random.nextFloat() * 2 - 1;
                    }
                    yield TensorData.ofFloats(shape, values);
                }
                case INT32 -> TensorData.ofInts(shape, filled(count));
                case INT64 -> TensorData.ofLongs(shape, Arrays.stream(filled(count)).asLongStream().toArray());
                case BOOL -> {
                    boolean[] values = new boolean[count];
                    Arrays.fill(values, true);
                    yield TensorData.ofBooleans(shape, values);
                }
                default -> throw new IllegalArgumentException("input '" + input.name() + "' has type " + input.tfType()
                        + "; Lathe generates float32, int32, int64 and bool inputs");
            });
        }
        return inputs;
    }

    private static int[] filled(int count) {
        int[] values = new int[count];
        Arrays.fill(values, 1);
        return values;
    }

    private static boolean fits(long[] shape, long[] declared) {
        if (shape.length != declared.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || declared[i] >= 0 && declared[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }
}
