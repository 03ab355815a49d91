package dev.lathe.quantize.weightonly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * all-MiniLM-L6-v2 through the weight-only passes: the saved models load in ONNX Runtime, are a fraction of
 * the size and keep last_hidden_state close on generated inputs (loose floors; the tight targets live in
 * the benchmark, on real sentences).
 */
@Tag("slow")
class MiniLmWeightOnlyTest {

    @ParameterizedTest(name = "{0}, {1} calibration samples")
    @CsvSource({"quantize.int4, 0, 0.25", "quantize.int4, 8, 0.25", "quantize.int8-weights, 0, 0.30"})
    void miniLmShrinksAndStaysClose(String spec, int calibrationSamples, double maxSizeRatio, @TempDir Path folder)
            throws Exception {
        OnnxModel fp32 = OnnxModel.load(RealModels.miniLm(folder));
        List<Map<String, TensorData>> calibration = InputGenerator.samples(fp32, shapes(fp32, 64), calibrationSamples, 21);

        PassResult result = PassRegistry.load().create(spec)
                .apply(fp32, new PassContext(ShapeBinding.none(), calibration, ProgressListener.none()));
        Path saved = folder.resolve("quantized.onnx");
        result.model().save(saved);

        double sizeRatio = (double) Files.size(saved) / Files.size(fp32.file().orElseThrow());
        Fidelity fidelity;
        try (ModelSession reference = ModelSession.open(fp32, SessionSettings.cpu());
                ModelSession candidate = ModelSession.open(OnnxModel.load(saved), SessionSettings.cpu())) {
            fidelity = FidelityMeter.compare(reference, candidate, InputGenerator.samples(fp32, shapes(fp32, 32), 4, 11));
        }
        assertThat(result.details()).containsEntry("nodesQuantized", 36).containsEntry("gathersQuantized", 3)
                .containsEntry("method", calibrationSamples > 0 ? "gptq" : "rtn");
        assertThat(sizeRatio).isLessThan(maxSizeRatio);
        assertThat(fidelity.outputs()).extracting(o -> o.output()).containsExactly("last_hidden_state");
        assertThat(fidelity.cosineMean()).isGreaterThan(0.95);
    }

    private static Map<String, long[]> shapes(OnnxModel model, int tokens) {
        return ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", tokens).resolve(model);
    }
}
