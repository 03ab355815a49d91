package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe optimize} on the tiny linear model with a dead node, which {@code cleanup} removes. A
 * lossy pass registered for the tests only, {@code test.scale} ({@link ScalePassFactory}), makes the
 * validation gate fail. Every run skips the memory measurement and times few runs, to stay fast.
 */
class OptimizeCommandTest {
    private static final String[] QUICK = {"--runs", "3", "--warmup", "1", "--memory", "none"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;
    private Path model;
    private Path output;

    @BeforeEach
    void writeModel() throws Exception {
        model = TinyModel.writeWithDeadNode(folder.resolve("tiny.onnx"));
        output = folder.resolve("out/tiny.opt.onnx");
    }

    @Test
    void cleanupRunsByDefaultAndWritesTheModelWithProvenanceAndEveryReport() throws Exception {
        Path json = folder.resolve("r.json");
        Path markdown = folder.resolve("r.md");
        Path html = folder.resolve("reports/r.html");

        CommandRun run = optimize("--bind", "batch=2", "--report", json.toString(), "--report", markdown.toString(),
                "--report", html.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        OnnxModel optimized = OnnxModel.load(output);
        assertThat(optimized.graph().nodes()).hasSize(2);
        assertThat(optimized.metadata()).containsKeys(Pipeline.VERSION_KEY, Pipeline.STEPS_KEY);
        assertThat(optimized.metadata().get(Pipeline.STEPS_KEY)).contains("\"pass\":\"cleanup\"");
        JsonNode report = JSON.readTree(json.toFile());
        assertThat(report.fieldNames()).toIterable().contains("before", "after", "steps", "provider", "fidelity",
                "cost", "validation");
        assertThat(report.get("before").get("nodeCount").asInt()).isEqualTo(3);
        assertThat(report.get("after").get("nodeCount").asInt()).isEqualTo(2);
        assertThat(report.get("steps")).hasSize(1);
        assertThat(report.get("steps").get(0).get("name").asText()).isEqualTo("cleanup");
        assertThat(report.get("steps").get(0).get("details").get("deadNodesRemoved").asInt()).isEqualTo(1);
        assertThat(report.get("fidelity").get("cosineMin").asDouble()).isGreaterThan(0.999999);
        assertThat(report.get("output").asText()).isEqualTo(output.toString());
        assertThat(report.get("validation").get("passed").asBoolean()).isTrue();
        assertThat(report.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[2,4]");
        assertThat(Files.readString(markdown)).startsWith("# Lathe report: ").contains("## Before and after");
        assertThat(Files.readString(html)).contains("<svg");
        assertThat(run.out())
                .containsPattern("(?m)^Model +" + Pattern.quote(model.toString()) + "$")
                .containsPattern("(?m)^Input shapes +X=2x4$")
                .containsPattern("(?m)^Runs +6 timed, each model, on cpu") // --runs 3 in each of two rounds
                .containsPattern("(?m)^  +Before +After +After/Before$")
                .containsPattern("(?m)^  Size +[0-9]+ B +[0-9]+ B +[0-9.]+×$")
                .containsPattern("(?m)^  Parameters \\(float\\) +15 +15 +1\\.00×$")
                .containsPattern("(?m)^  Quantized weights +0 +0 +—$")
                .containsPattern("(?m)^  MACs +24 +24 +1\\.00×$")
                .containsPattern("(?m)^  Latency p50 +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+×$")
                .containsPattern("(?m)^  Latency p90 ")
                .containsPattern("(?m)^  Latency p99 ")
                .containsPattern("(?m)^  Throughput +[0-9.]+/s +[0-9.]+/s +[0-9.]+×$")
                .containsPattern("(?m)^  Peak memory +not measured +not measured +—$")
                .containsPattern("(?m)^  Session init ")
                .containsPattern("(?m)^  Sparsity +20\\.0 % +20\\.0 % +—$")
                .containsPattern("(?m)^  Cost per million +[0-9.]+ USD +[0-9.]+ USD +[0-9.]+×$")
                .containsPattern("(?m)^  Cosine mean +1\\.000000$")
                .containsPattern("(?m)^  Cosine min +1\\.000000$")
                .containsPattern("(?m)^  Max abs error +0$")
                .containsPattern("(?m)^  Validation +passed \\(min-cosine=0\\.98\\)$")
                .containsPattern("(?m)^  Compute saved +[-−]?[0-9.]+ %( \\(within measurement noise: .*\\))?$")
                .containsPattern("(?m)^  MACs saved +0\\.0 %$")
                .containsPattern("(?m)^  1 +cleanup +— +[0-9.]+ ms +ok +deadNodesRemoved=1, ")
                .containsPattern("(?m)^Provider +cpu")
                .containsPattern("(?m)^Output +" + Pattern.quote(output.toString()) + "$")
                .containsPattern("(?m)^Report +" + Pattern.quote(html.toString()) + "$");
        assertThat(run.err()).contains("lathe: step cleanup...\n").containsPattern("lathe: step cleanup done in [0-9.]+ s\n")
                .contains("lathe: validation...\n", "lathe: benchmark original...\n", "lathe: benchmark optimized...\n");
    }

    @Test
    void jsonOnStdoutIsTheReportAndProgressStaysOnStderr() throws Exception {
        CommandRun run = optimize("--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(report.get("steps").get(0).get("name").asText()).isEqualTo("cleanup");
        assertThat(report.get("cost").get("priceSource").asText()).startsWith("AWS on-demand");
        assertThat(run.err()).contains("lathe: step cleanup...");
    }

    @Test
    void quietShowsNoProgressAndPriceIsTheGivenOne() throws Exception {
        CommandRun run = optimize("--json", "--quiet", "--price-per-hour", "2.5");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        JsonNode cost = JSON.readTree(run.out()).get("cost");
        assertThat(cost.get("pricePerInstanceHour").asDouble()).isEqualTo(2.5);
        assertThat(cost.get("priceSource").asText()).isEqualTo("user-given price");
    }

    @Test
    void failedValidationWritesNoModelButEveryReportAndExitsWith3() throws Exception {
        Path json = folder.resolve("failed.json");
        Path html = folder.resolve("failed.html");

        CommandRun run = optimize("--pass", ScalePassFactory.NAME, "--validate", "max-abs-error=0.001",
                "--report", json.toString(), "--report", html.toString());

        assertThat(run.exitCode()).isEqualTo(OptimizationRun.VALIDATION_FAILED);
        assertThat(output).doesNotExist();
        assertThat(output.getParent()).doesNotExist();
        JsonNode report = JSON.readTree(json.toFile());
        assertThat(report.get("validation").get("passed").asBoolean()).isFalse();
        assertThat(report.get("validation").get("writtenDespiteFailure").asBoolean()).isFalse();
        assertThat(report.get("output").isNull()).isTrue();
        assertThat(Files.readString(html)).contains("FAILED");
        assertThat(run.out()).containsPattern("(?m)^  Validation +FAILED \\(output Y: max absolute error .* is above "
                + "the maximum 0\\.0010*\\), not written$").containsPattern("(?m)^Output +not written \\(validation failed\\)$");
        List<String> errors = run.err().lines().filter(line -> !line.contains("...") && !line.contains(" done in ")
                && !line.startsWith(OptimizeCommand.NOTE))
                .toList();
        assertThat(errors).singleElement().asString().startsWith("lathe: ").contains("nothing was written",
                "max absolute error");
    }

    @Test
    void writeOnFailureWritesTheModelAndMarksTheReport() throws Exception {
        CommandRun run = optimize("--pass", ScalePassFactory.NAME, "--validate", "max-abs-error=0.001",
                "--write-on-failure", "--json", "--quiet");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(output).exists();
        JsonNode validation = JSON.readTree(run.out()).get("validation");
        assertThat(validation.get("passed").asBoolean()).isFalse();
        assertThat(validation.get("writtenDespiteFailure").asBoolean()).isTrue();
    }

    @Test
    void outputEqualToTheModelIsRefusedWithoutForce() throws Exception {
        byte[] original = Files.readAllBytes(model);

        CommandRun run = CommandRun.of(args("optimize", model.toString(), "-o", model.toString()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst()).get().asString().startsWith("lathe: ").contains("--force",
                model.toString());
        assertThat(Files.readAllBytes(model)).isEqualTo(original);
    }

    @Test
    void forceOverwritesTheModel() throws Exception {
        CommandRun run = CommandRun.of(args("optimize", model.toString(), "-o", model.toString(), "--force", "--quiet"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(OnnxModel.load(model).graph().nodes()).hasSize(2);
    }

    @Test
    void unsupportedReportExtensionIsAUsageErrorBeforeAnythingRuns() {
        CommandRun run = optimize("--report", folder.resolve("x.pdf").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst()).get().asString().startsWith("lathe: ").contains("--report", "x.pdf",
                ".json", ".md", ".html");
        assertThat(run.err()).doesNotContain("step cleanup");
        assertThat(output).doesNotExist();
    }

    @Test
    void quantizationModeThatIsNotInstalledListsTheAvailablePasses() {
        CommandRun run = optimize("--quantize", "int3");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst()).get().asString()
                .contains("--quantize", "unknown pass 'quantize.int3'; available passes: ", "cleanup");
    }

    @Test
    void quantizeInt8RunsAfterTheOtherPasses() throws Exception {

        CommandRun run = optimize("--quantize", "int8", "--pass", "cleanup", "--json", "--quiet");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JSON.readTree(run.out()).get("steps")).extracting(step -> step.get("name").asText())
                .containsExactly("quantize.int8", "cleanup");
    }

    @Test
    void calibrationFilesFeedTheDataAwarePasses() throws Exception {
        Path sample = folder.resolve(TinyModel.INPUT + ".npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {2, 4}, 1, -2, 3, 0.5f, 4, -1, 2, 0), sample);

        CommandRun run = optimize("--quantize", "int8:min-size=0", "--calibration", sample.toString(), "--json",
                "--quiet");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JSON.readTree(run.out()).at("/steps/0/details/smoothing").asText()).startsWith("alpha 0.7 on");

        Path wrong = folder.resolve("Y.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {2, 4}, new float[8]), wrong);
        CommandRun refused = optimize("--quantize", "int8", "--calibration", wrong.toString(), "--quiet");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("Y.npy", "one array per model input");
    }

    @Test
    void pruneNamesThePrunePassWithTheSparsity() {
        CommandRun run = optimize("--prune", "nosuchmethod:0.5");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString()
                .contains("--prune", "unknown pass 'prune.nosuchmethod'; available passes: ", "cleanup");
    }

    @Test
    void passesRunInCommandLineOrder() throws Exception {
        CommandRun run = optimize("--pass", ScalePassFactory.NAME + ":factor=1", "--pass", "cleanup:fold=false",
                "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode steps = JSON.readTree(run.out()).get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("name").asText()).isEqualTo(ScalePassFactory.NAME);
        assertThat(steps.get(1).get("name").asText()).isEqualTo("cleanup");
        assertThat(steps.get(1).get("config").get("fold").asText()).isEqualTo("false");
    }

    @Test
    @DisabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void configGivesPassesShapesAndValidationAndTheCommandLineOverridesItsProvider() throws Exception {
        Path config = folder.resolve("pipeline.yaml");
        Files.writeString(config, """
                passes:
                  - cleanup
                provider: cuda
                bind: {batch: 3}
                validate: min-cosine=0.99
                """);

        CommandRun run = optimize("--config", config.toString(), "--pass", ScalePassFactory.NAME + ":factor=1",
                "--provider", "cpu", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.get("steps")).extracting(step -> step.get("name").asText())
                .containsExactly("cleanup", ScalePassFactory.NAME);
        assertThat(report.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[3,4]");
        assertThat(report.get("provider").get("selected").asText()).isEqualTo("cpu");
        assertThat(report.get("provider").get("policy").asText()).isEqualTo("require");

        CommandRun fromFile = optimize("--config", config.toString());
        assertThat(fromFile.exitCode()).isEqualTo(1);
        assertThat(fromFile.err().lines().filter(line -> !line.contains("...") && !line.contains(" done in ")
                && !line.startsWith(OptimizeCommand.NOTE)))
                .singleElement().asString().startsWith("lathe: provider 'cuda' is required but unavailable");
    }

    @Test
    void commandLineShapesAndValidationOverrideTheConfig() throws Exception {
        Path config = folder.resolve("pipeline.json");
        Files.writeString(config, "{\"bind\": {\"batch\": 3}, \"validate\": \"max-abs-error=0.001\","
                + " \"passes\": [\"" + ScalePassFactory.NAME + "\"]}");

        CommandRun run = optimize("--config", config.toString(), "--bind", "batch=5", "--validate", "min-cosine=-1",
                "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[5,4]");
        assertThat(report.get("validation").get("passed").asBoolean()).isTrue();
    }

    @Test
    void badProviderInTheConfigNamesTheFile() throws Exception {
        Path config = folder.resolve("pipeline.yaml");
        Files.writeString(config, "provider: nope\n");

        CommandRun run = optimize("--config", config.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString().startsWith("lathe: " + config + ": provider ")
                .contains("'nope'");
    }

    @Test
    void malformedValidationIsAUsageErrorNamingTheKeys() {
        CommandRun run = optimize("--validate", "max-abs-error=-1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString().contains("--validate", "max-abs-error must be >= 0");
    }

    /** A folder of 12 NumPy samples for the tiny model, sample i of batch 1 + i % 3. */
    private Path npySamples() throws Exception {
        Path data = Files.createDirectories(folder.resolve("samples"));
        for (int i = 0; i < 12; i++) {
            int batch = 1 + i % 3;
            float[] values = new float[batch * 4];
            for (int v = 0; v < values.length; v++) {
                values[v] = (float) Math.cos(i * 7 + v);
            }
            Path sample = Files.createDirectories(data.resolve(String.format("s%02d", i)));
            NpyFiles.write(TensorData.ofFloats(new long[] {batch, 4}, values), sample.resolve(TinyModel.INPUT + ".npy"));
        }
        return data;
    }

    @Test
    void dataFromTheCommandLineOrThePipelineFileIsSplitAndReported() throws Exception {
        Path data = npySamples();

        CommandRun run = optimize("--data", data.toString(), "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain(OptimizeCommand.NOTE);
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.at("/data/validation/source").asText()).contains(data.toString(), "12 samples", "held-out 25 %");
        assertThat(report.at("/data/validation/samples").asInt()).isEqualTo(3);
        assertThat(report.at("/data/validation/generated").asBoolean()).isFalse();
        assertThat(report.get("inputShapes").get(TinyModel.INPUT).toString()).isEqualTo("[2,4]");
        assertThat(report.at("/validation/thresholds/0").asText()).isEqualTo("min-cosine=0.98");

        Path config = folder.resolve("pipeline.yaml");
        Files.writeString(config, "passes: [cleanup]\ndata: {path: samples}\n");
        JsonNode fromFile = JSON.readTree(optimize("--config", config.toString(), "--json", "--force").out());
        assertThat(fromFile.at("/data/validation/source").asText()).contains("samples", "12 samples");

        CommandRun missing = optimize("--data", folder.resolve("nothing-here").toString());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("nothing-here", "no such file or folder");
    }

    private CommandRun optimize(String... options) {
        return CommandRun.of(args("optimize", model.toString(), "-o", output.toString(), options));
    }

    private static String[] args(String command, String modelPath, String flag, String target, String... options) {
        List<String> args = new ArrayList<>(List.of(command, modelPath, flag, target));
        args.addAll(Arrays.asList(QUICK));
        args.addAll(Arrays.asList(options));
        return args.toArray(String[]::new);
    }
}
