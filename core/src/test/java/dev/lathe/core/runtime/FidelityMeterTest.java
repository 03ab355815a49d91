package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fidelity between models on the same inputs: exact cases computed by hand, and MiniLM against its int8 twin. */
class FidelityMeterTest {

    /** logits = x · w for a [1, 3] input and a [3, 3] weight. */
    private static OnnxModel classifier(float... weights) {
        TestModels.Builder g = TestModels.builder("classifier");
        String x = g.input("x", DataType.FLOAT, "batch", 3);
        g.node("MatMul", x, g.floatInitializer("w", new long[] {3, 3}, weights)).output("logits");
        g.output("logits", DataType.FLOAT, "batch", 3);
        return TestModels.model(g.build());
    }

    @Test
    void identicalModelsAgreeExactly() throws Exception {
        OnnxModel model = TestModels.mlp();
        List<Map<String, TensorData>> samples = InputGenerator.samples(model, Map.of("x", new long[] {4, 4}), 3, 1);
        try (ModelSession a = ModelSession.open(model, SessionSettings.cpu());
                ModelSession b = ModelSession.open(model, SessionSettings.cpu())) {
            Fidelity fidelity = FidelityMeter.compare(a, b, samples);

            assertThat(fidelity.samples()).isEqualTo(3);
            assertThat(fidelity.cosineMin()).isEqualTo(1.0, within(1e-12));
            assertThat(fidelity.maxAbsError()).isZero();
        }
    }

    @Test
    void zeroSizeOutputsCompareNothingAndAreRefused() throws Exception {
        OnnxModel model = TestModels.mlp();
        List<Map<String, TensorData>> samples = List.of(Map.of("x", TensorData.ofFloats(new long[] {0, 4})));
        try (ModelSession a = ModelSession.open(model, SessionSettings.cpu());
                ModelSession b = ModelSession.open(model, SessionSettings.cpu())) {
            assertThatThrownBy(() -> FidelityMeter.compare(a, b, samples))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing was compared");
        }
    }

    @Test
    void errorsCosineAndTopOneAreComputedAsDefined() throws Exception {
        OnnxModel identity = classifier(1, 0, 0, 0, 1, 0, 0, 0, 1);
        OnnxModel swapped = classifier(0, 1, 0, 1, 0, 0, 0, 0, 1);
        // Rows [3, 1, 0] and [0, 0, 2]: swapping the first two classes changes the first row's arg-max only.
        List<Map<String, TensorData>> samples = List.of(Map.of("x", TensorData.ofFloats(new long[] {2, 3}, 3, 1, 0, 0, 0, 2)));
        try (ModelSession a = ModelSession.open(identity, SessionSettings.cpu());
                ModelSession b = ModelSession.open(swapped, SessionSettings.cpu())) {
            OutputFidelity logits = FidelityMeter.compare(a, b, samples).outputs().get(0);

            assertThat(logits.maxAbsError()).isEqualTo(2);
            assertThat(logits.meanAbsError()).isEqualTo(4.0 / 6);
            // a = (3,1,0,0,0,2), b = (1,3,0,0,0,2): dot 10, norms² 14 and 14.
            assertThat(logits.cosineMean()).isEqualTo(10.0 / 14, within(1e-9));
            assertThat(logits.top1Agreement()).hasValue(0.5);
        }
    }

    @Test
    @Tag("slow")
    void miniLmAgainstItsInt8TwinIsCloseButNotExact(@TempDir Path folder) throws Exception {
        OnnxModel fp32 = OnnxModel.load(RealModels.miniLm(folder));
        OnnxModel int8 = OnnxModel.load(RealModels.miniLmInt8(folder));
        Map<String, long[]> shapes = ShapeBinding.none().withDimension("batch_size", 1)
                .withDimension("sequence_length", 128).resolve(fp32);
        try (ModelSession a = ModelSession.open(fp32, SessionSettings.cpu());
                ModelSession b = ModelSession.open(int8, SessionSettings.cpu())) {
            Fidelity fidelity = FidelityMeter.compare(a, b, InputGenerator.samples(fp32, shapes, 3, 1));

            assertThat(fidelity.outputs()).extracting(OutputFidelity::output).containsExactly("last_hidden_state");
            assertThat(fidelity.cosineMean()).isBetween(0.95, 0.9999);
            assertThat(fidelity.maxAbsError()).isPositive();
        }
    }
}
