package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rendered text images: sizes, text on them, and image i the same whatever the count. */
class RenderedTextTest {
    @TempDir
    Path folder;

    private static int darkPixels(BufferedImage image) {
        int dark = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255) < 3 * 100) {
                    dark++;
                }
            }
        }
        return dark;
    }

    @Test
    void pagesAndLinesHaveTheirSizesAndTextAndDoNotDependOnTheCount() throws Exception {
        RenderedText.write(RenderedText.Kind.PAGES, folder.resolve("few"), 1);
        RenderedText.write(RenderedText.Kind.PAGES, folder.resolve("more"), 3);
        RenderedText.write(RenderedText.Kind.LINES, folder.resolve("lines"), 2);

        assertThat(Files.readAllBytes(folder.resolve("few/page-0000.png")))
                .isEqualTo(Files.readAllBytes(folder.resolve("more/page-0000.png")));
        assertThat(folder.resolve("more").toFile().list()).containsExactlyInAnyOrder("page-0000.png", "page-0001.png",
                "page-0002.png");
        BufferedImage page = ImageIO.read(folder.resolve("more/page-0001.png").toFile());
        assertThat(page.getWidth()).isEqualTo(640);
        assertThat(page.getHeight()).isEqualTo(640);
        // Several lines of text: at least a few percent of the page is ink.
        assertThat(darkPixels(page)).isGreaterThan(640 * 640 / 50);
        BufferedImage line = ImageIO.read(folder.resolve("lines/line-0001.png").toFile());
        assertThat(line.getWidth()).isEqualTo(320);
        assertThat(line.getHeight()).isEqualTo(48);
        assertThat(darkPixels(line)).isGreaterThan(320 * 48 / 20);
    }
}
