package dev.lathe.quantize.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import dev.lathe.core.weights.WeightedNodes;
import dev.lathe.core.weights.WeightedNodes.WeightedNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SmoothQuant on a model whose activations have outlier channels, as transformer activations do: the
 * smoothed float graph computes the same function as the original, and int8 with smoothing follows the
 * original much more closely than int8 without, on samples that were not used for calibration.
 */
class SmoothingTest {
    private static final int WIDTH = 64;
    private static final int[] OUTLIERS = {3, 17, 40};

    /** y = (x · c) · W with c scaling three channels by 60: the MatMul input has outlier channels. */
    private static OnnxModel outlierModel() {
        TestModels.Builder g = TestModels.builder("outliers");
        String x = g.input("x", DataType.FLOAT, "batch", WIDTH);
        float[] channelScales = new float[WIDTH];
        java.util.Arrays.fill(channelScales, 1);
        for (int outlier : OUTLIERS) {
            channelScales[outlier] = 60;
        }
        String scales = g.initializer("channel_scales", TensorData.ofFloats(new long[] {WIDTH}, channelScales));
        String scaled = g.node("Mul", x, scales).output();
        g.node("MatMul", scaled, g.weight("w", WIDTH, WIDTH)).output("y");
        g.output("y", DataType.FLOAT, "batch", WIDTH);
        return TestModels.model(g.build());
    }

    private static List<Map<String, TensorData>> samples(int count, long seed) {
        Random random = new Random(seed);
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] values = new float[4 * WIDTH];
            for (int v = 0; v < values.length; v++) {
                values[v] = (float) random.nextGaussian();
            }
            samples.add(Map.of("x", TensorData.ofFloats(new long[] {4, WIDTH}, values)));
        }
        return samples;
    }

    private static PassContext calibrated() {
        return new PassContext(ShapeBinding.none(), samples(16, 1), ProgressListener.none());
    }

    @Test
    void theSmoothedFloatGraphComputesTheOriginalFunction() throws Exception {
        OnnxModel model = outlierModel();
        ModelEditor editor = model.edit();
        List<WeightedNode> targets = WeightedNodes.find(editor, Set.of("MatMul"), 1);
        Smoothing smoothing = Smoothing.compute(model, targets, 0.7, calibrated());
        assertThat(smoothing.inputCount()).isEqualTo(1);
        assertThat(smoothing.samples()).isEqualTo(16);
        for (WeightedNode target : targets) {
            float[] weights = model.tensorData(target.weight()).toFloatArray();
            smoothing.scaleRows(target, weights);
            String input = smoothing.smoothedInput(target, editor);
            String weight = editor.uniqueName(target.weightName() + "_smoothed");
            editor.mainGraph().putInitializer(weight, TensorData.ofFloats(target.weightShape(), weights));
            NodeProto node = target.node().toBuilder().setInput(0, input).setInput(1, weight).build();
            editor.mainGraph().replaceNode(node.getName(), node);
        }
        OnnxModel smoothedFloat = editor.build();

        try (ModelSession a = ModelSession.open(model, SessionSettings.cpu());
                ModelSession b = ModelSession.open(smoothedFloat, SessionSettings.cpu())) {
            var fidelity = FidelityMeter.compare(a, b, samples(8, 99));
            assertThat(fidelity.cosineMin()).isGreaterThan(0.999999);
            assertThat(fidelity.maxAbsError()).isLessThan(1e-3);
        }
    }

    @Test
    void smoothingBeatsNoSmoothingOnHeldOutSamples() throws Exception {
        OnnxModel model = outlierModel();
        OnnxModel smoothed = PassRegistry.load().create("quantize.int8:min-size=0").apply(model, calibrated()).model();
        OnnxModel plain = PassRegistry.load().create("quantize.int8:min-size=0,smooth=0").apply(model, calibrated()).model();

        double withSmoothing;
        double without;
        List<Map<String, TensorData>> heldOut = samples(16, 1234);
        try (ModelSession reference = ModelSession.open(model, SessionSettings.cpu());
                ModelSession a = ModelSession.open(smoothed, SessionSettings.cpu());
                ModelSession b = ModelSession.open(plain, SessionSettings.cpu())) {
            withSmoothing = FidelityMeter.compare(reference, a, heldOut).meanAbsError();
            without = FidelityMeter.compare(reference, b, heldOut).meanAbsError();
        }
        System.out.printf("outlier model, int8 mean abs error: smoothed %.5f, not smoothed %.5f%n", withSmoothing, without);
        assertThat(withSmoothing).isLessThan(0.7 * without);
    }
}
