package dev.lathe.quantize.qdq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import dev.lathe.quantize.WeightQuantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** GPTQ rounding of convolution weights: on the int8 grid, less output error than nearest, deterministic. */
class ConvRoundingTest {
    private static final List<String> CONVOLUTIONS = List.of("strided", "depthwise", "pointwise", "wide");

    /** Four convolutions of one input: strided and asymmetrically padded, depthwise, 1×1, and 1×5 dilated. */
    static OnnxModel convolutions() {
        TestModels.Builder g = TestModels.builder("convolutions");
        String x = g.input("x", DataType.FLOAT, 1, 6, 14, 14);
        g.node("Conv", x, g.weight("w1", 8, 6, 3, 3), g.weight("b1", 8)).named("strided").intsAttr("kernel_shape", 3, 3)
                .intsAttr("strides", 2, 2).intsAttr("pads", 1, 0, 0, 1).output("y1");
        g.node("Conv", x, g.weight("w2", 6, 1, 3, 3)).named("depthwise").intsAttr("kernel_shape", 3, 3)
                .intsAttr("pads", 1, 1, 1, 1).intAttr("group", 6).output("y2");
        g.node("Conv", x, g.weight("w3", 5, 6, 1, 1), g.weight("b3", 5)).named("pointwise").intsAttr("kernel_shape", 1, 1)
                .output("y3");
        g.node("Conv", x, g.weight("w4", 4, 3, 1, 5)).named("wide").intsAttr("kernel_shape", 1, 5)
                .intsAttr("dilations", 1, 2).intAttr("group", 2).output("y4");
        g.output("y1", DataType.FLOAT, 1, 8, 7, 7);
        g.output("y2", DataType.FLOAT, 1, 6, 14, 14);
        g.output("y3", DataType.FLOAT, 1, 5, 14, 14);
        g.output("y4", DataType.FLOAT, 1, 4, 14, 6);
        return TestModels.model(g.build());
    }

