package dev.lathe.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.conversion.ModelImporters;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.PipelineResult;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.ReportMarkdown;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.tensorflow.convert.UnsupportedOpsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SavedModel through the pipeline API: converted, quantized, measured before in TensorFlow Java. */
class SavedModelPipelineTest {
    @TempDir
    Path dir;

    @Test
    void cnnSavedModelIsOptimizedWithTensorFlowAsBefore() throws Exception {
        Path savedModel = TestSavedModels.cnn(dir.resolve("cnn"));
        assertThat(ModelImporters.find(savedModel)).get().isInstanceOf(SavedModelImporter.class);
        Path output = dir.resolve("cnn.int8.onnx");
        try (ImportedModel imported = ModelImporters.importerFor(savedModel).open(savedModel)) {
            PipelineResult result = Pipeline.builder()
                    .add(PassRegistry.load().create("quantize.static"))
                    .provider(ProviderPolicy.require(ProviderConfig.Cpu.defaults().withIntraOpThreads(1)))
                    .calibrateOnGenerated(true)
                    .benchmark(BenchmarkOptions.defaults().withRuns(3, 10))
                    .build()
                    .run(imported, output);
            OptimizationReport report = result.report();
            assertThat(report.measuredBefore().provider()).isEqualTo("tensorflow-java cpu (1 thread)");
            assertThat(report.measuredAfter().provider()).isEqualTo("cpu (1 thread)");
            assertThat(report.before().macs()).isEqualTo(247_968);
            assertThat(report.conversion()).get().satisfies(c -> {
                assertThat(c.withinTolerance()).isTrue();
                assertThat(c.samples()).isPositive();
            });
            assertThat(ReportMarkdown.render(report)).contains("## Conversion", "Original measured on tensorflow-java cpu");
            assertThat(OnnxModel.load(output).proto().getGraph().getNodeList())
                    .anyMatch(node -> node.getOpType().equals("QuantizeLinear"));
        }
    }

    @Test
    void unsupportedOpsAreAllNamedAndNothingIsWritten() throws Exception {
        Path savedModel = TestSavedModels.withUnsupportedOps(dir.resolve("odd"));
        Path output = dir.resolve("odd.onnx");
        try (ImportedModel imported = ModelImporters.importerFor(savedModel).open(savedModel)) {
            assertThat(imported.footprint(dev.lathe.core.model.ShapeBinding.none()).opCounts()).containsKeys("Cumsum", "Atan2");
            assertThatThrownBy(() -> Pipeline.builder().build().run(imported, output))
                    .isInstanceOf(UnsupportedOpsException.class)
                    .hasMessageContaining("2 problems")
                    .hasMessageContaining("op Cumsum (node")
                    .hasMessageContaining("op Atan2 (node");
        }
        assertThat(output).doesNotExist();
    }

    @Test
    void anUnknownSignatureIsRefusedWithTheKeysThereAre() throws Exception {
        try (SavedModel model = SavedModel.load(TestSavedModels.mlp(dir.resolve("mlp")))) {
            assertThat(model.tags()).containsExactly("serve");
            assertThatThrownBy(() -> model.signature("predict"))
                    .isInstanceOf(InvalidModelException.class).hasMessageContaining("no signature 'predict'; it has serving_default");
        }
    }

    @Test
    void aDirectoryThatIsNoSavedModelIsRefusedByName() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        assertThat(ModelImporters.find(dir.resolve("empty"))).isEmpty();
        assertThatThrownBy(() -> SavedModel.load(dir.resolve("empty")))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("no saved_model.pb");
    }
}
