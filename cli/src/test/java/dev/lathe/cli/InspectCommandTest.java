package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path folder;
    private Path model;

    @BeforeEach
    void writeModel() throws Exception {
        model = TinyModel.write(folder.resolve("tiny.onnx"));
    }

    @Test
    void jsonHasTheFootprintWithHandComputedFigures() throws Exception {
        CommandRun run = CommandRun.of("inspect", model.toString(), "--shape", "X=2x4", "--json");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.fieldNames()).toIterable().contains("sizeBytes", "parameters", "macs", "macsByOpType",
                "macsByPrecision", "notes", "opCounts", "bytesByDataType", "sparsity", "nodeCount", "elementwiseOps",
                "inputShapes", "shapeMethod", "unresolvedNodes", "metadata", "model");
        assertThat(json.get("model").asText()).isEqualTo(model.toString());
        assertThat(json.get("sizeBytes").asLong()).isEqualTo(Files.size(model));
        assertThat(json.get("parameters").asLong()).isEqualTo(15);
        assertThat(json.get("macs").asLong()).isEqualTo(2 * 4 * 3);
        assertThat(json.get("macsByOpType").get("MatMul").asLong()).isEqualTo(2 * 4 * 3);
        assertThat(json.get("macsByPrecision").get("float32").asLong()).isEqualTo(2 * 4 * 3);
        assertThat(json.get("macsByPrecision").size()).isEqualTo(1);
        assertThat(json.get("notes")).isEmpty();
        assertThat(json.get("opCounts").get("MatMul").asLong()).isEqualTo(1);
        assertThat(json.get("opCounts").get("Add").asLong()).isEqualTo(1);
        assertThat(json.get("nodeCount").asLong()).isEqualTo(2);
        assertThat(json.get("bytesByDataType").get("FLOAT").asLong()).isEqualTo(15 * 4);
        assertThat(json.get("sparsity").asDouble()).isEqualTo(3.0 / 15);
        assertThat(json.get("inputShapes").get("X").toString()).isEqualTo("[2,4]");
        assertThat(json.get("shapeMethod").asText()).isEqualTo("STATIC");
        assertThat(json.get("unresolvedNodes")).isEmpty();
        assertThat(json.get("metadata").get(TinyModel.METADATA_KEY).asText()).isEqualTo("tiny linear");
    }

    @Test
    void tableShowsTheFiguresForABoundDimension() throws Exception {
        CommandRun run = CommandRun.of("inspect", model.toString(), "--bind", "batch=5");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^Model +" + Pattern.quote(model.toString()) + "$")
                .containsPattern("(?m)^Size +" + Files.size(model) + " B$")
                .containsPattern("(?m)^Parameters +15$")
                .containsPattern("(?m)^Sparsity +20\\.0 % \\(3 of 15 parameters are zero\\)$")
                .containsPattern("(?m)^Nodes +2$")
                .containsPattern("(?m)^Input shapes +X=5x4$")
                .containsPattern("(?m)^Shape method +static ")
                .containsPattern("(?m)^MACs +60$")
                .containsPattern("(?m)^  MatMul +60 +60 +100\\.0 %$")
                .containsPattern("(?m)^MACs by precision\n  float32 +60 +60 +100\\.0 %$")
                .containsPattern("(?m)^  FLOAT +60$")
                .containsPattern("(?m)^  lathe\\.test +tiny linear$");
    }

    @Test
    void missingFileIsOneLineNamingTheFile() {
        Path missing = folder.resolve("missing.onnx");

        CommandRun run = CommandRun.of("inspect", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("lathe: ").contains(missing.toString());
    }

    @Test
    void verboseAddsTheStackTrace() {
        CommandRun run = CommandRun.of("inspect", folder.resolve("missing.onnx").toString(), "--verbose");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines().count()).isGreaterThan(1);
        assertThat(run.err()).contains("InvalidModelException", "\tat ");
    }

    @Test
    void malformedShapeNamesTheOptionAndValue() {
        CommandRun run = CommandRun.of("inspect", model.toString(), "--shape", "X=2by4");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst()).get().asString().contains("--shape", "X=2by4");
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void malformedBindNamesTheOptionAndValue() {
        CommandRun run = CommandRun.of("inspect", model.toString(), "--bind", "batch");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString().contains("--bind", "batch");
    }

    @Test
    void shapeGivenTwiceIsAUsageError() {
        CommandRun run = CommandRun.of("inspect", model.toString(), "--shape", "X=1x4", "--shape", "X=2x4");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).get().asString().contains("--shape", "'X'");
    }

    @Test
    void shapeForAnUnknownInputListsTheRealInputs() {
        CommandRun run = CommandRun.of("inspect", model.toString(), "--shape", "input_ids=1x4");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("lathe: ").contains("input_ids", TinyModel.INPUT);
    }

    @Test
    void noSubcommandIsAUsageError() {
        CommandRun run = CommandRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("lathe --help");
    }
}