    /**
     * Smooth images (sums of a few waves per channel, channels mixed): neighbouring pixels and channels are
     * correlated as in real images, which is what GPTQ exploits; independent random pixels would leave nothing
     * to compensate.
     */
    static List<Map<String, TensorData>> smoothImages(int count, long seed) {
        Random random = new Random(seed);
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            float[] pixels = new float[6 * 14 * 14];
            double[][] waves = new double[3][4];
            for (double[] wave : waves) {
                wave[0] = random.nextGaussian();
                wave[1] = random.nextDouble() * 0.8;
                wave[2] = random.nextDouble() * 0.8;
                wave[3] = random.nextDouble() * 6;
            }
            for (int c = 0; c < 6; c++) {
                for (int i = 0; i < 14; i++) {
                    for (int j = 0; j < 14; j++) {
                        double v = 0.3;
                        for (int w = 0; w < waves.length; w++) {
                            v += waves[w][0] * (1 + 0.3 * ((c + w) % 3)) * Math.sin(waves[w][1] * i + waves[w][2] * j
                                    + waves[w][3]);
                        }
                        pixels[(c * 14 + i) * 14 + j] = (float) (v + 0.05 * random.nextGaussian());
                    }
                }
            }
            samples.add(Map.of("x", TensorData.ofFloats(new long[] {1, 6, 14, 14}, pixels)));
        }
        return samples;
    }

    private static float[] weights(OnnxModel model, String name) throws Exception {
        GraphEditor graph = model.edit().mainGraph();
        String input = graph.node(name).orElseThrow().getInput(1);
        return model.tensorData(graph.constant(input).orElseThrow()).toFloatArray();
    }

    /** The model with every convolution's weights rounded to nearest on their per-channel int8 grid. */
    private static OnnxModel roundedToNearest(OnnxModel model) throws Exception {
        ModelEditor editor = model.edit();
        GraphEditor graph = editor.mainGraph();
        for (String name : CONVOLUTIONS) {
            String input = graph.node(name).orElseThrow().getInput(1);
            TensorData weight = model.tensorData(graph.constant(input).orElseThrow());
            float[] values = weight.toFloatArray();
            int rows = (int) weight.shape()[0];
            WeightQuantizer.Quantized q = new WeightQuantizer(true, true, false, false)
                    .quantize(values, rows, values.length / rows, WeightQuantizer.Grouping.PER_ROW);
            for (int i = 0; i < values.length; i++) {
                values[i] = q.values()[i] * q.scales()[i / (values.length / rows)];
            }
            graph.putInitializer(input, TensorData.ofFloats(weight.shape(), values));
        }
        return editor.build();
    }

    /** Per output, the squared error against the float model summed over the samples. */
    private static Map<String, Double> outputErrors(OnnxModel reference, OnnxModel candidate,
            List<Map<String, TensorData>> samples) throws Exception {
        Map<String, Double> errors = new TreeMap<>();
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> expected = a.run(sample);
                Map<String, TensorData> actual = b.run(sample);
                for (String output : expected.keySet()) {
                    float[] e = expected.get(output).toFloatArray();
                    float[] q = actual.get(output).toFloatArray();
                    double sum = 0;
                    for (int i = 0; i < e.length; i++) {
                        sum += (e[i] - q[i]) * (double) (e[i] - q[i]);
                    }
                    errors.merge(output, sum, Double::sum);
                }
            }
        }
        return errors;
    }

    @Test
    void weightsLandOnTheirNearestRoundingGridAndMoveEachOutputLessThanNearestRounding() throws Exception {
        OnnxModel model = convolutions();
        List<Map<String, TensorData>> calibration = smoothImages(12, 1);
        ConvRounding.Outcome outcome = ConvRounding.round(model, CONVOLUTIONS, calibration, 127, ProgressListener.none(),
                "rounding");

        assertThat(outcome.rounded()).isEqualTo(4);
        assertThat(outcome.skipped()).isEmpty();
        // Every channel GPTQ rounded keeps the scale of nearest rounding (its largest weight still at ±127 steps)
        // and every weight is a whole number of steps, so the QDQ writer's own rounding reproduces the chosen
        // values; a channel whose largest weight GPTQ pulled in keeps its weights as they were.
        int gptqChannels = 0;
        int unchanged = 0;
        for (String name : CONVOLUTIONS) {
            float[] original = weights(model, name);
            float[] rounded = weights(outcome.model(), name);
            GraphEditor graph = model.edit().mainGraph();
            int rows = (int) graph.constant(graph.node(name).orElseThrow().getInput(1)).orElseThrow().getDims(0);
            int length = original.length / rows;
            for (int r = 0; r < rows; r++) {
                float[] row = Arrays.copyOfRange(rounded, r * length, (r + 1) * length);
                float[] before = Arrays.copyOfRange(original, r * length, (r + 1) * length);
                if (Arrays.equals(row, before)) {
                    unchanged++;
                    continue;
                }
                gptqChannels++;
                float amax = 0;
                float roundedMax = 0;
                for (int i = 0; i < length; i++) {
                    amax = Math.max(amax, Math.abs(before[i]));
                    roundedMax = Math.max(roundedMax, Math.abs(row[i]));
                }
                float scale = (float) ((double) amax / 127);
                assertThat(roundedMax).as(name + " channel " + r).isCloseTo(amax, offset(amax * 1e-6f));
                for (int i = 0; i < length; i++) {
                    double steps = row[i] / (double) scale;
                    assertThat(Math.abs(steps - Math.rint(steps))).as(name + " weight " + i).isLessThan(1e-3);
                }
            }
        }
        assertThat(gptqChannels + unchanged).isEqualTo(outcome.channels()).isEqualTo(23);
        assertThat(unchanged).isEqualTo(outcome.nearestChannels()).isLessThan(gptqChannels);
        // On held-out images of the same kind, each convolution's output moves less than with nearest rounding.
        // Measured (squared error, GPTQ against nearest): strided 0.16 / 5.5, depthwise 0.38 / 0.79, 1×1 over only
        // six inputs 0.031 / 0.037 (little to compensate with), dilated 1×5 0.12 / 0.86.
        List<Map<String, TensorData>> heldOut = smoothImages(12, 2);
        Map<String, Double> gptq = outputErrors(model, outcome.model(), heldOut);
        Map<String, Double> nearest = outputErrors(model, roundedToNearest(model), heldOut);
        for (String output : nearest.keySet()) {
            assertThat(gptq.get(output)).as(output + ": GPTQ " + gptq.get(output) + ", nearest " + nearest.get(output))
                    .isLessThan(0.9 * nearest.get(output));
        }
    }

    @Test
    void theSameSamplesGiveTheSameWeightsInOneChunkOrOneConvolutionAtATime() throws Exception {
        OnnxModel model = convolutions();
        List<Map<String, TensorData>> calibration = smoothImages(6, 3);
        OnnxModel first = ConvRounding.round(model, CONVOLUTIONS, calibration, 127, ProgressListener.none(), "a").model();
        OnnxModel second = ConvRounding.round(model, CONVOLUTIONS, calibration, 127, ProgressListener.none(), "b").model();
        OnnxModel chunked = ConvRounding.round(model, CONVOLUTIONS, calibration, 127, ProgressListener.none(), "c", 1)
                .model();
        for (String name : CONVOLUTIONS) {
            assertThat(weights(second, name)).as(name).containsExactly(weights(first, name));
            assertThat(weights(chunked, name)).as(name).containsExactly(weights(first, name));
        }
    }

    @Test
    void aGroupWhoseHessianCannotBeFactoredKeepsItsWeightsForNearestRounding() throws Exception {
        OnnxModel model = convolutions();
        List<Map<String, TensorData>> calibration = new ArrayList<>(smoothImages(4, 5));
        float[] broken = calibration.get(0).get("x").toFloatArray();
        broken[0] = Float.NaN; // channel 0, pixel (0, 0): reaches the depthwise group 0's Hessian, and all of 1x1's
        calibration.set(0, Map.of("x", TensorData.ofFloats(new long[] {1, 6, 14, 14}, broken)));

        ConvRounding.Outcome outcome = ConvRounding.round(model, List.of("depthwise", "pointwise"), calibration, 127,
                ProgressListener.none(), "rounding");

        // Depthwise group 0 (one channel) and the 1x1's single group (5 channels) cannot be factored.
        assertThat(outcome.nearestChannels()).isEqualTo(6);
        assertThat(weights(outcome.model(), "pointwise")).containsExactly(weights(model, "pointwise"));
        assertThat(Arrays.copyOfRange(weights(outcome.model(), "depthwise"), 0, 9))
                .containsExactly(Arrays.copyOfRange(weights(model, "depthwise"), 0, 9));
        assertThat(Arrays.copyOfRange(weights(outcome.model(), "depthwise"), 9, 54))
                .isNotEqualTo(Arrays.copyOfRange(weights(model, "depthwise"), 9, 54));
    }

    @Test
    void convolutionsItCannotReadAreLeftToNearestRoundingWithTheReason() throws Exception {
        TestModels.Builder g = TestModels.builder("odd-convolutions");
        String x = g.input("x", DataType.FLOAT, 1, 2, 8, 8);
        String w = g.input("w", DataType.FLOAT, 2, 2, 3, 3);
        g.node("Conv", x, w).named("dynamic").intsAttr("kernel_shape", 3, 3).output("y1");
        g.node("Conv", x, g.weight("w2", 2, 2, 3, 3)).named("same").intsAttr("kernel_shape", 3, 3)
                .stringAttr("auto_pad", "SAME_UPPER").output("y2");
        String deep = g.input("deep", DataType.FLOAT, 1, 230, 3, 3);
        g.node("Conv", deep, g.weight("w3", 1, 230, 3, 3)).named("large").intsAttr("kernel_shape", 3, 3).output("y3");
        g.output("y1", DataType.FLOAT, 1, 2, 6, 6);
        g.output("y2", DataType.FLOAT, 1, 2, 8, 8);
        g.output("y3", DataType.FLOAT, 1, 1, 1, 1);
        OnnxModel model = TestModels.model(g.build());
        Random random = new Random(4);
        float[] image = new float[2 * 8 * 8];
        float[] kernel = new float[2 * 2 * 3 * 3];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        ConvRounding.Outcome outcome = ConvRounding.round(model, List.of("dynamic", "same", "large"),
                List.of(Map.of("x", TensorData.ofFloats(new long[] {1, 2, 8, 8}, image),
                        "w", TensorData.ofFloats(new long[] {2, 2, 3, 3}, kernel),
                        "deep", TensorData.ofFloats(new long[] {1, 230, 3, 3}, new float[230 * 9]))),
                127, ProgressListener.none(), "rounding");

        assertThat(outcome.rounded()).isZero();
        assertThat(outcome.skipped()).containsEntry("dynamic", "its weight is not a constant")
                .containsEntry("same", "auto_pad SAME_UPPER")
                .containsEntry("large", "a patch of 2070 inputs, more than the 2048 a Hessian is made for");
        assertThat(outcome.model()).isSameAs(model);
    }
}
