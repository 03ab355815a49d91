package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.TensorData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

class SentenceTokenizerTest {

    @Test
    void encodesHelloWorldWithMiniLmVocabularyAndNoPadding() throws Exception {
        try (SentenceTokenizer tokenizer = SentenceTokenizer.miniLm()) {
            TokenizedSentence sentence = tokenizer.encode("hello world");

            assertThat(sentence.ids()).containsExactly(101, 7592, 2088, 102);
            assertThat(sentence.attentionMask()).containsExactly(1, 1, 1, 1);
            assertThat(sentence.typeIds()).containsExactly(0, 0, 0, 0);
        }
    }

    @Test
    void lowercasesAndSplitsWordPieces() throws Exception {
        try (SentenceTokenizer tokenizer = SentenceTokenizer.miniLm()) {
            assertThat(tokenizer.encode("Hello World").ids()).containsExactly(101, 7592, 2088, 102);
            assertThat(tokenizer.encode("tokenization").length()).isGreaterThan(3);
        }
    }

    @Test
    void truncatesLongTextTo128Tokens() throws Exception {
        try (SentenceTokenizer tokenizer = SentenceTokenizer.miniLm()) {
            TokenizedSentence sentence = tokenizer.encode("word ".repeat(300));

            assertThat(sentence.length()).isEqualTo(SentenceTokenizer.MAX_TOKENS);
            assertThat(sentence.ids()[SentenceTokenizer.MAX_TOKENS - 1]).isEqualTo(102);
        }
    }

    @Test
    void inputsAreInt64BatchOfOneInTheModelsOrder() {
        TokenizedSentence sentence = new TokenizedSentence(new long[] {101, 7592, 102}, new long[] {1, 1, 1},
                new long[] {0, 0, 0});

        Map<String, TensorData> inputs = sentence.inputs(List.of("token_type_ids", "input_ids", "attention_mask"));

        assertThat(inputs.keySet()).containsExactly("token_type_ids", "input_ids", "attention_mask");
        assertThat(inputs.get("input_ids").shape()).containsExactly(1, 3);
        assertThat(inputs.get("input_ids").toLongArray()).containsExactly(101, 7592, 102);
        assertThat(inputs.get("attention_mask").toLongArray()).containsExactly(1, 1, 1);
    }
}
