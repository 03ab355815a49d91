package dev.lathe.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns text into encoder inputs with DJL's HuggingFace tokenizer (the Rust {@code tokenizers} library,
 * whose native code for Linux x86-64 ships inside DJL's jar), reading a model's {@code tokenizer.json}.
 * Sentences are encoded one at a time with special tokens, truncated to 128 tokens and never padded, so
 * that a batch of one carries no padding.
 */
public final class SentenceTokenizer implements AutoCloseable {
    /** all-MiniLM-L6-v2's tokenizer.json, a class path resource of langchain4j's MiniLM artifact. */
    public static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";
    /** The longest encoding kept, in tokens (MiniLM was trained with 128; its tokenizer.json says the same). */
    public static final int MAX_TOKENS = 128;

    private final HuggingFaceTokenizer tokenizer;

    private SentenceTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * The all-MiniLM-L6-v2 tokenizer.
     *
     * @throws IOException if the resource is missing or the tokenizer cannot be built from it
     */
    public static SentenceTokenizer miniLm() throws IOException {
        return fromResource(MINILM_TOKENIZER);
    }

    /**
     * A tokenizer from a {@code tokenizer.json} on the class path.
     *
     * @throws IOException if the resource is missing or the tokenizer cannot be built from it
     */
    public static SentenceTokenizer fromResource(String resource) throws IOException {
        try (InputStream stream = SentenceTokenizer.class.getResourceAsStream(resource)) {
            if (stream == null) {
                throw new IOException("class path resource " + resource + " is missing");
            }
            return of(stream);
        }
    }

    /**
     * A tokenizer from a {@code tokenizer.json} file.
     *
     * @throws IOException if the file cannot be read or the tokenizer cannot be built from it
     */
    public static SentenceTokenizer fromFile(Path file) throws IOException {
        try (InputStream stream = Files.newInputStream(file)) {
            return of(stream);
        }
    }

    private static SentenceTokenizer of(InputStream tokenizerJson) throws IOException {
        // A tokenizer.json may pad every encoding to 128 tokens; a batch of one needs no padding.
        return new SentenceTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                "padding", "false",
                "truncation", "true",
                "maxLength", Integer.toString(MAX_TOKENS),
                "addSpecialTokens", "true")));
    }

    /** Encodes one sentence. */
    public TokenizedSentence encode(String sentence) {
        Encoding encoding = tokenizer.encode(sentence);
        return new TokenizedSentence(encoding.getIds(), encoding.getAttentionMask(), encoding.getTypeIds());
    }

    /** Encodes sentences one by one, in order. */
    public List<TokenizedSentence> encodeAll(List<String> sentences) {
        return sentences.stream().map(this::encode).toList();
    }

    /** Frees the native tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
