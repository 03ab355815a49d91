package dev.lathe.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The English sentences the benchmark runs on: 400 original sentences, one a line, on many topics (news,
 * science, cooking, travel, sport, technology, questions, customer support, reviews, instructions), in
 * small groups on the same subject so that nearest neighbours are meaningful.
 */
public final class Sentences {
    /** The class path resource holding the sentences. */
    public static final String RESOURCE = "/dev/lathe/bench/sentences.txt";

    private Sentences() {
    }

    /** All shipped sentences, in file order. */
    public static List<String> all() {
        try (InputStream stream = Sentences.class.getResourceAsStream(RESOURCE)) {
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

    /**
     * The first {@code count} shipped sentences.
     *
     * @throws IllegalArgumentException if {@code count} is not between 1 and the number shipped
     */
    public static List<String> first(int count) {
        List<String> all = all();
        if (count < 1 || count > all.size()) {
            throw new IllegalArgumentException("sentence count must be between 1 and " + all.size() + ", got " + count);
        }
        return all.subList(0, count);
    }
}
