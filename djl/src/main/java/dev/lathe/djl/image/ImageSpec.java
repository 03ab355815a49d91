package dev.lathe.djl.image;

import dev.lathe.djl.SpecText;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How an image becomes a model input: the size it is resized to, the per-channel normalisation, the channel
 * order and the tensor layout. Every pixel channel value {@code v} in 0..255 becomes
 * {@code (v / scale - mean[c]) / std[c]}, where {@code c} counts channels in the spec's order.
 *
 * <p>The defaults are those of ImageNet classifiers: no size (taken from the model when its input has a fixed
 * height and width), {@code scale} 255, mean 0.485/0.456/0.406, std 0.229/0.224/0.225, RGB, NCHW. PaddleOCR
 * applies the same numbers to OpenCV's BGR images, so PP-OCR models want {@code order=bgr} with them (and a
 * size whose sides are multiples of 32 for detection). Instances are immutable; the {@code with*} methods
 * return copies.
 */
public final class ImageSpec {
    /** The keys {@link #parse(String)} accepts. */
    public static final Set<String> KEYS = Set.of("size", "mean", "std", "order", "layout", "scale");

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final ImageSpec DEFAULTS = new ImageSpec(0, 0, IMAGENET_MEAN, IMAGENET_STD, 255f,
            ChannelOrder.RGB, Layout.NCHW);

    /** The order of the three colour channels in the tensor. */
    public enum ChannelOrder {
        /** Red, green, blue (PyTorch, torchvision, PaddleOCR after its own conversion). */
        RGB,
        /** Blue, green, red (OpenCV-decoded images, Caffe models). */
        BGR
    }

    /** The layout of the image tensor. */
    public enum Layout {
        /** [1, 3, height, width]: channels first (PyTorch, Paddle exports). */
        NCHW,
        /** [1, height, width, 3]: channels last (TensorFlow exports). */
        NHWC
    }

    private final int width;
    private final int height;
    private final float[] mean;
    private final float[] std;
    private final float scale;
    private final ChannelOrder order;
    private final Layout layout;

    private ImageSpec(int width, int height, float[] mean, float[] std, float scale, ChannelOrder order,
            Layout layout) {
        this.width = width;
        this.height = height;
        this.mean = mean.clone();
        this.std = std.clone();
        this.scale = scale;
        this.order = Objects.requireNonNull(order, "order");
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /** The defaults: no size, ImageNet mean and std, scale 255, RGB, NCHW. */
    public static ImageSpec defaults() {
        return DEFAULTS;
    }

    /**
     * Parses command-line text of comma-separated {@code key=value} pairs, each key at most once, for example
     * {@code size=224x224,mean=0.485/0.456/0.406,std=0.229/0.224/0.225,order=rgb,layout=nchw}. Keys:
     * {@code size} ({@code WIDTHxHEIGHT}, or one number for a square), {@code mean} and {@code std} (three
     * numbers separated by {@code /}, in the spec's channel order; std positive), {@code scale} (positive
     * divisor applied before mean and std, 255 by default; 1 keeps 0..255), {@code order} ({@code rgb} or
     * {@code bgr}) and {@code layout} ({@code nchw} or {@code nhwc}). Keys left out keep their defaults; blank
     * text gives {@link #defaults()}.
     *
     * @throws IllegalArgumentException naming the bad key or value and listing the valid ones
     */
    public static ImageSpec parse(String text) {
        ImageSpec spec = DEFAULTS;
        for (Map.Entry<String, String> pair : SpecText.pairs("image spec", text, KEYS, keyList()).entrySet()) {
            String key = pair.getKey();
            String value = pair.getValue();
            spec = switch (key) {
                case "size" -> parseSize(spec, value);
                case "mean" -> spec.withMean(triple(key, value));
                case "std" -> spec.withStd(triple(key, value));
                case "scale" -> spec.withScale(number(key, value));
                case "order" -> spec.withOrder(choice(key, value, ChannelOrder.class));
                case "layout" -> spec.withLayout(choice(key, value, Layout.class));
                default -> throw new IllegalStateException(key);
            };
        }
        return spec;
    }

    private static String keyList() {
        return "size=WxH, mean=R/G/B, std=R/G/B, scale=N, order=rgb|bgr, layout=nchw|nhwc";
    }

    private static ImageSpec parseSize(ImageSpec spec, String value) {
        String[] parts = value.toLowerCase(Locale.ROOT).split("x", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("image spec: size=" + value + " is not WIDTHxHEIGHT (e.g. 224x224)");
        }
        try {
            int w = Integer.parseInt(parts[0].strip());
            int h = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : w;
            return spec.withSize(w, h);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image spec: size=" + value + " is not WIDTHxHEIGHT (e.g. 224x224)", e);
        }
    }

    private static float[] triple(String key, String value) {
        String[] parts = value.split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("image spec: " + key + "=" + value
                    + " needs three numbers separated by / (e.g. 0.485/0.456/0.406)");
        }
        float[] values = new float[3];
        for (int i = 0; i < 3; i++) {
            values[i] = number(key, parts[i]);
        }
        return values;
    }

