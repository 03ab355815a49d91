package dev.lathe.bench;

import dev.lathe.djl.text.EnglishSentences;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Renders the text images the OCR measurements of static int8 run on, from the English sentences
 * {@code lathe-djl} ships, with the JDK's logical fonts (which physical fonts they map to depends on the
 * machine, so images are equal only between machines with the same fonts): 640×640 pages for text detection
 * (lines of 12 to 33 px in four font families, some bold, near-black on near-white, at varied positions) and
 * 320×48 single lines for recognition (22 to 29 px). Image {@code i} depends only on {@code i}, so the first N
 * of a larger set are the same images.
 */
@Command(name = "rendered-text", mixinStandardHelpOptions = true,
        description = "Writes rendered text pages (640x640) or lines (320x48) as PNG files for --data.")
public final class RenderedText implements Callable<Integer> {
    /** What to render. */
    public enum Kind {
        /** 640×640 pages of text lines, for detection. */
        PAGES,
        /** 320×48 single lines, for recognition. */
        LINES
    }

    private static final String[] FAMILIES = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED, Font.DIALOG};

    @Parameters(index = "0", description = "pages or lines")
    Kind kind;

    @Parameters(index = "1", description = "the folder to write to (created if missing)")
    Path folder;

    @Parameters(index = "2", description = "how many images")
    int count;

    /** Writes {@code count} images of a kind into a folder, named {@code page-0000.png} or {@code line-0000.png}. */
    public static void write(Kind kind, Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        List<String> sentences = EnglishSentences.all();
        for (int i = 0; i < count; i++) {
            BufferedImage image = kind == Kind.PAGES ? page(sentences, i) : line(sentences, i);
            String name = String.format("%s-%04d.png", kind == Kind.PAGES ? "page" : "line", i);
            ImageIO.write(image, "png", folder.resolve(name).toFile());
        }
    }

    /** Page {@code index}: text lines down a 640×640 page until it is full. */
    static BufferedImage page(List<String> sentences, int index) {
        BufferedImage image = new BufferedImage(640, 640, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        Random random = new Random(index);
        g.setColor(new Color(235 + random.nextInt(21), 235 + random.nextInt(21), 235 + random.nextInt(21)));
        g.fillRect(0, 0, 640, 640);
        int y = 30 + random.nextInt(20);
        while (y < 610) {
            int size = 12 + random.nextInt(22);
            g.setColor(new Color(random.nextInt(60), random.nextInt(60), random.nextInt(60)));
            g.setFont(new Font(FAMILIES[random.nextInt(4)], random.nextInt(3) == 0 ? Font.BOLD : Font.PLAIN, size));
            String text = sentences.get(random.nextInt(sentences.size()));
            int length = 10 + random.nextInt(50);
            g.drawString(text.length() > length ? text.substring(0, length) : text, 10 + random.nextInt(120), y + size);
            y += size + 8 + random.nextInt(20);
        }
        g.dispose();
        return image;
    }

    /** Line {@code index}: part of a sentence on a 320×48 strip, cut to fit its width. */
    static BufferedImage line(List<String> sentences, int index) {
        Random random = new Random(1000 + index);
        BufferedImage image = new BufferedImage(320, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(230 + random.nextInt(26), 230 + random.nextInt(26), 230 + random.nextInt(26)));
        g.fillRect(0, 0, 320, 48);
        g.setColor(new Color(random.nextInt(50), random.nextInt(50), random.nextInt(50)));
        int size = 22 + random.nextInt(8);
        g.setFont(new Font(FAMILIES[random.nextInt(4)], random.nextInt(3) == 0 ? Font.BOLD : Font.PLAIN, size));
        FontMetrics metrics = g.getFontMetrics();
        String text = sentences.get(random.nextInt(sentences.size()));
        text = text.substring(random.nextInt(Math.max(1, text.length() / 3))).trim();
        while (text.length() > 1 && metrics.stringWidth(text) > 304) {
            text = text.substring(0, text.length() - 1);
        }
        g.drawString(text.trim(), 4 + random.nextInt(8), 24 + (metrics.getAscent() - metrics.getDescent()) / 2);
        g.dispose();
        return image;
    }

    @Override
    public Integer call() throws IOException {
        write(kind, folder, count);
        System.out.println("wrote " + count + " " + kind.name().toLowerCase(Locale.ROOT) + " to " + folder);
        return 0;
    }

    /** Command line: {@code rendered-text pages|lines FOLDER COUNT}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new RenderedText()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
