package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline files in YAML and JSON. */
class PipelineFileTest {

    @Test
    void readsYaml(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("pipeline.yaml");
        Files.writeString(file, """
                passes:
                  - cleanup
                  - name: cleanup
                    options: {fold: false}
                provider: cpu:threads=2
                bind: {batch: 3}
                validate: min-cosine=0.99
                """);

        PipelineFile pipeline = PipelineFile.read(file, PassRegistry.load());

        assertThat(pipeline.passes()).hasSize(2);
        assertThat(pipeline.passes().get(1).options()).containsEntry("fold", "false");
        assertThat(pipeline.provider()).contains("cpu:threads=2");
        assertThat(pipeline.validate()).contains("min-cosine=0.99");
        assertThat(pipeline.binding().resolve(TestModels.mlp()).get("x")).containsExactly(3, 4);
    }

    @Test
    void readsJson(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("pipeline.json");
        Files.writeString(file, "{\"passes\": [\"cleanup\"], \"shapes\": {\"x\": [5, 4]}}");

        PipelineFile pipeline = PipelineFile.read(file, PassRegistry.load());

        assertThat(pipeline.passes()).extracting(Pass::name).containsExactly("cleanup");
        assertThat(pipeline.binding().resolve(TestModels.mlp()).get("x")).containsExactly(5, 4);
        assertThat(pipeline.provider()).isEmpty();
    }

    @Test
    void mistakesNameTheFileAndWhatIsValid(@TempDir Path folder) throws Exception {
        Path typo = folder.resolve("typo.yaml");
        Files.writeString(typo, "pases: [cleanup]\n");
        assertThatThrownBy(() -> PipelineFile.read(typo, PassRegistry.load())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("typo.yaml").hasMessageContaining("'pases'").hasMessageContaining("passes");

        Path unknownPass = folder.resolve("unknown.yaml");
        Files.writeString(unknownPass, "passes: [sharpen]\n");
        assertThatThrownBy(() -> PipelineFile.read(unknownPass, PassRegistry.load()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown pass 'sharpen'");

        Path text = folder.resolve("pipeline.txt");
        Files.writeString(text, "passes: [cleanup]\n");
        assertThatThrownBy(() -> PipelineFile.read(text, PassRegistry.load())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".yaml, .yml or .json");
    }

    @Test
    void dataSectionResolvesPathsAgainstTheFileAndRejectsUnknownKeys(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("pipeline.yaml");
        Files.writeString(file, """
                passes: [cleanup]
                data:
                  path: data/sentences.txt
                  tokenizer: tokenizer.json
                  max-length: 64
                  image: size=640x640
                """);

        PipelineFile.DataSection data = PipelineFile.read(file, PassRegistry.load()).data().orElseThrow();

        assertThat(data.path()).isEqualTo(folder.toAbsolutePath().resolve("data/sentences.txt"));
        assertThat(data.tokenizer()).contains(folder.toAbsolutePath().resolve("tokenizer.json"));
        assertThat(data.maxLength()).contains(64);
        assertThat(data.image()).contains("size=640x640");
        assertThat(data.audio()).isEmpty();

        Path typo = folder.resolve("typo.yaml");
        Files.writeString(typo, "data: {path: x.txt, tokeniser: t.json}\n");
        assertThatThrownBy(() -> PipelineFile.read(typo, PassRegistry.load())).hasMessageContaining("typo.yaml")
                .hasMessageContaining("'data.tokeniser'").hasMessageContaining("tokenizer");
        Path noPath = folder.resolve("nopath.yaml");
        Files.writeString(noPath, "data: {tokenizer: t.json}\n");
        assertThatThrownBy(() -> PipelineFile.read(noPath, PassRegistry.load())).hasMessageContaining("at least 'path'");
    }

    @Test
    void passAndShapeErrorsNameTheFile(@TempDir Path folder) throws Exception {
        // Found by PipelineFileFuzzTest: the registry's "unknown pass" message did not say which file held it.
        Path unknown = folder.resolve("unknown.json");
        Files.writeString(unknown, "{\"passes\": [\"cleanup\", {\"name\": \"sharpen\"}]}");
        assertThatThrownBy(() -> PipelineFile.read(unknown, PassRegistry.load())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(unknown + ": unknown pass 'sharpen'");

        Path option = folder.resolve("option.yaml");
        Files.writeString(option, "passes: ['cleanup:fold=maybe']\n");
        assertThatThrownBy(() -> PipelineFile.read(option, PassRegistry.load())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(option + ": ").hasMessageContaining("fold");

        // Found by PipelineFileFuzzTest: ShapeBinding's "negative dimension" did not name the file either.
        Path shape = folder.resolve("shape.json");
        Files.writeString(shape, "{\"shapes\": {\"x\": [-1, 4]}}");
        assertThatThrownBy(() -> PipelineFile.read(shape, PassRegistry.load())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(shape + ": ").hasMessageContaining("negative dimension");
        Path bind = folder.resolve("bind.yaml");
        Files.writeString(bind, "bind: {batch: -3}\n");
        assertThatThrownBy(() -> PipelineFile.read(bind, PassRegistry.load())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(bind + ": ").hasMessageContaining("batch");
    }
}
