package dev.lathe.core.footprint;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Concrete sizes for a model's inputs: full shapes per input name, and values for symbolic dimension
 * names ({@code dim_param}, such as {@code batch_size} or {@code sequence_length}). An explicit input shape
 * wins over dimension values. Immutable; the {@code with*} methods return new bindings.
 */
public final class ShapeBinding {
    private final Map<String, long[]> inputShapes;
    private final Map<String, Long> dimensions;

    private ShapeBinding(Map<String, long[]> inputShapes, Map<String, Long> dimensions) {
        this.inputShapes = inputShapes;
        this.dimensions = dimensions;
    }

    /** No bindings: symbolic dimensions fall back to {@link #DEFAULT_DIMENSION}. */
    public static ShapeBinding none() {
        return new ShapeBinding(Map.of(), Map.of());
    }

    /** The value used for a symbolic dimension nobody bound. */
    public static final long DEFAULT_DIMENSION = 1;

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
        return new ShapeBinding(Collections.unmodifiableMap(shapes), dimensions);
    }

    /** This binding plus a value for a symbolic dimension name. */
    public ShapeBinding withDimension(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("dimension '" + name + "' must be >= 0, got " + value);
        }
        Map<String, Long> dims = new LinkedHashMap<>(dimensions);
        dims.put(name, value);
        return new ShapeBinding(inputShapes, Collections.unmodifiableMap(dims));
    }

    /** The explicit shape bound to an input, if any. */
    public Optional<long[]> inputShape(String input) {
        return Optional.ofNullable(inputShapes.get(input)).map(long[]::clone);
    }

    /** The value bound to a symbolic dimension, if any. */
    public Optional<Long> dimension(String name) {
        return Optional.ofNullable(dimensions.get(name));
    }

    /** Input names that have explicit shapes. */
    public java.util.Set<String> boundInputs() {
        return inputShapes.keySet();
    }

    /** Symbolic dimension names that have values. */
    public java.util.Set<String> boundDimensions() {
        return dimensions.keySet();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        inputShapes.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append('=')
                .append(Arrays.toString(v)));
        dimensions.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return text.toString();
    }
}
