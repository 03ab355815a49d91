package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.tensorflow.TestSavedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe inspect} and {@code lathe optimize} on TensorFlow SavedModel directories. */
class SavedModelCommandTest {
    @TempDir
    Path folder;

    @Test
    void inspectCountsTheSavedModelsOwnGraph() throws Exception {
        Path cnn = TestSavedModels.cnn(folder.resolve("cnn"));
        CommandRun run = CommandRun.of("inspect", cnn.toString(), "--shape", "image=2x32x32x3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Format", "TensorFlow SavedModel (signature serving_default)", "tags [serve]",
                "495,936", "Conv2D", "FusedBatchNormV3",
                "signature serving_default: inputs [image: DT_FLOAT [?, 32, 32, 3]]");

        CommandRun json = CommandRun.of("inspect", cnn.toString(), "--json");
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("macs").asLong()).isEqualTo(247_968);
        assertThat(root.get("parameters").asLong()).isEqualTo(626);
        assertThat(root.get("format").asText()).startsWith("TensorFlow SavedModel");
        assertThat(root.get("details").get(0).asText()).startsWith("tags [serve]");
    }

    @Test
    void aSignatureIsChosenByKeyAndAnUnknownOneListsTheKeys() throws Exception {
        Path cnn = TestSavedModels.cnn(folder.resolve("cnn"));
        assertThat(CommandRun.of("inspect", cnn.toString(), "--signature", "serving_default").exitCode()).isZero();
        CommandRun unknown = CommandRun.of("inspect", cnn.toString(), "--signature", "predict");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no signature 'predict'; it has serving_default");
    }

    @Test
    void aGraphTheConverterCannotTakeIsInspectedButNotOptimized() throws Exception {
        Path odd = TestSavedModels.withUnsupportedOps(folder.resolve("odd"));
        CommandRun inspect = CommandRun.of("inspect", odd.toString());
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("Cumsum", "Atan2");

        Path output = folder.resolve("odd.onnx");
        CommandRun optimize = CommandRun.of("optimize", odd.toString(), "-o", output.toString(), "-q");
        assertThat(optimize.exitCode()).isEqualTo(1);
        assertThat(optimize.err()).contains("op Cumsum (node", "op Atan2 (node");
        assertThat(output).doesNotExist();
    }

    @Test
    void optimizeConvertsQuantizesAndMeasuresTheOriginalInTensorFlow() throws Exception {
        Path mlp = TestSavedModels.mlp(folder.resolve("mlp"));
        Path output = folder.resolve("mlp.int8.onnx");
        Path report = folder.resolve("report.json");
        CommandRun run = CommandRun.of("optimize", mlp.toString(), "-o", output.toString(), "--quantize", "int8:min-size=1",
                "--threads", "1", "--runs", "20", "--report", report.toString(), "-q");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("original: tensorflow-java cpu (1 thread); optimized: cpu (1 thread)",
                "Conversion", "within the 1.000e-04 tolerance");
        assertThat(OnnxModel.load(output).proto().getGraph().getNodeList())
                .anyMatch(node -> node.getOpType().equals("DynamicQuantizeMatMul"));
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("conversion").get("withinTolerance").asBoolean()).isTrue();
        assertThat(json.get("before").get("macs").asLong()).isEqualTo(768);
    }
}
