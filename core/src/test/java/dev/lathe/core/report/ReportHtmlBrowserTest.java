package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.testing.HeadlessChromium;
import dev.lathe.core.testing.ReportFixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report opened in a real browser, Debian's headless Chromium: the charts must be in the DOM it
 * builds, and its screenshot must show the bars. Skipped where Chromium is not installed. The screenshots
 * are kept in {@code target/report-screenshots/} for a look by eye.
 */
class ReportHtmlBrowserTest {
    private static final List<String> CHARTS = List.of("chart-size", "chart-macs", "chart-latency", "chart-memory");
    private static final Pattern RECT = Pattern.compile("<rect\\b[^>]*\\bclass=\"bar (before|after)\"[^>]*>");
    private static final Pattern WIDTH = Pattern.compile("\\bwidth=\"([0-9.]+)\"");
    /** The bar colors of the page's CSS ({@code --before}, {@code --after}). */
    private static final int BEFORE_RGB = 0x9aa5b1;
    private static final int AFTER_RGB = 0x2680c2;

    @TempDir
    Path folder;

    @Test
    void renderedDomHasFourChartsWithMeasuredBars() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.assumeInstalled(folder);
        String dom = chromium.dumpDom(page("report.html", ReportHtml.render(ReportFixtures.passed())));

        for (String id : CHARTS) {
            String svg = ReportHtmlTest.svg(dom, id);
            assertThat(svg).contains("role=\"img\"");
            assertThat(barWidths(svg)).as("bar widths in %s", id).hasSize(2).allMatch(width -> width > 0);
            assertThat(svg).doesNotContain("not measured");
        }
    }

    @Test
    void renderedDomSaysNotMeasuredForMemory() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.assumeInstalled(folder);
        String dom = chromium.dumpDom(page("failed.html", ReportHtml.render(ReportFixtures.failedWrittenAnyway())));

        String memory = ReportHtmlTest.svg(dom, "chart-memory");
        assertThat(barWidths(memory)).isEmpty();
        assertThat(memory).contains("not measured");
        for (String id : List.of("chart-size", "chart-macs", "chart-latency")) {
            assertThat(barWidths(ReportHtmlTest.svg(dom, id))).as(id).hasSize(2).allMatch(width -> width > 0);
        }
        assertThat(dom).contains("role=\"alert\"");
    }

    @Test
    void screenshotShowsTheBars() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.assumeInstalled(folder);
        assertBarsDrawn(chromium, "report", ReportFixtures.passed());
        assertBarsDrawn(chromium, "failed", ReportFixtures.failedWrittenAnyway());
    }

    private void assertBarsDrawn(HeadlessChromium chromium, String name, OptimizationReport report) throws Exception {
        Path png = Files.createDirectories(Path.of("target", "report-screenshots")).resolve(name + ".png");
        Files.deleteIfExists(png);
        chromium.screenshot(page(name + ".html", ReportHtml.render(report)), png, 1280, 2400);

        assertThat(Files.size(png)).as("size of %s", png).isPositive();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("%s decodes as an image", png).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1280);
        assertThat(image.getHeight()).isEqualTo(2400);
        // A bar is 26 SVG units high and 70 to 270 wide, drawn at about 1.1 pixels per unit: a few thousand
        // pixels of each bar color mean the bars were painted.
        assertThat(pixels(image, BEFORE_RGB)).as("before-bar pixels in %s", png).isGreaterThan(3000);
        assertThat(pixels(image, AFTER_RGB)).as("after-bar pixels in %s", png).isGreaterThan(3000);
    }

    private Path page(String name, String html) throws IOException {
        return Files.writeString(folder.resolve(name), html);
    }

    private static List<Double> barWidths(String svg) {
        Matcher rects = RECT.matcher(svg);
        List<Double> widths = new ArrayList<>();
        while (rects.find()) {
            Matcher width = WIDTH.matcher(rects.group());
            assertThat(width.find()).as("width of %s", rects.group()).isTrue();
            widths.add(Double.parseDouble(width.group(1)));
        }
        return widths;
    }

    private static long pixels(BufferedImage image, int rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
