package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe bench} on tiny models. All but one test skip the memory measurement, or take it in this
 * process, to stay fast; {@link #defaultMeasuresMemoryInAChildJvm} runs the default, forked mode. Tests
 * that assume the CPU build of ONNX Runtime are skipped on a GPU host ({@code -Dlathe.gpu=true}).
 */
class BenchCommandTest {
    private static final String[] QUICK = {"--memory", "none", "--runs", "5", "--warmup", "1"};

    @TempDir
    Path folder;
    private Path model;

    @BeforeEach
    void writeModel() throws Exception {
        model = TinyModel.write(folder.resolve("tiny.onnx"));
    }

    @Test
    void jsonHasTheFiguresAndTheProvider() throws Exception {
        JsonNode json = benchJson(model, "--bind", "batch=2");

        assertThat(json.fieldNames()).toIterable().contains("model", "latencyMs", "throughputPerSec", "sessionInitMs",
                "peakMemoryBytes", "memoryMethod", "provider", "providerDecision", "inputShapes", "runs", "warmup");
        assertThat(json.has("timeByOpTypeMs")).isFalse();
        assertThat(json.get("model").asText()).isEqualTo(model.toString());
        assertThat(json.get("provider").asText()).isEqualTo("cpu");
        JsonNode latency = json.get("latencyMs");
        assertThat(latency.fieldNames()).toIterable().contains("mean", "p50", "p90", "p99");
        assertThat(latency.get("p50").asDouble()).isPositive();
        assertThat(latency.get("p50").asDouble()).isLessThanOrEqualTo(latency.get("p90").asDouble());
        assertThat(latency.get("p90").asDouble()).isLessThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(json.get("throughputPerSec").asDouble()).isPositive();
        assertThat(json.get("sessionInitMs").asDouble()).isPositive();
        assertThat(json.get("peakMemoryBytes").asLong()).isEqualTo(-1);
        assertThat(json.get("memoryMethod").asText()).isEqualTo("none");
        assertThat(json.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[2,4]");
        assertThat(json.get("runs").asInt()).isEqualTo(5);
        assertThat(json.get("warmup").asInt()).isEqualTo(1);
    }

    @Test
    @DisabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void autoFallsBackToCpuAndSaysWhy() throws Exception {
        JsonNode decision = benchJson(model, "--provider", "auto").get("providerDecision");

        assertThat(decision.get("policy").asText()).isEqualTo("prefer");
        assertThat(decision.get("selected").asText()).isEqualTo("cpu");
        List<String> candidates = new ArrayList<>();
        decision.get("candidates").forEach(c -> candidates.add(c.get("provider").asText().split(" ")[0]
                + (c.get("selected").asBoolean() ? " selected: " : " ") + c.get("reason").asText()));
        assertThat(candidates).hasSize(3);
        assertThat(candidates.get(0)).startsWith("tensorrt unavailable: ").contains("onnxruntime_gpu");
        assertThat(candidates.get(1)).startsWith("cuda unavailable: ").contains("onnxruntime_gpu");
        assertThat(candidates.get(2)).startsWith("cpu selected: ").contains("fallback");
    }

    @Test
    @DisabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void tableShowsTheFiguresAndTheFallback() {
        CommandRun run = CommandRun.of("bench", model.toString(), "--bind", "batch=3", "--runs", "5", "--warmup", "1",
                "--memory", "in-process", "--profile");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^Provider +cpu, policy prefer$")
                .containsPattern("(?m)^Input shapes +X=3x4$")
                .containsPattern("(?m)^Runs +5 timed after 1 warm-up$")
                .containsPattern("(?m)^Latency p50 +[0-9]+\\.[0-9]{3} ms$")
                .containsPattern("(?m)^Throughput +[0-9]+\\.[0-9]/s$")
                .containsPattern("(?m)^Peak memory +[0-9.]+ MB \\([0-9,]+ bytes\\), measured in this process$")
                .containsPattern("(?m)^  cuda \\(device 0\\) +unavailable: not in this ONNX Runtime build")
                .containsPattern("(?m)^  cpu +selected: first available \\(fallback\\)$")
                .containsPattern("(?m)^Time by op type \\(per run\\)$")
                // ONNX Runtime fuses the MatMul and the Add into one Gemm.
                .containsPattern("(?m)^  Gemm +[0-9]+\\.[0-9]{3} ms +100\\.0 %$");
    }

    @Test
    void defaultMeasuresMemoryInAChildJvm() throws Exception {
        CommandRun run = CommandRun.of("bench", model.toString(), "--provider", "cpu", "--runs", "5", "--json");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("memoryMethod").asText()).isEqualTo("forked");
        assertThat(json.get("peakMemoryBytes").asLong()).isGreaterThan(1_000_000);
        assertThat(json.get("warmup").asInt()).isEqualTo(10);
        assertThat(json.get("latencyMs").get("p50").asDouble()).isPositive();
    }

    @Test
    @DisabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void requiredCudaFailsWithOneLineSayingWhy() {
        CommandRun run = run(model, "--provider", "cuda");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("lathe: provider 'cuda' is required but unavailable: ").contains("onnxruntime_gpu");
    }

    @Test
    @EnabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void requiredCudaRunsOnAGpuHost() throws Exception {
        JsonNode json = benchJson(model, "--provider", "cuda");

        assertThat(json.get("provider").asText()).isEqualTo("cuda");
        assertThat(json.get("latencyMs").get("p50").asDouble()).isPositive();
    }

    @Test
    void unknownProviderListsTheValidNames() {
        CommandRun run = run(model, "--provider", "nope");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst()).get().asString()
                .contains("--provider", "'nope'", "cpu, cuda, tensorrt", "auto", "fastest");
    }

    @Test
    void threadsApplyToARequiredCpu() throws Exception {
        JsonNode json = benchJson(model, "--provider", "cpu", "--threads", "2");

        assertThat(json.get("providerDecision").get("selected").asText()).isEqualTo("cpu (2 threads)");
        assertThat(json.get("providerDecision").get("spec").asText()).startsWith("cpu:threads=2,");
    }

    @Test
    void threadsWithARequiredGpuIsAUsageError() {
        CommandRun run = run(model, "--provider", "cuda", "--threads", "2");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString().contains("--threads", "cuda");
    }

    @Test
    void fastestReportsTheMedianOfEveryCpuTrial() throws Exception {
        JsonNode decision = benchJson(model, "--provider", "fastest", "--threads", "1").get("providerDecision");

        assertThat(decision.get("policy").asText()).isEqualTo("fastest");
        assertThat(decision.get("selected").asText()).isEqualTo("cpu (1 thread)");
        JsonNode cpu = decision.get("candidates").get(0);
        assertThat(cpu.get("selected").asBoolean()).isTrue();
        assertThat(cpu.get("medianLatencyMs").asDouble()).isPositive();
    }

    @Test
    void inputFromANpyFileIsUsedAtItsShape() throws Exception {
        Path file = folder.resolve("x.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {6, 4}, new float[24]), file);

        JsonNode json = benchJson(model, "--input", TinyModel.INPUT + "=" + file);

        assertThat(json.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[6,4]");
    }

    @Test
    void inputsNotGivenAreGeneratedAtTheShapeOfTheGivenOnes() throws Exception {
        Path sum = TinyModel.writeSum(folder.resolve("sum.onnx"));
        Path archive = folder.resolve("inputs.npz");
        writeNpz(archive, TinyModel.INPUT, TensorData.ofFloats(new long[] {5, 4}, new float[20]));

        JsonNode json = benchJson(sum, "--input", archive.toString());

        assertThat(json.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[5,4]");
        assertThat(json.get("inputShapes").get(TinyModel.SECOND_INPUT).toString()).isEqualTo("[5,4]");
    }

    @Test
    void inputForAnUnknownNameListsTheRealInputs() throws Exception {
        Path file = folder.resolve("ids.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {1, 4}, new float[4]), file);

        CommandRun run = run(model, "--input", "input_ids=" + file);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("lathe: ").contains("no input 'input_ids'", "[" + TinyModel.INPUT + "]");
    }

    @Test
    void inputContradictingABoundDimensionNamesBoth() throws Exception {
        Path file = folder.resolve("x.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {6, 4}, new float[24]), file);

        CommandRun run = run(model, "--input", TinyModel.INPUT + "=" + file, "--bind", "batch=2");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString().contains(file.toString(), "X=6x4", "'batch' is 2");
    }

    @Test
    void shapeForAnUnknownInputListsTheRealInputs() {
        CommandRun run = run(model, "--shape", "input_ids=1x4");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString().contains("input_ids", "[" + TinyModel.INPUT + "]");
    }

    @Test
    void malformedInputIsAUsageError() {
        CommandRun run = run(model, "--input", "x.txt");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString().contains("--input", "'x.txt'");
    }

    @Test
    void aModelThatFailsAtGuessedSizesSaysWhichWereGuessedAndHowToGiveThem() throws Exception {
        Path recognizer = folder.resolve("fixed-height.onnx");
        OnnxModel.of(TestModels.fixedHeightImageProto(), "fixed-height", null).save(recognizer);

        CommandRun guessed = run(recognizer);

        assertThat(guessed.exitCode()).isEqualTo(1);
        assertThat(guessed.err().lines().filter(line -> line.startsWith("lathe: "))).singleElement().asString()
                .contains("failed to run the model", "Concat", "--shape", "--bind",
                        "These input sizes were guessed, not given: x[2]=224 (image), x[3]=224 (image)");
        JsonNode given = benchJson(recognizer, "--bind", "x[2]=48", "--bind", "x[3]=20");
        assertThat(given.get("inputShapes").get("x").toString()).isEqualTo("[1,3,48,20]");
    }

    private static CommandRun run(Path model, String... options) {
        List<String> args = new ArrayList<>(List.of("bench", model.toString()));
        args.addAll(Arrays.asList(QUICK));
        args.addAll(Arrays.asList(options));
        return CommandRun.of(args.toArray(String[]::new));
    }

    private static JsonNode benchJson(Path model, String... options) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(options));
        args.add("--json");
        CommandRun run = run(model, args.toArray(String[]::new));
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        return new ObjectMapper().readTree(run.out());
    }

    /** Writes a one-array .npz archive, as numpy.savez does. */
    private void writeNpz(Path archive, String name, TensorData tensor) throws Exception {
        Path array = folder.resolve(name + ".npy");
        NpyFiles.write(tensor, array);
        try (OutputStream out = Files.newOutputStream(archive); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name + ".npy"));
            zip.write(Files.readAllBytes(array));
            zip.closeEntry();
        }
    }
}
