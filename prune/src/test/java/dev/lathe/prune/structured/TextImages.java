package dev.lathe.prune.structured;

import dev.lathe.core.model.TensorData;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Images of rendered text for the PP-OCR detector, drawn headless with java.awt: dark lines of words in a few
 * fonts and sizes on a light, slightly textured background, as float tensors [1, 3, height, width] normalized
 * the way PP-OCR expects (RGB, CHW, mean 0.485/0.456/0.406, std 0.229/0.224/0.225).
 */
final class TextImages {
    private static final String[] WORDS = {"Lathe", "prunes", "ONNX", "models", "invoice", "total", "2024-06-11",
        "receipt", "No. 4711", "structured", "channels", "Hello", "world", "detection", "12.50 EUR", "quantity", "street",
        "Open Monday to Friday", "price", "VAT 19%", "text", "line", "page", "ticket", "order", "Berlin", "London"};
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private TextImages() {
    }

    /** A rendered page of text lines of the given size; the same seed gives the same image. */
    static TensorData render(int height, int width, long seed) {
        System.setProperty("java.awt.headless", "true");
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int shade = 215 + random.nextInt(35);
        g.setColor(new Color(shade, shade - random.nextInt(10), shade - random.nextInt(20)));
        g.fillRect(0, 0, width, height);
        String[] families = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED};
        int y = 20 + random.nextInt(20);
        while (y < height - 10) {
            int size = 14 + random.nextInt(26);
            g.setFont(new Font(families[random.nextInt(families.length)], random.nextBoolean() ? Font.BOLD : Font.PLAIN, size));
            int ink = random.nextInt(80);
            g.setColor(new Color(ink, ink, ink + random.nextInt(60)));
            StringBuilder line = new StringBuilder();
            int words = 2 + random.nextInt(5);
            for (int i = 0; i < words; i++) {
                line.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            g.drawString(line.toString(), 10 + random.nextInt(width / 4), y + size);
            y += size + 12 + random.nextInt(40);
        }
        g.dispose();
        float[] chw = new float[3 * height * width];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                int rgb = image.getRGB(c, r);
                int[] channels = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int k = 0; k < 3; k++) {
                    chw[(k * height + r) * width + c] = (channels[k] / 255f - MEAN[k]) / STD[k];
                }
            }
        }
        return TensorData.ofFloats(new long[] {1, 3, height, width}, chw);
    }
}
