package dev.lathe.djl.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.data.DataSplit;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text through MiniLM's own tokenizer.json: ids as the tokenizer gives them, pairs, batches, errors. */
class TextSamplesTest {
    @TempDir
    static Path folder;
    private static Path tokenizer;

    @BeforeAll
    static void copyTokenizer() throws Exception {
        tokenizer = folder.resolve("tokenizer.json");
        try (InputStream in = TextSamplesTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, tokenizer);
        }
    }

    private static OnnxModel encoder(DataType idType, String... inputs) {
        TestModels.Builder g = TestModels.builder("encoder");
        String first = null;
        for (String input : inputs) {
            String value = g.input(input, idType, "batch", "seq");
            first = first == null ? value : first;
        }
        g.node("Cast", first).intAttr("to", DataType.FLOAT.code()).output("y");
        g.output("y", DataType.FLOAT, "batch", "seq");
        return TestModels.model(g.build());
    }

    @Test
    void tokenIdsAreTheTokenizersOwn() throws Exception {
        Path text = Files.writeString(folder.resolve("two.txt"), "Hello world\n\n  The cat sat on the mat.  \n");
        try (TextSamples samples = TextSamples.forModel(text, encoder(DataType.INT64, "input_ids", "attention_mask",
                "token_type_ids"), tokenizer, TextSpec.defaults())) {
            List<Map<String, TensorData>> all = samples.take(10);
            assertThat(all).hasSize(2);
            assertThat(samples.sizeHint()).hasValue(2);
            assertThat(samples.description()).contains("two.txt").contains("2 texts");
            // bert-base-uncased vocabulary: [CLS] hello world [SEP]
            assertThat(all.get(0).get("input_ids").toLongArray()).containsExactly(101, 7592, 2088, 102);
            assertThat(all.get(0).get("input_ids").shape()).containsExactly(1, 4);
            assertThat(all.get(0).get("attention_mask").toLongArray()).containsExactly(1, 1, 1, 1);
            assertThat(all.get(0).get("token_type_ids").toLongArray()).containsExactly(0, 0, 0, 0);
            assertThat(all.get(1).get("input_ids").toLongArray()).startsWith(101, 1996, 4937).endsWith(102);
        }
    }

    @Test
    void jsonlPairsBatchesTruncationAndInt32() throws Exception {
        Path jsonl = Files.writeString(folder.resolve("pairs.jsonl"),
                "{\"text\": \"Hello world\", \"text_pair\": \"Hi\"}\n{\"text\": \"A much longer sentence with many words\"}\n");
        try (TextSamples pairs = TextSamples.forModel(jsonl, encoder(DataType.INT32, "input_ids", "token_type_ids"),
                tokenizer, TextSpec.defaults())) {
            Map<String, TensorData> first = pairs.take(1).get(0);
            assertThat(first.get("input_ids").dataType()).isEqualTo(DataType.INT32);
            assertThat(first.get("token_type_ids").toLongArray()).containsExactly(0, 0, 0, 0, 1, 1);
        }
        try (TextSamples batched = TextSamples.forModel(jsonl, encoder(DataType.INT64, "input_ids", "attention_mask"),
                tokenizer, TextSpec.defaults().withBatch(2).withMaxLength(6))) {
            Map<String, TensorData> batch = batched.take(1).get(0);
            assertThat(batched.sizeHint()).hasValue(1);
            assertThat(batch.get("input_ids").shape()).containsExactly(2, 6);
            assertThat(batch.get("attention_mask").toLongArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        }
    }

    @Test
    void samplesSplitAndEnglishCorpusShips() throws Exception {
        List<String> sentences = EnglishSentences.all();
        assertThat(sentences).hasSize(400).doesNotHaveDuplicates()
                .allSatisfy(line -> assertThat(line).isNotBlank().isEqualTo(line.strip()));
        try (InputStream json = Files.newInputStream(tokenizer);
                TextSamples samples = TextSamples.forModel(sentences, "corpus", encoder(DataType.INT64, "input_ids"), json,
                        TextSpec.defaults())) {
            DataSplit split = DataSplit.of(samples);
            assertThat(split.validation().take(1000)).hasSize(100);
            assertThat(split.calibration().sizeHint()).hasValue(300);
        }
    }

    @Test
    void errorsNameTheFileLineOrInput() throws Exception {
        Path text = Files.writeString(folder.resolve("one.txt"), "Hello\n");
        assertThatThrownBy(() -> TextSamples.forModel(text, encoder(DataType.INT64, "pixel_values"), tokenizer,
                TextSpec.defaults())).hasMessageContaining("pixel_values").hasMessageContaining("input_ids");
        assertThatThrownBy(() -> TextSamples.forModel(text, encoder(DataType.INT64, "input_ids"), folder.resolve("none"),
                TextSpec.defaults())).hasMessageContaining("tokenizer.json");
        Path bad = Files.writeString(folder.resolve("bad.jsonl"), "{\"text\": \"ok\"}\n{\"txt\": 3}\n");
        assertThatThrownBy(() -> TextSamples.forModel(bad, encoder(DataType.INT64, "input_ids"), tokenizer,
                TextSpec.defaults())).hasMessageContaining("bad.jsonl, line 2");
        Path empty = Files.writeString(folder.resolve("empty.txt"), "\n\n");
        assertThatThrownBy(() -> TextSamples.forModel(empty, encoder(DataType.INT64, "input_ids"), tokenizer,
                TextSpec.defaults())).hasMessageContaining("holds no text");
        assertThatThrownBy(() -> TextSpec.defaults().withMaxLength(1)).hasMessageContaining("max-length");
    }
}
