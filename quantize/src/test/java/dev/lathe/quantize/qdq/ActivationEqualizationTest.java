package dev.lathe.quantize.qdq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Channel equalization of a ReLU between a pointwise Conv and a depthwise Conv. */
class ActivationEqualizationTest {
    private static final Map<String, long[]> IMAGE = Map.of("image", new long[] {1, 3, 12, 12});

    /**
     * Conv 3→4 (1×1, channel c's weights scaled by 10^-c, so channel 3 is a thousandth of channel 0), ReLU,
     * depthwise 3×3 Conv whose filters make up for it (10^c), pointwise Conv 4→2.
     */
    private static OnnxModel chain() {
        TestModels.Builder g = TestModels.builder("chain");
        String image = g.input("image", DataType.FLOAT, 1, 3, 12, 12);
        float[] w1 = new float[4 * 3];
        float[] dw = new float[4 * 9];
        java.util.Random random = new java.util.Random(3);
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 3; i++) {
                w1[c * 3 + i] = (float) (random.nextGaussian() * Math.pow(10, -c));
            }
            for (int i = 0; i < 9; i++) {
                dw[c * 9 + i] = (float) (random.nextGaussian() * Math.pow(10, c));
            }
        }
        String c1 = g.node("Conv", image, g.floatInitializer("w1", new long[] {4, 3, 1, 1}, w1),
                g.floatInitializer("b1", new long[] {4}, 0.1f, 0.01f, 0.001f, 0.0001f)).output();
        String relu = g.node("Relu", c1).output();
        String depthwise = g.node("Conv", relu, g.floatInitializer("dw", new long[] {4, 1, 3, 3}, dw), g.weight("db", 4))
                .intAttr("group", 4).intsAttr("pads", 1, 1, 1, 1).output();
        g.node("Conv", depthwise, g.weight("w3", 2, 4, 1, 1), g.weight("b3", 2)).output("y");
        g.output("y", DataType.FLOAT, 1, 2, 12, 12);
        return TestModels.model(g.build());
    }

    @Test
    void equalizedChannelsReachTheLargestRangeAndTheNetworkComputesTheSame() throws Exception {
        OnnxModel model = chain();
        List<Map<String, TensorData>> samples = InputGenerator.samples(model, IMAGE, 8, 5);
        ModelEditor editor = model.edit();
        List<ActivationEqualization.Chain> chains = ActivationEqualization.find(editor.mainGraph());
        assertThat(chains).hasSize(1);
        CalibrationStatistics before = CalibrationStatistics.collect(model, ActivationEqualization.requests(chains), samples, 8);

        int scaled = ActivationEqualization.apply(model, editor.mainGraph(), chains, before.statistics());

        OnnxModel equalized = editor.build();
        assertThat(scaled).isEqualTo(3);
        String relu = chains.get(0).relu().getOutput(0);
        float[] maxBefore = before.of(relu).maxAbs();
        float[] maxAfter = CalibrationStatistics.collect(equalized, ActivationEqualization.requests(chains), samples, 8)
                .of(relu).maxAbs();
        assertThat(maxBefore[3] / maxBefore[0]).isLessThan(0.01f);
        for (int c = 0; c < 4; c++) {
            float expected = (float) Math.min(maxBefore[0], maxBefore[c] * ActivationEqualization.MAX_SCALE);
            assertThat(maxAfter[c]).as("channel %d", c).isCloseTo(expected, within(expected * 1e-4f));
        }
        try (ModelSession a = ModelSession.open(model, SessionSettings.cpu());
                ModelSession b = ModelSession.open(equalized, SessionSettings.cpu())) {
            assertThat(FidelityMeter.compare(a, b, samples).cosineMin()).isGreaterThan(0.9999999);
        }
    }

    @Test
    void staticInt8IsMoreFaithfulWithEqualizationOnHeldOutInputs() throws Exception {
        OnnxModel model = chain();
        PassContext context = new PassContext(ShapeBinding.none(), InputGenerator.samples(model, IMAGE, 8, 5),
                ProgressListener.none());
        List<Map<String, TensorData>> heldOut = InputGenerator.samples(model, IMAGE, 8, 99);

        OnnxModel plain = PassRegistry.load().create("quantize.static:fallback=false,equalize=false").apply(model, context).model();
        var equalizedResult = PassRegistry.load().create("quantize.static:fallback=false").apply(model, context);

        assertThat(equalizedResult.details()).containsEntry("equalized", "1 ReLUs before depthwise Convs, 3 channels scaled");
        try (ModelSession reference = ModelSession.open(model, SessionSettings.cpu());
                ModelSession a = ModelSession.open(plain, SessionSettings.cpu());
                ModelSession b = ModelSession.open(equalizedResult.model(), SessionSettings.cpu())) {
            double without = FidelityMeter.compare(reference, a, heldOut).cosineMin();
            double with = FidelityMeter.compare(reference, b, heldOut).cosineMin();
            assertThat(with).as("cosine with equalization (without: %s)", without).isGreaterThan(without).isGreaterThan(0.99);
        }
    }
}
