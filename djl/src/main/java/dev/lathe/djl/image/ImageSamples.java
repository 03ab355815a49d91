package dev.lathe.djl.image;

import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.djl.image.ImageSpec.Layout;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images as model input samples: a PNG or JPEG file, or a folder of them (taken in the order of their file
 * names; names starting with a dot are skipped), one sample per image, {@code {input: float32 [1, 3, H, W]}}
 * (or {@code [1, H, W, 3]} for {@link Layout#NHWC}). Each image is decoded with {@link ImageIO} when its
 * sample is reached, resized to the spec's size and normalised as {@link ImageSpec} describes; alpha is
 * ignored and grey images give three equal channels.
 *
 * <p>Resizing is bilinear with half-pixel centres and no antialiasing, rounding to 8-bit values, as OpenCV's
 * {@code cv2.resize(..., INTER_LINEAR)} does (the resize PaddleOCR and most Python pipelines apply), so that
 * samples match what the model saw in training as closely as plain Java allows.
 */
public final class ImageSamples implements SampleSource {
    private final Path location;
    private final List<Path> files;
    private final String inputName;
    private final ImageSpec spec;

    private ImageSamples(Path location, List<Path> files, String inputName, ImageSpec spec) {
        this.location = location;
        this.files = files;
        this.inputName = inputName;
        this.spec = spec;
    }

    /**
     * The images of a file or folder, fed to the input named {@code inputName}.
     *
     * @param spec must have a size ({@link ImageSpec#hasSize()})
     * @throws IOException              if the folder cannot be listed
     * @throws IllegalArgumentException if the location does not exist, is not a PNG/JPEG file, is a folder
     *                                  without one, or the spec has no size (each message names it)
     */
    public static ImageSamples open(Path fileOrFolder, String inputName, ImageSpec spec) throws IOException {
        if (!spec.hasSize()) {
            throw new IllegalArgumentException(fileOrFolder + ": the image spec gives no size; add size=WIDTHxHEIGHT"
                    + " (or use forModel to take it from the model)");
        }
        return new ImageSamples(fileOrFolder, list(fileOrFolder), inputName, spec);
    }

    /**
     * The images of a file or folder, fed to the model's image input: its only float input of rank 4. The
     * target size is the spec's, or, when the spec gives none, the input's height and width when they are
     * fixed. The input's channel dimension (position 1 for NCHW, 3 for NHWC) must be 3 or symbolic and its
     * batch dimension 1 or symbolic.
     *
     * @throws IOException              if the folder cannot be listed
     * @throws IllegalArgumentException if the location holds no image (naming it), or the model has no
     *                                  float rank-4 input or several, or its shape contradicts the spec (naming
     *                                  the input, its shape and the option to change)
     */
    public static ImageSamples forModel(Path fileOrFolder, OnnxModel model, ImageSpec spec) throws IOException {
        ValueInfoProto input = imageInput(model);
        String name = input.getName();
        long[] dims = dims(input);
        boolean nchw = spec.layout() == Layout.NCHW;
        int channelAxis = nchw ? 1 : 3;
        int heightAxis = nchw ? 2 : 1;
        int widthAxis = nchw ? 3 : 2;
        if (dims[channelAxis] > 0 && dims[channelAxis] != 3) {
            int otherAxis = nchw ? 3 : 1;
            String hint = dims[otherAxis] == 3 ? "; its layout looks like " + (nchw ? "nhwc" : "nchw")
                    + ", try layout=" + (nchw ? "nhwc" : "nchw") : "";
            throw new IllegalArgumentException(model.source() + ": input " + name + " has shape "
                    + shapeText(dims) + ", which has " + dims[channelAxis] + " channels at axis " + channelAxis
                    + " for layout=" + spec.layout().name().toLowerCase(Locale.ROOT) + ", not 3" + hint);
        }
        if (dims[0] > 1) {
            throw new IllegalArgumentException(model.source() + ": input " + name + " has shape "
                    + shapeText(dims) + " with a fixed batch of " + dims[0] + "; image samples have batch 1");
        }
        long modelHeight = dims[heightAxis];
        long modelWidth = dims[widthAxis];
        ImageSpec sized = spec;
        if (spec.hasSize()) {
            if (modelHeight > 0 && modelHeight != spec.height() || modelWidth > 0 && modelWidth != spec.width()) {
                throw new IllegalArgumentException(model.source() + ": input " + name + " has shape "
                        + shapeText(dims) + " but the image spec says size=" + spec.width() + "x" + spec.height()
                        + " (WIDTHxHEIGHT); leave size out to take it from the model");
            }
        } else if (modelHeight > 0 && modelWidth > 0) {
            sized = spec.withSize((int) modelWidth, (int) modelHeight);
        } else {
            throw new IllegalArgumentException(model.source() + ": input " + name + " has shape "
                    + shapeText(dims) + " with a symbolic height or width; give the size in the image spec,"
                    + " size=WIDTHxHEIGHT (PP-OCR detection wants multiples of 32, e.g. 960x960)");
        }
        return new ImageSamples(fileOrFolder, list(fileOrFolder), name, sized);
    }

    /** Whether a path names a regular file whose name ends in .png, .jpg or .jpeg (any case). */
    public static boolean isImageFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path) && !name.startsWith(".")
                && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    private static List<Path> list(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            List<Path> images;
            try (Stream<Path> children = Files.list(location)) {
                images = children.filter(ImageSamples::isImageFile)
                        .sorted(Comparator.comparing(path -> path.getFileName().toString())).toList();
            }
            if (images.isEmpty()) {
                throw new IllegalArgumentException(location + ": the folder holds no .png, .jpg or .jpeg images");
            }
            return images;
        }
        if (!Files.exists(location)) {
            throw new IllegalArgumentException(location + ": no such file or folder");
        }
        if (!isImageFile(location)) {
            throw new IllegalArgumentException(location + ": not an image (.png, .jpg, .jpeg) or a folder of them");
        }
        return List.of(location);
    }

    private static ValueInfoProto imageInput(OnnxModel model) {
        List<ValueInfoProto> inputs = model.graph().inputs();
        List<ValueInfoProto> candidates = new ArrayList<>();
        for (ValueInfoProto input : inputs) {
            if (input.getType().hasTensorType()
                    && input.getType().getTensorType().getElemType() == DataType.FLOAT.code()
                    && input.getType().getTensorType().hasShape()
                    && input.getType().getTensorType().getShape().getDimCount() == 4) {
                candidates.add(input);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        String all = inputs.stream().map(input -> input.getName() + " " + describe(input)).toList().toString();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(model.source() + ": no float32 rank-4 image input among the"
                    + " model's inputs " + all);
        }
        throw new IllegalArgumentException(model.source() + ": " + candidates.size()
                + " float32 rank-4 inputs " + candidates.stream().map(ValueInfoProto::getName).toList()
                + "; image samples feed a model with exactly one");
    }

    private static String describe(ValueInfoProto input) {
        if (!input.getType().hasTensorType()) {
            return "(not a tensor)";
        }
        int code = input.getType().getTensorType().getElemType();
        String type = DataType.fromCode(code).map(Enum::name).orElse("type " + code);
        return type + (input.getType().getTensorType().hasShape() ? " " + shapeText(dims(input)) : "");
    }

    /** The input's dimensions, -1 for symbolic or unknown ones. */
    private static long[] dims(ValueInfoProto input) {
        List<TensorShapeProto.Dimension> list = input.getType().getTensorType().getShape().getDimList();
        long[] dims = new long[list.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = list.get(i).hasDimValue() && list.get(i).getDimValue() > 0 ? list.get(i).getDimValue() : -1;
        }
        return dims;
    }

    private static String shapeText(long[] dims) {
        return Arrays.toString(Arrays.stream(dims).mapToObj(d -> d < 0 ? "?" : Long.toString(d)).toArray());
    }

    /** The model input the samples feed. */
    public String inputName() {
        return inputName;
    }

    /** The spec images are converted with; it always has a size. */
    public ImageSpec spec() {
        return spec;
    }

    /** The image files, in the order their samples come. */
    public List<Path> files() {
        return files;
    }

    @Override
    public String description() {
        return location + " (" + files.size() + (files.size() == 1 ? " image, " : " images, ") + spec.width() + "x"
                + spec.height() + " " + spec.order().name().toLowerCase(Locale.ROOT) + " "
                + spec.layout().name().toLowerCase(Locale.ROOT) + ")";
    }

    @Override
    public OptionalLong sizeHint() {
        return OptionalLong.of(files.size());
    }

    /**
     * Decodes the images one by one.
     *
     * @throws UncheckedIOException     from {@code next()} when a file cannot be read (naming it)
     * @throws IllegalArgumentException from {@code next()} when ImageIO cannot decode a file (naming it)
     */
    @Override
    public Iterator<Map<String, TensorData>> iterator() {
        Iterator<Path> images = files.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return images.hasNext();
            }

            @Override
            public Map<String, TensorData> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return Map.of(inputName, toTensor(read(images.next()), spec));
            }
        };
    }

    private static BufferedImage read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            BufferedImage image = ImageIO.read(in);
            if (image == null) {
                throw new IllegalArgumentException(file + ": not an image ImageIO can decode (PNG or JPEG)");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the image: " + e.getMessage(), e);
        }
    }

    /**
     * Converts one decoded image: resized to the spec's size, normalised, laid out as the spec says, with a
     * batch dimension of 1.
     *
     * @throws IllegalArgumentException if the spec has no size
     */
    public static TensorData toTensor(BufferedImage image, ImageSpec spec) {
        if (!spec.hasSize()) {
            throw new IllegalArgumentException("the image spec gives no size; add size=WIDTHxHEIGHT");
        }
        int[][] rgb = resize(rgbPlanes(image), image.getWidth(), image.getHeight(), spec.width(), spec.height());
        int width = spec.width();
        int height = spec.height();
        int pixels = width * height;
        float[] values = new float[pixels * 3];
        boolean nchw = spec.layout() == Layout.NCHW;
        for (int channel = 0; channel < 3; channel++) {
            int[] plane = rgb[spec.order() == ImageSpec.ChannelOrder.RGB ? channel : 2 - channel];
            for (int p = 0; p < pixels; p++) {
                values[nchw ? channel * pixels + p : p * 3 + channel] = spec.normalise(plane[p], channel);
            }
        }
        long[] shape = nchw ? new long[] {1, 3, height, width} : new long[] {1, height, width, 3};
        return TensorData.ofFloats(shape, values);
    }

    /** Red, green and blue planes, row by row, values 0..255. */
    private static int[][] rgbPlanes(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[][] planes = new int[3][width * height];
        int type = image.getType();
        if (type == BufferedImage.TYPE_BYTE_GRAY || type == BufferedImage.TYPE_USHORT_GRAY) {
            // getRGB would convert grey through a linear colour space and brighten it; read the samples.
            Raster raster = image.getRaster();
            int bits = raster.getSampleModel().getSampleSize(0);
            int[] grey = raster.getSamples(0, 0, width, height, 0, (int[]) null);
            for (int p = 0; p < grey.length; p++) {
                int value = bits == 8 ? grey[p] : Math.round(grey[p] * 255f / ((1 << bits) - 1));
                planes[0][p] = value;
                planes[1][p] = value;
                planes[2][p] = value;
            }
            return planes;
        }
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        for (int p = 0; p < argb.length; p++) {
            planes[0][p] = (argb[p] >> 16) & 0xff;
            planes[1][p] = (argb[p] >> 8) & 0xff;
            planes[2][p] = argb[p] & 0xff;
        }
        return planes;
    }

    /** Bilinear resize with half-pixel centres (OpenCV's INTER_LINEAR), rounded to integers. */
    private static int[][] resize(int[][] planes, int width, int height, int targetWidth, int targetHeight) {
        if (width == targetWidth && height == targetHeight) {
            return planes;
        }
        int[] x0 = new int[targetWidth];
        int[] x1 = new int[targetWidth];
        float[] fx = new float[targetWidth];
        axis(width, targetWidth, x0, x1, fx);
        int[] y0 = new int[targetHeight];
        int[] y1 = new int[targetHeight];
        float[] fy = new float[targetHeight];
        axis(height, targetHeight, y0, y1, fy);
        int[][] resized = new int[planes.length][targetWidth * targetHeight];
        for (int c = 0; c < planes.length; c++) {
            int[] src = planes[c];
            int[] dst = resized[c];
            for (int y = 0; y < targetHeight; y++) {
                int row0 = y0[y] * width;
                int row1 = y1[y] * width;
                for (int x = 0; x < targetWidth; x++) {
                    float top = src[row0 + x0[x]] + (src[row0 + x1[x]] - src[row0 + x0[x]]) * fx[x];
                    float bottom = src[row1 + x0[x]] + (src[row1 + x1[x]] - src[row1 + x0[x]]) * fx[x];
                    float value = top + (bottom - top) * fy[y];
                    dst[y * targetWidth + x] = Math.min(255, Math.max(0, Math.round(value)));
                }
            }
        }
        return resized;
    }

    /** Source neighbours and weights along one axis: centre (i + 0.5) · in/out − 0.5, clamped to the edges. */
    private static void axis(int in, int out, int[] lower, int[] upper, float[] fraction) {
        double ratio = (double) in / out;
        for (int i = 0; i < out; i++) {
            double centre = Math.max(0, (i + 0.5) * ratio - 0.5);
            int low = Math.min((int) Math.floor(centre), in - 1);
            lower[i] = low;
            upper[i] = Math.min(low + 1, in - 1);
            fraction[i] = (float) (centre - low);
        }
    }
}
