package dev.lathe.djl.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads texts from a file: {@code .txt} holds one text a line (blank lines skipped), {@code .jsonl} one
 * JSON object a line with a {@code text} field and an optional {@code text_pair} field.
 */
final class TextFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TextFiles() {
    }

    /** Whether the file's extension names a text format this class reads. */
    static boolean isTextFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".txt") || name.endsWith(".jsonl");
    }

    /**
     * The texts of a file, in order.
     *
     * @throws IllegalArgumentException if the file is of another kind, holds no text, or a JSONL line is not
     *                                  an object with a string {@code text} (the message names file and line)
     */
    static List<TextPair> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        if (!isTextFile(file)) {
            throw new IllegalArgumentException(file + ": text data must be a .txt file (one text a line) or a .jsonl file "
                    + "(objects with \"text\" and optional \"text_pair\")");
        }
        boolean jsonl = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
        List<TextPair> texts = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                texts.add(jsonl ? parseJson(file, number, line) : new TextPair(line.strip(), null));
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(file + ": the file holds no text");
        }
        return texts;
    }

    private static TextPair parseJson(Path file, int number, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ", line " + number + ": not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject() || !node.path("text").isTextual()) {
            throw new IllegalArgumentException(file + ", line " + number + ": expected an object with a string \"text\"");
        }
        JsonNode pair = node.path("text_pair");
        if (!pair.isMissingNode() && !pair.isNull() && !pair.isTextual()) {
            throw new IllegalArgumentException(file + ", line " + number + ": \"text_pair\" must be a string");
        }
        return new TextPair(node.get("text").asText(), pair.isTextual() ? pair.asText() : null);
    }

    /** One text, with the second segment of a sentence pair when there is one. */
    record TextPair(String text, String pair) {
    }
}
