package dev.lathe.prune.structured;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.PipelineResult;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderAvailability;
import dev.lathe.core.provider.ProviderCatalog;
import dev.lathe.core.report.ReportJson;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.selection.ProviderSelector;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prune.structured} as a pipeline step: found by name, validated, written, reported. */
class StructuredPruningPipelineTest {

    @Test
    void aPipelineStepWritesAValidatedSmallerModelAndReportsTheStep(@TempDir Path folder) throws Exception {
        Path input = folder.resolve("residual.onnx");
        StructuredModels.residualCnn().save(input);
        BenchmarkOptions quick = BenchmarkOptions.defaults().withRuns(1, 3).withMemory(BenchmarkOptions.MemoryMeasurement.NONE);
        ProviderSelector cpu = new ProviderSelector(
                ProviderCatalog.of(Map.of(Provider.CPU, ProviderAvailability.available("cpu"))), quick);

        // A mechanics test on a tiny CNN: generated images calibrate it (real data judges real models).
        PipelineResult result = Pipeline.builder().selector(cpu).benchmark(quick).calibrateOnGenerated(true)
                .shapes(ShapeBinding.none().withInputShape("image", 1, 3, 8, 8))
                .add(PassRegistry.load().create("prune.structured:fraction=0.25"))
                .validation(ValidationGate.parse("min-cosine=0.9")).build()
                .run(input, folder.resolve("residual.pruned.onnx"));

        OnnxModel written = OnnxModel.load(result.output());
        assertThat(written.constants().stream().filter(c -> c.name().equals("conv_a_w")).findFirst().orElseThrow().shape())
                .containsExactly(6, 3, 3, 3);
        StepRecord step = result.report().steps().get(0);
        assertThat(step.name()).isEqualTo("prune.structured");
        assertThat(step.status()).isEqualTo(StepRecord.Status.OK);
        assertThat(step.details()).containsEntry("unitsRemoved", 2).containsKeys("groups", "macsRatio", "allocation");
        assertThat(result.report().after().macs()).isLessThan(result.report().before().macs());
        assertThat(ReportJson.render(result.report())).contains("\"unitsRemoved\"");
    }
}
