package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.djl.text.EnglishSentences;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe optimize --prune structured:0.25} on PP-OCRv3 text detection with pages of English text
 * rendered here (the JDK's fonts, DejaVu on Debian) as {@code --data}: the task is detected as a dense map,
 * and the text map of the pruned model overlaps the original's on the held-out pages. Without data the pass
 * refuses rather than destroy the detector (its data-free form kept an IoU of 0.005).
 */
@Tag("slow")
class RealImagesOptimizeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGES = 8;
    @TempDir
    static Path folder;
    private static Path model;
    private static Path pages;

    @BeforeAll
    static void renderPagesAndCopyTheModel() throws Exception {
        model = folder.resolve("det.onnx");
        try (InputStream in = RealImagesOptimizeTest.class.getResourceAsStream("/models/ch_PP-OCRv3_det_infer.onnx")) {
            Files.copy(in, model);
        }
        pages = Files.createDirectories(folder.resolve("pages"));
        List<String> sentences = EnglishSentences.all();
        for (int page = 0; page < PAGES; page++) {
            BufferedImage image = new BufferedImage(640, 640, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 640, 640);
            g.setColor(Color.BLACK);
            int y = 40;
            for (int line = 0; y < 600; line++) {
                int size = 14 + (page * 3 + line * 5) % 16;
                g.setFont(new Font(Font.SANS_SERIF, line % 3 == 0 ? Font.BOLD : Font.PLAIN, size));
                String text = sentences.get((page * 17 + line) % sentences.size());
                g.drawString(text.length() > 48 ? text.substring(0, 48) : text, 20 + (line % 4) * 10, y);
                y += size + 14;
            }
            g.dispose();
            ImageIO.write(image, "png", pages.resolve(String.format("page-%02d.png", page)).toFile());
        }
    }

    @Test
    void prunedDetectorKeepsFindingTextOnHeldOutPages() throws Exception {
        Path report = folder.resolve("pruned.json");
        CommandRun run = CommandRun.of("optimize", model.toString(), "-o", folder.resolve("det.pruned.onnx").toString(),
                "--prune", "structured:0.25", "--data", pages.toString(), "--image", "size=640x640,order=bgr",
                "--runs", "2", "--warmup", "1", "--memory", "none", "--report", report.toString(), "--quiet");

        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.at("/validation/task").asText()).isEqualTo("dense-map");
        assertThat(json.at("/validation/taskMetrics/map-iou").asDouble()).isGreaterThan(0.9);
        assertThat(json.at("/validation/passed").asBoolean()).isTrue();
        assertThat(json.at("/data/validation/samples").asInt()).isEqualTo(PAGES / 4);
        assertThat(json.at("/data/calibration/samples").asInt()).isEqualTo(PAGES - PAGES / 4);
        assertThat(json.at("/inputShapes/x").toString()).isEqualTo("[1,3,640,640]");
        assertThat(json.at("/after/macs").asLong()).isLessThan(json.at("/before/macs").asLong() * 9 / 10);
    }

    @Test
    void staticInt8DetectorRunsIntegerConvolutionsAndKeepsTheTextMap() throws Exception {
        Path report = folder.resolve("static.json");
        Path quantized = folder.resolve("det.static.onnx");
        CommandRun run = CommandRun.of("optimize", model.toString(), "-o", quantized.toString(),
                "--quantize", "static", "--data", pages.toString(), "--image", "size=640x640,order=bgr",
                "--runs", "2", "--warmup", "1", "--memory", "none", "--report", report.toString(), "--quiet");

        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.at("/validation/taskMetrics/map-iou").asDouble()).isGreaterThan(0.85);
        JsonNode details = json.at("/steps/0/details");
        assertThat(details.at("/batchNormsFolded").asInt()).isEqualTo(48);
        assertThat(details.at("/quantized/Conv").asInt() + details.at("/quantized/Conv+Relu").asInt()).isEqualTo(72);
        assertThat(details.at("/calibration").asText())
                .isEqualTo("percentile 99.99 over " + (PAGES - PAGES / 4) + " samples; the model's outputs keep their whole "
                        + "range (min/max)");
        assertThat(details.at("/biasCorrection").asText()).startsWith("48 convolutions, means over " + (PAGES - PAGES / 4)
                + " calibration samples").endsWith("; 24 without a bias left as they are");
        assertThat(json.at("/after/sizeBytes").asLong()).isLessThan(json.at("/before/sizeBytes").asLong() * 35 / 100);
        assertThat(json.at("/after/macsByPrecision/int8").asLong()).isGreaterThan(json.at("/after/macs").asLong() * 9 / 10);
    }

    @Test
    void withoutDataStructuredPruningRefuses() {
        CommandRun run = CommandRun.of("optimize", model.toString(), "-o", folder.resolve("det.blind.onnx").toString(),
                "--prune", "structured:0.25", "--runs", "2", "--warmup", "1", "--memory", "none", "--quiet");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("prune.structured needs real calibration data", "--data", "importance=magnitude");
        assertThat(folder.resolve("det.blind.onnx")).doesNotExist();
    }
}
