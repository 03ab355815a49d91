package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Concrete sizes for a model's inputs: full shapes per input name, and values for symbolic dimension
 * names ({@code dim_param}, such as {@code batch_size} or {@code sequence_length}; {@code input[axis]} for
 * a dimension without one, see {@link #dimensionKey}). An explicit input shape wins over dimension values.
 * Immutable; the {@code with*} methods return new bindings.
 */
public final class ShapeBinding {
    /** The {@code dim_param} Paddle2ONNX gives every unknown dimension. */
    private static final String UNNAMED = "?";

    private final Map<String, long[]> inputShapes;
    private final Map<String, Long> dimensions;
    private final Map<String, long[]> inputValues;

    private ShapeBinding(Map<String, long[]> inputShapes, Map<String, Long> dimensions, Map<String, long[]> inputValues) {
        this.inputShapes = inputShapes;
        this.dimensions = dimensions;
        this.inputValues = inputValues;
    }

    /** No bindings: symbolic dimensions get {@link DimensionDefaults}' sizes. */
    public static ShapeBinding none() {
        return new ShapeBinding(Map.of(), Map.of(), Map.of());
    }

    /** Full shapes for the given inputs (as {@link #resolve} returns them), nothing else bound. */
    public static ShapeBinding ofShapes(Map<String, long[]> shapes) {
        ShapeBinding binding = none();
        for (Map.Entry<String, long[]> input : shapes.entrySet()) {
            binding = binding.withInputShape(input.getKey(), input.getValue());
        }
        return binding;
    }

    /** This binding plus a full shape for one input. */
    public ShapeBinding withInputShape(String input, long... shape) {
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("shape of input '" + input + "' has a negative dimension: "
                        + Arrays.toString(shape));
            }
        }
        Map<String, long[]> shapes = new LinkedHashMap<>(inputShapes);
        shapes.put(input, shape.clone());
        return new ShapeBinding(Collections.unmodifiableMap(shapes), dimensions, inputValues);
    }

    /** This binding plus a value for a symbolic dimension name. */
    public ShapeBinding withDimension(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("dimension '" + name + "' must be >= 0, got " + value);
        }
        Map<String, Long> dims = new LinkedHashMap<>(dimensions);
        dims.put(name, value);
        return new ShapeBinding(inputShapes, Collections.unmodifiableMap(dims), inputValues);
    }

    /**
     * This binding plus the values of a small integer input (a sample rate, a flag), so that what depends on
     * them (the branch an {@code If} takes, a shape computed from them) is known statically, and generated
     * inputs use them.
     */
    public ShapeBinding withInputValue(String input, long... values) {
        Map<String, long[]> copy = new LinkedHashMap<>(inputValues);
        copy.put(input, values.clone());
        return new ShapeBinding(inputShapes, dimensions, Collections.unmodifiableMap(copy));
    }

    /** The values bound to inputs, by input name. */
    public Map<String, long[]> inputValues() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        inputValues.forEach((name, values) -> copy.put(name, values.clone()));
        return copy;
    }

    /** The explicit shape bound to an input, if any. */
    public Optional<long[]> inputShape(String input) {
        return Optional.ofNullable(inputShapes.get(input)).map(long[]::clone);
    }

    /** The value bound to a symbolic dimension, if any. */
    public Optional<Long> dimension(String name) {
        return Optional.ofNullable(dimensions.get(name));
    }

    /** Whether nothing is bound. */
    public boolean isEmpty() {
        return inputShapes.isEmpty() && dimensions.isEmpty() && inputValues.isEmpty();
    }

    /** Input names that have explicit shapes. */
    public java.util.Set<String> boundInputs() {
        return inputShapes.keySet();
    }

    /** Symbolic dimension names that have values. */
    public java.util.Set<String> boundDimensions() {
        return dimensions.keySet();
    }

    /**
     * Concrete shapes for every input of a model: the explicit shape where one is bound, else the declared
     * shape with symbolic dimensions bound (by value, or by the explicit shape of another input that shares
     * the dimension's name), or sized by {@link #defaults(OnnxModel)} where nobody bound them.
     *
     * @throws IllegalArgumentException if the binding names an input or dimension the model lacks (the
     *                                  message lists those that exist), a shape that contradicts the
     *                                  model's declared rank or fixed dimensions, or shapes and values that
     *                                  disagree on a named dimension
     */
    public Map<String, long[]> resolve(OnnxModel model) {
        ShapeBinding binding = this;
        List<ValueInfoProto> inputs = model.graph().inputs();
        Set<String> names = new HashSet<>();
        Set<String> dimensionNames = new HashSet<>();
        inputs.forEach(input -> {
            names.add(input.getName());
            List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
            for (int axis = 0; axis < dims.size(); axis++) {
                if (!(dims.get(axis).hasDimValue() && dims.get(axis).getDimValue() > 0)) {
                    dimensionNames.add(dimensionKey(input, axis));
                }
            }
        });
        for (String bound : binding.boundInputs()) {
            if (!names.contains(bound)) {
                throw new IllegalArgumentException(model.source() + " has no input '" + bound + "'; its inputs are "
                        + inputs.stream().map(ValueInfoProto::getName).toList());
            }
        }
        for (String bound : binding.boundDimensions()) {
            if (!dimensionNames.contains(bound)) {
                throw new IllegalArgumentException(model.source() + " has no symbolic dimension '" + bound
                        + "'; its symbolic dimensions are " + new TreeSet<>(dimensionNames));
            }
        }
        for (Map.Entry<String, long[]> value : binding.inputValues.entrySet()) {
            if (!names.contains(value.getKey())) {
                throw new IllegalArgumentException(model.source() + " has no input '" + value.getKey() + "'; its inputs are "
                        + inputs.stream().map(ValueInfoProto::getName).toList());
            }
        }
        binding = binding.withNamesFromShapes(model);
        Map<String, DimensionDefaults.Choice> defaults = DimensionDefaults.choose(inputs, binding);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ValueInfoProto input : inputs) {
            TensorShapeProto declared = input.getType().getTensorType().getShape();
            long[] explicit = binding.inputShape(input.getName()).orElse(null);
            if (explicit != null) {
                checkAgainstDeclared(model, input, explicit);
                shapes.put(input.getName(), explicit);
                continue;
            }
            long[] shape = new long[declared.getDimCount()];
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension dim = declared.getDim(i);
                String key = dimensionKey(input, i);
                shape[i] = dim.hasDimValue() && dim.getDimValue() > 0 ? dim.getDimValue()
                        : binding.dimension(key).orElseGet(() -> defaults.get(key).value());
            }
            shapes.put(input.getName(), shape);
        }
        binding.inputValues.forEach((name, value) -> {
            long[] shape = shapes.get(name);
            if (shape != null && TensorData.elementCount(shape) != value.length) {
                throw new IllegalArgumentException(model.source() + ": input '" + name + "' of shape " + Arrays.toString(shape)
                        + " holds " + TensorData.elementCount(shape) + " values, but " + value.length + " were given");
            }
        });
        return shapes;
    }

    /**
     * The name by which a binding sizes a dimension of an input that is not fixed: its {@code dim_param},
     * shared by every dimension of that name, or {@code input[axis]} when it has none. The {@code dim_param}
     * {@code "?"}, which Paddle2ONNX writes for every unknown dimension (the height and the width of an
     * image alike), names no shared size and counts as none.
     */
    public static String dimensionKey(ValueInfoProto input, int axis) {
        return dimensionName(input, axis).orElse(input.getName() + "[" + axis + "]");
    }

    /** The {@code dim_param} of a dimension, unless it has none or only Paddle2ONNX's placeholder. */
    static Optional<String> dimensionName(ValueInfoProto input, int axis) {
        TensorShapeProto.Dimension dim = input.getType().getTensorType().getShape().getDim(axis);
        String name = dim.hasDimParam() ? dim.getDimParam() : "";
        return name.isEmpty() || name.equals(UNNAMED) ? Optional.empty() : Optional.of(name);
    }

    /**
     * The sizes {@link #resolve} gives the dimensions this binding leaves unbound, with what each was taken
     * to be, keyed by dimension name (or {@code input[axis]} for an unnamed one); empty when everything is
     * bound.
     */
    public Map<String, DimensionDefaults.Choice> defaults(OnnxModel model) {
        return DimensionDefaults.choose(model.graph().inputs(), withNamesFromShapes(model));
    }

    /**
     * This binding plus the sizes that explicit input shapes give their named dimensions, so that the inputs
     * whose shapes were not given take them too: a shape of [1, 64] for {@code input_ids} sizes
     * {@code attention_mask}'s {@code sequence_length} as well.
     *
     * @throws IllegalArgumentException if two shapes, or a shape and a bound dimension, disagree on a name
     */
    private ShapeBinding withNamesFromShapes(OnnxModel model) {
        ShapeBinding binding = this;
        Map<String, String> takenFrom = new HashMap<>();
        for (ValueInfoProto input : model.graph().inputs()) {
            long[] shape = inputShapes.get(input.getName());
            if (shape == null || shape.length != input.getType().getTensorType().getShape().getDimCount()) {
                continue; // a wrong rank is reported by checkAgainstDeclared
            }
            for (int axis = 0; axis < shape.length; axis++) {
                Optional<String> name = dimensionName(input, axis);
                if (name.isEmpty()) {
                    continue;
                }
                Optional<Long> bound = binding.dimension(name.get());
                if (bound.isEmpty()) {
                    binding = binding.withDimension(name.get(), shape[axis]);
                    takenFrom.put(name.get(), " by the shape of input '" + input.getName() + "'");
                } else if (bound.get() != shape[axis]) {
                    throw new IllegalArgumentException(model.source() + ": input '" + input.getName() + "' has the shape "
                            + Arrays.toString(shape) + ", but its dimension '" + name.get() + "' is set to " + bound.get()
                            + takenFrom.getOrDefault(name.get(), ""));
                }
            }
        }
        return binding;
    }

    private static void checkAgainstDeclared(OnnxModel model, ValueInfoProto input, long[] shape) {
        if (!input.getType().getTensorType().hasShape()) {
            return;
        }
        TensorShapeProto declared = input.getType().getTensorType().getShape();
        if (shape.length != declared.getDimCount()) {
            throw new IllegalArgumentException(model.source() + ": input '" + input.getName() + "' has rank "
                    + declared.getDimCount() + ", but the shape given has rank " + shape.length + ": " + Arrays.toString(shape));
        }
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension dim = declared.getDim(i);
            if (dim.hasDimValue() && dim.getDimValue() > 0 && dim.getDimValue() != shape[i]) {
                throw new IllegalArgumentException(model.source() + ": input '" + input.getName() + "' has dimension " + i
                        + " fixed at " + dim.getDimValue() + ", but the shape given is " + Arrays.toString(shape));
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        inputShapes.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append('=')
                .append(Arrays.toString(v)));
        dimensions.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        inputValues.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append(":=")
                .append(Arrays.toString(v)));
        return text.toString();
    }
}