    private static float number(String key, String value) {
        try {
            float number = Float.parseFloat(value.strip());
            if (!Float.isFinite(number)) {
                throw new NumberFormatException(value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image spec: " + key + " has \"" + value + "\", not a number", e);
        }
    }

    private static <E extends Enum<E>> E choice(String key, String value, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("image spec: " + key + "=" + value + " is not one of "
                + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * A copy with the given target size (any positive size; PP-OCR detection wants multiples of 32, which is
     * the caller's choice, not checked here).
     *
     * @throws IllegalArgumentException if a side is not positive
     */
    public ImageSpec withSize(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image spec: size=" + width + "x" + height + " must be positive");
        }
        return new ImageSpec(width, height, mean, std, scale, order, layout);
    }

    /** A copy with the given per-channel means (after scaling), in the spec's channel order. */
    public ImageSpec withMean(float... mean) {
        return new ImageSpec(width, height, checkTriple("mean", mean, false), std, scale, order, layout);
    }

    /**
     * A copy with the given per-channel standard deviations, in the spec's channel order.
     *
     * @throws IllegalArgumentException if there are not three or one is not positive
     */
    public ImageSpec withStd(float... std) {
        return new ImageSpec(width, height, mean, checkTriple("std", std, true), scale, order, layout);
    }

    /**
     * A copy with the given divisor applied before mean and std (255 maps 0..255 to 0..1).
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public ImageSpec withScale(float scale) {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("image spec: scale=" + scale + " must be positive");
        }
        return new ImageSpec(width, height, mean, std, scale, order, layout);
    }

    /** A copy with the given channel order. */
    public ImageSpec withOrder(ChannelOrder order) {
        return new ImageSpec(width, height, mean, std, scale, order, layout);
    }

    /** A copy with the given tensor layout. */
    public ImageSpec withLayout(Layout layout) {
        return new ImageSpec(width, height, mean, std, scale, order, layout);
    }

    private static float[] checkTriple(String key, float[] values, boolean positive) {
        if (values == null || values.length != 3) {
            throw new IllegalArgumentException("image spec: " + key + " needs three values, got "
                    + (values == null ? "none" : values.length));
        }
        for (float value : values) {
            if (!Float.isFinite(value) || positive && !(value > 0)) {
                throw new IllegalArgumentException("image spec: " + key + "=" + Arrays.toString(values)
                        + (positive ? " must be positive" : " must be finite"));
            }
        }
        return values;
    }

    /** Whether a size was given; without one, the size comes from the model. */
    public boolean hasSize() {
        return width > 0;
    }

    /** Target width in pixels, 0 when no size was given. */
    public int width() {
        return width;
    }

    /** Target height in pixels, 0 when no size was given. */
    public int height() {
        return height;
    }

    /** Per-channel means, in the spec's channel order (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviations, in the spec's channel order (a copy). */
    public float[] std() {
        return std.clone();
    }

    /** The divisor applied to 0..255 values before mean and std. */
    public float scale() {
        return scale;
    }

    /** The channel order. */
    public ChannelOrder order() {
        return order;
    }

    /** The tensor layout. */
    public Layout layout() {
        return layout;
    }

    /** The normalised value of channel value {@code value} (0..255) at channel {@code channel} of the tensor. */
    float normalise(int value, int channel) {
        return (value / scale - mean[channel]) / std[channel];
    }

    /** The spec as {@link #parse(String)} text; parsing it gives an equal spec. */
    @Override
    public String toString() {
        String text = hasSize() ? "size=" + width + "x" + height + "," : "";
        return text + "mean=" + slashed(mean) + ",std=" + slashed(std) + ",scale=" + scale
                + ",order=" + order.name().toLowerCase(Locale.ROOT) + ",layout=" + layout.name().toLowerCase(Locale.ROOT);
    }

    private static String slashed(float[] values) {
        return values[0] + "/" + values[1] + "/" + values[2];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageSpec that && width == that.width && height == that.height
                && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std)
                && Float.compare(scale, that.scale) == 0 && order == that.order && layout == that.layout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, height, Arrays.hashCode(mean), Arrays.hashCode(std), scale, order, layout);
    }
}
