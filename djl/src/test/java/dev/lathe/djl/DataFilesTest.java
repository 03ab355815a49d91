package dev.lathe.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.data.NpySamples;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import dev.lathe.djl.text.TextSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening data by kind, and the errors that say what would work. */
class DataFilesTest {
    @TempDir
    Path dir;

    @Test
    void kindsAreToldByExtensionAndFolderContents() throws Exception {
        OnnxModel mlp = TestModels.mlp();
        Path samples = Files.createDirectories(dir.resolve("arrays"));
        NpyFiles.write(TensorData.ofFloats(new long[] {1, 4}, 1, 2, 3, 4), samples.resolve("x.npy"));
        assertThat(DataFiles.open(samples, mlp, null, DataFiles.Options.defaults())).isInstanceOf(NpySamples.class);

        OnnxModel encoder = TestModels.transformerBlock();
        Path text = Files.writeString(dir.resolve("lines.txt"), "Hello world\n");
        Path modelFile = dir.resolve("encoder.onnx");
        try (var tokenizer = DataFilesTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(tokenizer, dir.resolve("tokenizer.json"));
        }
        SampleSource sentences = DataFiles.open(text, encoder, modelFile, DataFiles.Options.defaults());
        try {
            assertThat(sentences).isInstanceOf(TextSamples.class);
            assertThat(sentences.take(1).get(0).get("input_ids").toLongArray()).containsExactly(101, 7592, 2088, 102);
        } finally {
            ((TextSamples) sentences).close();
        }
    }

    @Test
    void errorsNameTheLocationAndWhatWouldWork() {
        OnnxModel mlp = TestModels.mlp();
        assertThatThrownBy(() -> DataFiles.open(dir.resolve("missing.txt"), mlp, null, DataFiles.Options.defaults()))
                .hasMessageContaining("missing.txt").hasMessageContaining("no such file");
        assertThatThrownBy(() -> DataFiles.open(Files.writeString(dir.resolve("notes.csv"), "a,b"), mlp, null,
                DataFiles.Options.defaults())).hasMessageContaining("notes.csv").hasMessageContaining(".jsonl")
                .hasMessageContaining(".wav");
        assertThatThrownBy(() -> DataFiles.open(Files.writeString(dir.resolve("x.txt"), "hi"), mlp,
                dir.resolve("elsewhere/mlp.onnx"), DataFiles.Options.defaults()))
                .hasMessageContaining("tokenizer.json").hasMessageContaining("--tokenizer");
    }
}
