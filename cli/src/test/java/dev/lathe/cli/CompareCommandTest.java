package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe compare} on tiny models, and on all-MiniLM-L6-v2 against its int8 twin (slow). */
class CompareCommandTest {
    @TempDir
    Path folder;
    private Path model;

    @BeforeEach
    void writeModel() throws Exception {
        model = TinyModel.write(folder.resolve("tiny.onnx"));
    }

    @Test
    void aModelAgainstItselfHasCosineOneAndNoError() throws Exception {
        CommandRun run = CommandRun.of("compare", model.toString(), model.toString(), "--bind", "batch=2",
                "--samples", "3", "--runs", "5", "--memory", "none", "--json");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.fieldNames()).toIterable().contains("a", "b", "fidelity", "latencyRatio", "provider",
                "providerDecision", "inputShapes", "runs", "warmup");
        JsonNode fidelity = json.get("fidelity");
        assertThat(fidelity.get("cosineMean").asDouble()).isEqualTo(1.0, offset(1e-12));
        assertThat(fidelity.get("cosineMin").asDouble()).isEqualTo(1.0, offset(1e-12));
        assertThat(fidelity.get("maxAbsError").asDouble()).isZero();
        assertThat(fidelity.get("meanAbsError").asDouble()).isZero();
        assertThat(fidelity.get("samples").asInt()).isEqualTo(3);
        JsonNode output = fidelity.get("outputs").get(0);
        assertThat(output.get("output").asText()).isEqualTo("Y");
        assertThat(output.get("top1Agreement").asDouble()).isEqualTo(1.0);
        for (String side : new String[] {"a", "b"}) {
            JsonNode figures = json.get(side);
            assertThat(figures.get("model").asText()).isEqualTo(model.toString());
            assertThat(figures.fieldNames()).toIterable().contains("latencyMs", "throughputPerSec", "sessionInitMs",
                    "peakMemoryBytes");
            assertThat(figures.get("latencyMs").get("p50").asDouble()).isPositive();
        }
        assertThat(json.get("latencyRatio").asDouble()).isPositive()
                .isEqualTo(json.get("b").get("latencyMs").get("p50").asDouble()
                        / json.get("a").get("latencyMs").get("p50").asDouble());
        assertThat(json.get("provider").asText()).isEqualTo("cpu");
        assertThat(json.get("runs").asInt()).isEqualTo(5);
    }

    @Test
    void tableShowsFidelityAndBothModelsSideBySide() {
        CommandRun run = CommandRun.of("compare", model.toString(), model.toString(), "--samples", "2", "--runs", "5",
                "--warmup", "1", "--memory", "in-process", "--provider", "cpu");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^Model A +" + Pattern.quote(model.toString()) + "$")
                .containsPattern("(?m)^Runs +5 timed after 1 warm-up, each model$")
                .containsPattern("(?m)^Fidelity of B against A \\(2 samples\\)$")
                .containsPattern("(?m)^  Y +1\\.000000 +1\\.000000 +0 +0 +100\\.0 %$")
                .containsPattern("(?m)^ +A +B +B/A$")
                .containsPattern("(?m)^  Latency p50 +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+×$")
                .containsPattern("(?m)^  Peak memory \\(in-process\\) +[0-9.]+ MB +[0-9.]+ MB +[0-9.]+×$")
                .containsPattern("(?m)^  cpu +selected: required$");
    }

    @Test
    void dataSamplesAreComparedAndNamed() throws Exception {
        Path data = java.nio.file.Files.createDirectories(folder.resolve("samples"));
        for (int i = 0; i < 5; i++) {
            Path sample = java.nio.file.Files.createDirectories(data.resolve("s" + i));
            NpyFiles.write(TensorData.ofFloats(new long[] {2, 4}, 1, i, 2, i, 3, i, 4, i), sample.resolve("X.npy"));
        }

        CommandRun run = CommandRun.of("compare", model.toString(), model.toString(), "--data", data.toString(),
                "--samples", "3", "--runs", "2", "--warmup", "1", "--memory", "none", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("samples").asText()).contains(data.toString(), "5 samples", "first 3");
        assertThat(json.at("/fidelity/samples").asInt()).isEqualTo(3);
        assertThat(json.get("task").asText()).isEqualTo("generic");
        assertThat(json.get("taskMetrics").size()).isZero();
        assertThat(CommandRun.of("compare", model.toString(), model.toString(), "--data", data.toString(), "--input",
                data.resolve("s0/X.npy").toString()).err()).contains("'--data' and '--input' exclude each other");
    }

    @Test
    void inputFilesAreTheOneSample() throws Exception {
        Path file = folder.resolve("x.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {3, 4}, new float[12]), file);

        CommandRun run = CommandRun.of("compare", model.toString(), model.toString(), "--input", "X=" + file,
                "--runs", "5", "--memory", "none", "--json");

        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("fidelity").get("samples").asInt()).isEqualTo(1);
        assertThat(json.get("inputShapes").get("X").toString()).isEqualTo("[3,4]");
    }

    @Test
    void samplesWithInputFilesIsAUsageError() throws Exception {
        Path file = folder.resolve("x.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {3, 4}, new float[12]), file);

        CommandRun run = CommandRun.of("compare", model.toString(), model.toString(), "--input", "X=" + file,
                "--samples", "4");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString().contains("--samples", "--input");
    }

    @Test
    void modelsWithDifferentInputsAreRefused() throws Exception {
        Path sum = TinyModel.writeSum(folder.resolve("sum.onnx"));

        CommandRun run = CommandRun.of("compare", model.toString(), sum.toString(), "--memory", "none");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString().contains("[X, Z]", "[X]", "same inputs");
    }

    @Test
    @Tag("slow")
    void miniLmAgainstItsInt8TwinKeepsTheHiddenStatesClose() throws Exception {
        Path fp32 = copyResource("/all-minilm-l6-v2.onnx");
        Path int8 = copyResource("/all-minilm-l6-v2-q.onnx");

        CommandRun run = CommandRun.of("compare", fp32.toString(), int8.toString(), "--shape", "input_ids=1x128",
                "--shape", "attention_mask=1x128", "--shape", "token_type_ids=1x128", "--samples", "3", "--runs", "5",
                "--memory", "none", "--json");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        JsonNode hidden = null;
        for (JsonNode output : json.get("fidelity").get("outputs")) {
            if (output.get("output").asText().equals("last_hidden_state")) {
                hidden = output;
            }
        }
        assertThat(hidden).isNotNull();
        assertThat(hidden.get("cosineMean").asDouble()).isGreaterThan(0.95).isLessThan(1.0);
        assertThat(hidden.get("maxAbsError").asDouble()).isPositive();
        assertThat(json.get("fidelity").get("samples").asInt()).isEqualTo(3);
    }

    private Path copyResource(String resource) throws IOException {
        Path file = folder.resolve(resource.substring(1));
        try (InputStream in = CompareCommandTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the test class path").isNotNull();
            Files.copy(in, file);
        }
        return file;
    }
}
