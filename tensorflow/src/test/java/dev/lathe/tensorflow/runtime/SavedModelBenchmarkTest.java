package dev.lathe.tensorflow.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.tensorflow.SavedModel;
import dev.lathe.tensorflow.SignatureInfo;
import dev.lathe.tensorflow.SignatureInputs;
import dev.lathe.tensorflow.TestSavedModels;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedModelBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void measuresInProcessAndInAChildJvmWithTheSameResultType() throws Exception {
        Path cnn = TestSavedModels.cnn(dir.resolve("cnn"));
        Map<String, TensorData> inputs;
        try (SavedModel model = SavedModel.load(cnn)) {
            SignatureInfo signature = model.signature();
            inputs = SignatureInputs.generate(signature, SignatureInputs.shapes(signature, ShapeBinding.none()), 1);
        }
        BenchmarkOptions options = BenchmarkOptions.defaults().withRuns(2, 7);
        BenchmarkResult inProcess = SavedModelBenchmark.run(cnn, "serving_default", 1, inputs,
                options.withMemory(BenchmarkOptions.MemoryMeasurement.IN_PROCESS));
        BenchmarkResult forked = SavedModelBenchmark.run(cnn, "serving_default", 1, inputs,
                options.withMemory(BenchmarkOptions.MemoryMeasurement.FORKED));
        for (BenchmarkResult result : new BenchmarkResult[] {inProcess, forked}) {
            assertThat(result.provider()).isEqualTo("tensorflow-java cpu (1 thread)");
            assertThat(result.latencyMs().runs()).isEqualTo(7);
            assertThat(result.latencyMs().p50()).isPositive();
            assertThat(result.throughputPerSec()).isPositive();
            assertThat(result.sessionInitMs()).isPositive();
            assertThat(result.peakMemoryBytes()).isPositive();
        }
        assertThat(inProcess.memoryMethod()).isEqualTo("in-process");
        assertThat(forked.memoryMethod()).isEqualTo("forked");
    }
}
