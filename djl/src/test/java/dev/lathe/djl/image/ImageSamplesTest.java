package dev.lathe.djl.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSamplesTest {
    @TempDir
    Path dir;

    /** Writes a PNG whose pixel (x, y) is {@code rgb(x, y)}. */
    private Path png(String name, int width, int height, java.util.function.IntBinaryOperator rgb) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static int rgb(int r, int g, int b) {
        return r << 16 | g << 8 | b;
    }

    private static float imagenet(int value, int channel) {
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        return (value / 255f - mean[channel]) / std[channel];
    }

    @Test
    void redImageGivesExactImageNetValuesInNchw() throws IOException {
        Path red = png("red.png", 5, 3, (x, y) -> rgb(255, 0, 0));
        ImageSamples samples = ImageSamples.open(red, "image", ImageSpec.parse("size=5x3"));
        List<Map<String, TensorData>> all = samples.take(10);

        assertThat(all).hasSize(1);
        TensorData tensor = all.get(0).get("image");
        assertThat(tensor.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(tensor.shape()).containsExactly(1, 3, 3, 5);
        float[] values = tensor.toFloatArray();
        for (int p = 0; p < 15; p++) {
            assertThat(values[p]).isEqualTo(imagenet(255, 0));
            assertThat(values[15 + p]).isEqualTo(imagenet(0, 1));
            assertThat(values[30 + p]).isEqualTo(imagenet(0, 2));
        }
        assertThat(samples.description()).contains("red.png").contains("1 image").contains("5x3 rgb nchw");
        assertThat(samples.sizeHint()).hasValue(1);
    }

    @Test
    void bgrSwapsChannelsAndNhwcInterleavesThem() throws IOException {
        Path pixel = png("pixel.png", 2, 1, (x, y) -> x == 0 ? rgb(10, 20, 30) : rgb(40, 50, 60));
        ImageSpec plain = ImageSpec.parse("size=2x1,mean=0/0/0,std=1/1/1,scale=1");

        float[] nchw = ImageSamples.open(pixel, "x", plain).take(1).get(0).get("x").toFloatArray();
        assertThat(nchw).containsExactly(10, 40, 20, 50, 30, 60);

        float[] bgr = ImageSamples.open(pixel, "x", plain.withOrder(ImageSpec.ChannelOrder.BGR))
                .take(1).get(0).get("x").toFloatArray();
        assertThat(bgr).containsExactly(30, 60, 20, 50, 10, 40);

        TensorData nhwc = ImageSamples.open(pixel, "x", plain.withLayout(ImageSpec.Layout.NHWC)).take(1).get(0).get("x");
        assertThat(nhwc.shape()).containsExactly(1, 1, 2, 3);
        assertThat(nhwc.toFloatArray()).containsExactly(10, 20, 30, 40, 50, 60);

        // Mean and std follow the tensor's channel order: with BGR, the first mean applies to blue.
        float[] normalised = ImageSamples.open(pixel, "x", ImageSpec.parse("size=2x1,mean=30/0/0,std=2/1/1,scale=1,order=bgr"))
                .take(1).get(0).get("x").toFloatArray();
        assertThat(normalised[0]).isEqualTo(0f);
        assertThat(normalised[1]).isEqualTo(15f);
    }

    @Test
    void resizesBilinearlyWithHalfPixelCentres() throws IOException {
        // A horizontal gradient 0, 64, 128, 192 over 4 pixels, halved to 2 pixels: centres fall between
        // pixels 0/1 and 2/3, giving 32 and 160 (as cv2.resize with INTER_LINEAR does).
        Path gradient = png("gradient.png", 4, 2, (x, y) -> rgb(x * 64, x * 64, x * 64));
        ImageSpec plain = ImageSpec.parse("size=2x1,mean=0/0/0,std=1/1/1,scale=1");
        TensorData half = ImageSamples.open(gradient, "x", plain).take(1).get(0).get("x");
        assertThat(half.shape()).containsExactly(1, 3, 1, 2);
        assertThat(half.toFloatArray()).containsExactly(32, 160, 32, 160, 32, 160);

        // Upscaling 2 → 4: centres at -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
        Path two = png("two.png", 2, 1, (x, y) -> x == 0 ? rgb(0, 0, 0) : rgb(100, 100, 100));
        float[] up = ImageSamples.open(two, "x", plain.withSize(4, 1)).take(1).get(0).get("x").toFloatArray();
        assertThat(java.util.Arrays.copyOf(up, 4)).containsExactly(0, 25, 75, 100);

        // A uniform image stays exactly uniform at any size.
        Path red = png("red.png", 37, 23, (x, y) -> rgb(255, 0, 0));
        float[] big = ImageSamples.open(red, "x", ImageSpec.parse("size=64x32")).take(1).get(0).get("x").toFloatArray();
        assertThat(big).hasSize(3 * 64 * 32);
        assertThat(big[0]).isEqualTo(imagenet(255, 0));
        assertThat(big[64 * 32 - 1]).isEqualTo(imagenet(255, 0));
        assertThat(big[3 * 64 * 32 - 1]).isEqualTo(imagenet(0, 2));
    }

    @Test
    void folderIsReadInFileNameOrderAndSkipsOtherFiles() throws IOException {
        png("b.png", 1, 1, (x, y) -> rgb(2, 2, 2));
        png("a.png", 1, 1, (x, y) -> rgb(1, 1, 1));
        BufferedImage jpeg = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(jpeg, "jpeg", dir.resolve("c.JPG").toFile());
        Files.writeString(dir.resolve("notes.txt"), "not an image");

        ImageSamples samples = ImageSamples.open(dir, "x", ImageSpec.parse("size=1x1,mean=0/0/0,std=1/1/1,scale=1"));
        assertThat(samples.files()).extracting(path -> path.getFileName().toString())
                .containsExactly("a.png", "b.png", "c.JPG");
        List<Map<String, TensorData>> all = samples.take(10);
        assertThat(all).hasSize(3);
        assertThat(all.get(0).get("x").toFloatArray()[0]).isEqualTo(1f);
        assertThat(all.get(1).get("x").toFloatArray()[0]).isEqualTo(2f);
        assertThat(samples.take(1).get(0).get("x").toFloatArray()[0]).isEqualTo(1f); // re-iterable
    }

    @Test
    void greyImagesGiveTheirValuesInEveryChannel() throws IOException {
        BufferedImage grey = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 100);
        Path file = dir.resolve("grey.png");
        ImageIO.write(grey, "png", file.toFile());
        float[] values = ImageSamples.open(file, "x", ImageSpec.parse("size=1x1,mean=0/0/0,std=1/1/1,scale=1"))
                .take(1).get(0).get("x").toFloatArray();
        assertThat(values).containsExactly(100, 100, 100);
    }

    @Test
    void forModelFindsTheImageInputAndTakesItsFixedSize() throws Exception {
        png("red.png", 10, 10, (x, y) -> rgb(255, 0, 0));
        TestModels.Builder g = TestModels.builder("fixed");
        String image = g.input("pixels", DataType.FLOAT, 1, 3, 4, 6);
        g.input("scale", DataType.FLOAT, 1);
        g.node("ReduceMean", image).intsAttr("axes", 2, 3).intAttr("keepdims", 0).output("mean");
        g.output("mean", DataType.FLOAT, 1, 3);
        OnnxModel model = TestModels.model(g.build());

        ImageSamples samples = ImageSamples.forModel(dir, model, ImageSpec.defaults());
        assertThat(samples.inputName()).isEqualTo("pixels");
        assertThat(samples.spec().width()).isEqualTo(6);
        assertThat(samples.spec().height()).isEqualTo(4);
        assertThat(samples.take(1).get(0).get("pixels").shape()).containsExactly(1, 3, 4, 6);

        assertThatThrownBy(() -> ImageSamples.forModel(dir, model, ImageSpec.parse("size=8x8")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pixels").hasMessageContaining("[1, 3, 4, 6]").hasMessageContaining("size=8x8");
        assertThatThrownBy(() -> ImageSamples.forModel(dir, model, ImageSpec.parse("layout=nhwc")))
                .hasMessageContaining("pixels").hasMessageContaining("6 channels").hasMessageContaining("layout=nhwc");
    }

    @Test
    void forModelWithSymbolicSizeNeedsTheSpecSizeAndFeedsTheModel() throws Exception {
        png("a.png", 50, 40, (x, y) -> rgb(x * 5, y * 6, 128));
        OnnxModel cnn = TestModels.cnnWithBatchNorm(); // image [1, 3, height, width]
        assertThatThrownBy(() -> ImageSamples.forModel(dir, cnn, ImageSpec.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image").hasMessageContaining("[1, 3, ?, ?]").hasMessageContaining("size=WIDTHxHEIGHT");

        ImageSamples samples = ImageSamples.forModel(dir, cnn, ImageSpec.parse("size=64x32"));
        Map<String, TensorData> sample = samples.take(1).get(0);
        assertThat(sample.get("image").shape()).containsExactly(1, 3, 32, 64);
        try (ModelSession session = ModelSession.open(cnn, SessionSettings.cpu())) {
            assertThat(session.run(sample).get("logits").shape()).containsExactly(1, 2);
        }
    }

    @Test
    void forModelRejectsModelsWithoutOrWithSeveralImageInputs() {
        assertThatThrownBy(() -> ImageSamples.forModel(dir, TestModels.mlp(), ImageSpec.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no float32 rank-4 image input").hasMessageContaining("x FLOAT [?, 4]");

        TestModels.Builder g = TestModels.builder("two_images");
        String a = g.input("left", DataType.FLOAT, 1, 3, 8, 8);
        String b = g.input("right", DataType.FLOAT, 1, 3, 8, 8);
        g.node("Add", a, b).output("sum");
        g.output("sum", DataType.FLOAT, 1, 3, 8, 8);
        OnnxModel two = TestModels.model(g.build());
        assertThatThrownBy(() -> ImageSamples.forModel(dir, two, ImageSpec.defaults()))
                .hasMessageContaining("2 float32 rank-4 inputs [left, right]");
    }

    @Test
    void errorsNameTheFileOrFolder() throws IOException {
        ImageSpec spec = ImageSpec.parse("size=4x4");
        assertThatThrownBy(() -> ImageSamples.open(dir, "x", spec))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(dir.toString())
                .hasMessageContaining("no .png, .jpg or .jpeg");
        assertThatThrownBy(() -> ImageSamples.open(dir.resolve("missing.png"), "x", spec))
                .hasMessageContaining("missing.png: no such file");
        Path text = Files.writeString(dir.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> ImageSamples.open(text, "x", spec)).hasMessageContaining("notes.txt: not an image");
        Path red = png("red.png", 2, 2, (x, y) -> rgb(255, 0, 0));
        assertThatThrownBy(() -> ImageSamples.open(red, "x", ImageSpec.defaults()))
                .hasMessageContaining("red.png").hasMessageContaining("size=WIDTHxHEIGHT");

        Path broken = Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3, 4});
        ImageSamples samples = ImageSamples.open(broken, "x", spec);
        assertThatThrownBy(() -> samples.iterator().next())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broken.png");
    }
}
