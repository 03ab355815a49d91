package dev.lathe.djl.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A small built-in corpus of real English text for demos, tests and benchmarks: 400 original sentences,
 * one a line, on many topics (news, science, cooking, travel, sport, technology, questions, customer
 * support, reviews, instructions), in small groups on the same subject so that nearest neighbours are
 * meaningful. Calibrate on some and validate on others (see {@code dev.lathe.core.data.DataSplit}).
 */
public final class EnglishSentences {
    /** The class path resource holding the sentences. */
    public static final String RESOURCE = "/dev/lathe/djl/text/english-sentences.txt";

    private EnglishSentences() {
    }

    /** All sentences, in file order. */
    public static List<String> all() {
        try (InputStream stream = EnglishSentences.class.getResourceAsStream(RESOURCE)) {
            if (stream == null) {
                throw new IllegalStateException("class path resource " + RESOURCE + " is missing");
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                return reader.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
