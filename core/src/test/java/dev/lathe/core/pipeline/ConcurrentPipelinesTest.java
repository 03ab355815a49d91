package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A built {@link Pipeline} and the {@link OnnxModel}s it reads are shared between threads: one pipeline runs on
 * two models and two pipelines run at once, each result equal to the same run alone.
 */
class ConcurrentPipelinesTest {
    @Test
    void onePipelineRunsOnSeveralThreadsAtOnce(@TempDir Path folder) throws Exception {
        Pipeline pipeline = Pipeline.builder().add(PassRegistry.load().create("cleanup"))
                .benchmark(BenchmarkOptions.defaults().withRuns(1, 5).withMemory(BenchmarkOptions.MemoryMeasurement.NONE))
                .build();
        OnnxModel mlp = TestModels.mlp();
        OnnxModel block = TestModels.transformerBlock();
        PipelineResult aloneMlp = pipeline.run(mlp, folder.resolve("alone-mlp.onnx"));
        PipelineResult aloneBlock = pipeline.run(block, folder.resolve("alone-block.onnx"));

        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<PipelineResult>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                OnnxModel model = i % 2 == 0 ? mlp : block;
                Path output = folder.resolve("run-" + i + ".onnx");
                runs.add(threads.submit(() -> pipeline.run(model, output)));
            }
            for (int i = 0; i < runs.size(); i++) {
                PipelineResult result = runs.get(i).get();
                PipelineResult alone = i % 2 == 0 ? aloneMlp : aloneBlock;
                assertThat(result.optimized().proto().getGraph()).isEqualTo(alone.optimized().proto().getGraph());
                assertThat(result.report().validation().fidelity().maxAbsError())
                        .isEqualTo(alone.report().validation().fidelity().maxAbsError());
                assertThat(OnnxModel.load(result.output()).proto().getGraph()).isEqualTo(alone.optimized().proto().getGraph());
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
