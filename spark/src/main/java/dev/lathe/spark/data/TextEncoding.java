package dev.lathe.spark.data;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.djl.text.TextSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How texts become model inputs, in a form that travels to executors: the model's {@code tokenizer.json}
 * (its bytes) and the longest encoding kept. One sentence per sample (a batch of one is never padded), so a
 * sample is the same wherever its sentence is tokenized, and statistics and metrics do not depend on how the
 * texts are partitioned.
 *
 * @param tokenizerJson the bytes of the model's {@code tokenizer.json}
 * @param maxLength     the longest encoding kept, in tokens
 */
public record TextEncoding(byte[] tokenizerJson, int maxLength) implements Serializable {

    /** Checks the length. */
    public TextEncoding {
        new TextSpec(maxLength, 1);
    }

    /**
     * Reads a {@code tokenizer.json} (or the folder holding one).
     *
     * @throws IllegalArgumentException if there is no tokenizer.json there
     * @throws IOException              if it cannot be read
     */
    public static TextEncoding of(Path tokenizer, int maxLength) throws IOException {
        Path file = Files.isDirectory(tokenizer) ? tokenizer.resolve("tokenizer.json") : tokenizer;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no tokenizer.json here; pass the tokenizer.json of the model "
                    + "(or the folder holding it)");
        }
        return new TextEncoding(Files.readAllBytes(file), maxLength);
    }

    /** The spec: this length, one sentence per sample. */
    public TextSpec spec() {
        return new TextSpec(maxLength, 1);
    }

    /**
     * Samples of the texts for the model (close them to free the native tokenizer).
     *
     * @throws IllegalArgumentException if there are no texts or the model has an input text cannot feed
     */
    public TextSamples samples(List<String> texts, String description, OnnxModel model) {
        try {
            return TextSamples.forModel(texts, description, model, new ByteArrayInputStream(tokenizerJson), spec());
        } catch (IOException e) {
            throw new UncheckedIOException(description + ": the tokenizer could not be read: " + e.getMessage(), e);
        }
    }
}
