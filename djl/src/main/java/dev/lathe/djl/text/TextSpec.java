package dev.lathe.djl.text;

/**
 * How text becomes encoder inputs: sentences are encoded with special tokens and truncated to
 * {@code maxLength} tokens; a batch of one is never padded, a larger batch is padded to its longest
 * sentence.
 *
 * @param maxLength the longest encoding kept, in tokens (default {@value #DEFAULT_MAX_LENGTH})
 * @param batch     sentences per sample (default 1)
 */
public record TextSpec(int maxLength, int batch) {
    /** Default longest encoding: what sentence-transformers encoders such as MiniLM were trained with. */
    public static final int DEFAULT_MAX_LENGTH = 128;

    /** Checks the values. */
    public TextSpec {
        if (maxLength < 2) {
            throw new IllegalArgumentException("max-length must be at least 2 tokens (room for the special tokens), got "
                    + maxLength);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
    }

    /** Max length {@value #DEFAULT_MAX_LENGTH}, batch 1. */
    public static TextSpec defaults() {
        return new TextSpec(DEFAULT_MAX_LENGTH, 1);
    }

    /** This spec with another maximum length. */
    public TextSpec withMaxLength(int tokens) {
        return new TextSpec(tokens, batch);
    }

    /** This spec with another batch size. */
    public TextSpec withBatch(int sentences) {
        return new TextSpec(maxLength, sentences);
    }
}
