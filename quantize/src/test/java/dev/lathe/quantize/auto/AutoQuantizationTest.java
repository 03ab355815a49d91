package dev.lathe.quantize.auto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** quantize.auto on a tiny CNN: every candidate is reported, only a passing and faster one is written, a refusal is not fatal. */
class AutoQuantizationTest {
    private static final Map<String, long[]> IMAGE = Map.of("image", new long[] {1, 3, 16, 16});

    @Test
    void everyCandidateIsReportedAndThePassingOneIsWritten() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        List<Map<String, TensorData>> calibration = InputGenerator.samples(cnn, IMAGE, 8, 1);
        PassContext context = new PassContext(ShapeBinding.none(), calibration, ProgressListener.none());

        PassResult result = PassRegistry.load().create("quantize.auto:candidates=static,runs=3").apply(cnn, context);

        @SuppressWarnings("unchecked")
        Map<String, String> candidates = (Map<String, String>) result.details().get("candidates");
        assertThat(candidates).containsOnlyKeys("static");
        assertThat(candidates.get("static")).startsWith("passed; size ").contains("latency ", "top1-agreement 1.0000");
        assertThat(result.details().get("judgedOn").toString()).startsWith("8 calibration samples");
        // On a model this small the Q/DQ pairs cost more than the integer kernels save: then the input stays.
        if (result.model() == cnn) {
            assertThat(result.details().get("chosen").toString()).startsWith("none: no candidate that met the gate was faster");
        } else {
            assertThat(result.details()).containsEntry("chosen", "static");
            assertThat(result.model().graph().nodes()).extracting(NodeProto::getOpType).contains("QuantizeLinear");
        }
    }

    @Test
    void aCandidateThatRefusesIsNotApplicableAndTheModelIsLeftAsItWas() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        PassContext noData = new PassContext(ShapeBinding.none().withInputShape("image", 1, 3, 16, 16), List.of(),
                ProgressListener.none());

        PassResult result = PassRegistry.load().create("quantize.auto:candidates=static,runs=3").apply(cnn, noData);

        @SuppressWarnings("unchecked")
        Map<String, String> candidates = (Map<String, String>) result.details().get("candidates");
        assertThat(candidates.get("static")).startsWith("not applicable: quantize.static needs real calibration data");
        assertThat(result.details().get("chosen").toString()).startsWith("none");
        assertThat(result.details().get("judgedOn").toString()).contains("GENERATED");
        assertThat(result.model()).isSameAs(cnn);
    }

    @Test
    void settingsRoundTripThroughTheirOptions() {
        AutoQuantizationSettings settings = AutoQuantizationSettings.builder().candidates(List.of("static", "int8")).runs(5)
                .build();

        assertThat(settings.candidates()).containsExactly("int8", "static");
        assertThat(AutoQuantizationSettings.from(settings.options())).isEqualTo(settings);
    }
}
