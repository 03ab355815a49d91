package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Sizes for the symbolic dimensions nobody bound, chosen by what a dimension is rather than set to 1:
 * a batch is {@value #BATCH}, a token sequence {@value #SEQUENCE}, an image side {@value #IMAGE_SIDE}
 * pixels, an audio window {@value #AUDIO_WINDOW} samples (32 ms at 16 kHz), anything else 1. The kind
 * comes from the dimension's name when it says ({@code batch_size}, {@code sequence_length},
 * {@code height}, ...), else from its position: axis 0 is the batch; axis 1 of an integer input of rank
 * 2 a sequence; the spatial axes of a float input of rank 4 (NCHW or NHWC, told by the channel axis) image
 * sides; axis 1 of a float input of rank 2 audio samples and of rank 3 a sequence. A name shared by several
 * inputs gets the size chosen for its first use.
 */
public final class DimensionDefaults {
    /** Default batch size. */
    public static final long BATCH = 1;
    /** Default token sequence length: what sentence encoders such as MiniLM were trained with. */
    public static final long SEQUENCE = 128;
    /** Default image side, ImageNet's usual input. */
    public static final long IMAGE_SIDE = 224;
    /** Default audio window in samples (Silero VAD's window at 16 kHz). */
    public static final long AUDIO_WINDOW = 512;

    /**
     * What a default stands for.
     *
     * @param value the size
     * @param kind  what the dimension was taken to be: batch, sequence, image, audio or other
     */
    public record Choice(long value, String kind) {
    }

    private DimensionDefaults() {
    }

    /**
     * The default size of every unbound dimension of the model's inputs, keyed as bindings name them
     * ({@link ShapeBinding#dimensionKey}: the dimension's name, or {@code input[axis]}).
     *
     * @param bound dimension names and inputs that already have sizes (skipped)
     */
    public static Map<String, Choice> choose(List<ValueInfoProto> inputs, ShapeBinding bound) {
        Map<String, Choice> chosen = new LinkedHashMap<>();
        for (ValueInfoProto input : inputs) {
            if (bound.inputShape(input.getName()).isPresent()) {
                continue;
            }
            TensorShapeProto shape = input.getType().getTensorType().getShape();
            for (int axis = 0; axis < shape.getDimCount(); axis++) {
                TensorShapeProto.Dimension dim = shape.getDim(axis);
                if (dim.hasDimValue() && dim.getDimValue() > 0) {
                    continue;
                }
                String key = ShapeBinding.dimensionKey(input, axis);
                if (bound.dimension(key).isPresent() || chosen.containsKey(key)) {
                    continue;
                }
                chosen.put(key, choose(input, axis, ShapeBinding.dimensionName(input, axis).orElse("")));
            }
        }
        return chosen;
    }

    /** Chosen sizes as text, e.g. {@code x[2]=224 (image), x[3]=224 (image)}. */
    public static String describe(Map<String, Choice> chosen) {
        return chosen.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().value() + " (" + e.getValue().kind() + ")")
                .collect(Collectors.joining(", "));
    }

    private static Choice choose(ValueInfoProto input, int axis, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.contains("batch")) {
            return new Choice(BATCH, "batch");
        }
        if (lower.contains("seq") || lower.contains("length") || lower.contains("token")) {
            return new Choice(SEQUENCE, "sequence");
        }
        if (lower.contains("height") || lower.contains("width")) {
            return new Choice(IMAGE_SIDE, "image");
        }
        if (axis == 0) {
            return new Choice(BATCH, "batch");
        }
        TensorShapeProto shape = input.getType().getTensorType().getShape();
        int rank = shape.getDimCount();
        boolean floating = DataType.fromCode(input.getType().getTensorType().getElemType())
                .map(DataType::isFloatingPoint).orElse(false);
        if (!floating) {
            return rank == 2 && axis == 1 ? new Choice(SEQUENCE, "sequence") : new Choice(1, "other");
        }
        if (rank == 4) {
            boolean channelsLast = isChannelCount(shape.getDim(3)) && !isChannelCount(shape.getDim(1));
            boolean spatial = channelsLast ? axis == 1 || axis == 2 : axis == 2 || axis == 3;
            return spatial ? new Choice(IMAGE_SIDE, "image") : new Choice(1, "other");
        }
        if (rank == 2 && axis == 1) {
            return new Choice(AUDIO_WINDOW, "audio");
        }
        if (rank == 3 && axis == 1) {
            return new Choice(SEQUENCE, "sequence");
        }
        return new Choice(1, "other");
    }

    private static boolean isChannelCount(TensorShapeProto.Dimension dim) {
        return dim.hasDimValue() && (dim.getDimValue() == 1 || dim.getDimValue() == 3 || dim.getDimValue() == 4);
    }
}
