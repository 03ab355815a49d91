package dev.lathe.quantize.fp16;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
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
import org.junit.jupiter.params.provider.ValueSource;

/** all-MiniLM-L6-v2 converted to float16: half the size, last_hidden_state nearly unchanged, in ONNX Runtime. */
@Tag("slow")
class MiniLmFloat16Test {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"quantize.fp16", "quantize.fp16:compute=fp16", "quantize.fp16:target=gpu", "quantize.fp16:compute=fp32"})
    void miniLmIsHalfItsSizeAndStaysClose(String spec, @TempDir Path folder) throws Exception {
        OnnxModel fp32 = OnnxModel.load(RealModels.miniLm(folder));
        OnnxModel fp16 = PassRegistry.load().create(spec)
                .apply(fp32, new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none())).model();
        Path saved = folder.resolve("fp16.onnx");
        fp16.save(saved);

        double sizeRatio = (double) Files.size(saved) / Files.size(fp32.file().orElseThrow());
        Map<String, long[]> shapes = ShapeBinding.none().withDimension("batch_size", 1)
                .withDimension("sequence_length", 16).resolve(fp32);
        Fidelity fidelity;
        try (ModelSession reference = ModelSession.open(fp32, SessionSettings.cpu());
                ModelSession candidate = ModelSession.open(OnnxModel.load(saved), SessionSettings.cpu())) {
            fidelity = FidelityMeter.compare(reference, candidate, InputGenerator.samples(fp32, shapes, 4, 11));
        }

        assertThat(sizeRatio).isBetween(0.49, 0.52);
        assertThat(fidelity.outputs()).extracting(o -> o.output()).containsExactly("last_hidden_state");
        assertThat(fidelity.cosineMin()).isGreaterThan(0.99);
    }
}
