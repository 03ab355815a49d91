package dev.lathe.prune.unstructured;

import static dev.lathe.prune.unstructured.PruningFixtures.NO_CALIBRATION;
import static dev.lathe.prune.unstructured.PruningFixtures.calibrated;
import static dev.lathe.prune.unstructured.PruningFixtures.prune;
import static dev.lathe.prune.unstructured.PruningFixtures.squaredError;
import static dev.lathe.prune.unstructured.PruningFixtures.weight;
import static dev.lathe.prune.unstructured.PruningFixtures.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.PassFailedException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wanda importance: weights on loud input channels survive where magnitude would prune them. */
class WandaPruningTest {
    /**
     * A [4, 2] weight whose row 0, read by the loud input channel 0, holds the smallest values: magnitude prunes
     * it first, Wanda keeps it.
     */
    private static final float[] W = {0.1f, -0.1f, 0.5f, 0.6f, -0.4f, 0.3f, 0.2f, -0.7f};

    /** y = MatMul(x [rows, 4], w [4, 2]). */
    private static OnnxModel loudChannelModel() {
        TestModels.Builder g = TestModels.builder("loud_channel");
        String x = g.input("x", DataType.FLOAT, "rows", 4);
        g.node("MatMul", x, g.floatInitializer("w", new long[] {4, 2}, W)).named("matmul").output("y");
        g.output("y", DataType.FLOAT, "rows", 2);
        return TestModels.model(g.build());
    }

    /** Samples [8, 4] whose channel 0 is about 100 and other channels about 1. */
    private static List<Map<String, TensorData>> loudChannelSamples() {
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            float[] x = new float[32];
            for (int row = 0; row < 8; row++) {
                x[row * 4] = 100 + row + s;
                for (int channel = 1; channel < 4; channel++) {
                    x[row * 4 + channel] = (row + channel + s) % 2 == 0 ? 1 : -1;
                }
            }
            samples.add(Map.of("x", TensorData.ofFloats(new long[] {8, 4}, x)));
        }
        return samples;
    }

    @Test
    void wandaKeepsSmallWeightsOnALoudInputChannel() throws Exception {
        OnnxModel model = loudChannelModel();
        PassContext context = calibrated(loudChannelSamples());

        OnnxModel magnitude = prune(model, "prune.magnitude:sparsity=0.5,scope=output", context).model();
        PassResult wanda = prune(model, "prune.wanda:sparsity=0.5", context);

        // Per column, magnitude drops the two smallest |w|, row 0's among them. Wanda scores row 0 at 0.1·‖x0‖ with
        // ‖x0‖ about 100 times ‖x1‖, far above the rest, so it keeps row 0 and drops the two lowest of the others.
        assertThat(weight(magnitude, "w")).containsExactly(0, 0, 0.5f, 0.6f, -0.4f, 0, 0, -0.7f);
        assertThat(weight(wanda.model(), "w")).containsExactly(0.1f, -0.1f, 0.5f, 0, 0, 0, 0, -0.7f);
        assertThat(wanda.details()).containsEntry("importance", "wanda").containsEntry("pattern", "50.0% per output")
                .containsEntry("magnitudeFallbacks", Map.of());
        assertThat(squaredError(model, wanda.model(), loudChannelSamples()))
                .isLessThan(squaredError(model, magnitude, loudChannelSamples()) / 10);
    }

    /**
     * An oracle independent of the pass: the original MatMul with, in each output column, the half of the weights
     * with the lowest |w_kj|·‖x_k‖₂ zeroed by hand (norms summed over every row of every calibration sample) must
     * compute exactly what the pruned model computes, on an input it was not calibrated on.
     */
    @Test
    void thePrunedModelComputesWhatTheOriginalWithTheLowestScoresMaskedComputes() throws Exception {
        int inputs = 8;
        int outputs = 6;
        Random random = new Random(11);
        float[] w = new float[inputs * outputs];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        TestModels.Builder g = TestModels.builder("wanda_oracle");
        String x = g.input("x", DataType.FLOAT, "rows", inputs);
        g.node("MatMul", x, g.floatInitializer("w", new long[] {inputs, outputs}, w)).named("matmul").output("y");
        g.output("y", DataType.FLOAT, "rows", outputs);
        OnnxModel model = TestModels.model(g.build());
        List<Map<String, TensorData>> samples = new ArrayList<>();
        double[] squares = new double[inputs];
        for (int s = 0; s < 4; s++) {
            float[] values = new float[5 * inputs];
            for (int i = 0; i < values.length; i++) {
                // Channel k has a scale of 2^(k mod 4), so the norms reorder what magnitude alone would keep.
                values[i] = (float) (random.nextGaussian() * (1 << (i % inputs % 4)));
                squares[i % inputs] += (double) values[i] * values[i];
            }
            samples.add(Map.of("x", TensorData.ofFloats(new long[] {5, inputs}, values)));
        }

        PassResult result = prune(model, "prune.wanda:sparsity=0.5", calibrated(samples));

        float[] masked = w.clone();
        for (int column = 0; column < outputs; column++) {
            int j = column;
            Integer[] order = new Integer[inputs];
            for (int k = 0; k < inputs; k++) {
                order[k] = k;
            }
            Arrays.sort(order, Comparator.comparingDouble(k -> Math.abs(w[k * outputs + j]) * Math.sqrt(squares[k])));
            for (int k = 0; k < inputs / 2; k++) {
                masked[order[k] * outputs + column] = 0;
            }
        }
        assertThat(weight(result.model(), "w")).containsExactly(masked);
        ModelEditor reference = model.edit();
        reference.putInitializer("w", TensorData.ofFloats(new long[] {inputs, outputs}, masked));
        float[] heldOut = new float[3 * inputs];
        for (int i = 0; i < heldOut.length; i++) {
            heldOut[i] = (float) random.nextGaussian();
        }
        Map<String, TensorData> input = Map.of("x", TensorData.ofFloats(new long[] {3, inputs}, heldOut));
        assertThat(PruningFixtures.run(result.model(), input).get("y").toFloatArray())
                .containsExactly(PruningFixtures.run(reference.build(), input).get("y").toFloatArray());
        assertThat(masked).isNotEqualTo(weight(prune(model, "prune.magnitude:sparsity=0.5,scope=output", NO_CALIBRATION).model(), "w"));
    }

    @Test
    void wandaRanksNofMGroupsByActivationToo() throws Exception {
        OnnxModel model = loudChannelModel();
        PassContext context = calibrated(loudChannelSamples());

        float[] magnitude = weight(prune(model, "prune.nm", context).model(), "w");
        float[] wanda = weight(prune(model, "prune.nm:importance=wanda", context).model(), "w");

        assertThat(magnitude[0]).isZero();
        assertThat(wanda[0]).isEqualTo(0.1f);
        assertThat(wanda[1]).isEqualTo(-0.1f);
        assertThat(zeros(wanda)).isEqualTo(4);
    }

    @Test
    void convInputChannelsAreMeasuredOnTheirAxis() throws Exception {
        TestModels.Builder g = TestModels.builder("loud_conv");
        String image = g.input("image", DataType.FLOAT, 1, 4, 2, 2);
        float[] w = {0.1f, 0.5f, -0.4f, 0.3f, -0.1f, 0.6f, 0.2f, -0.7f};
        g.node("Conv", image, g.floatInitializer("w", new long[] {2, 4, 1, 1}, w)).named("conv").intsAttr("kernel_shape", 1, 1)
                .output("y");
        g.output("y", DataType.FLOAT, 1, 2, 2, 2);
        OnnxModel model = TestModels.model(g.build());
        float[] pixels = new float[16];
        for (int i = 0; i < 16; i++) {
            pixels[i] = i < 4 ? 50 : (i % 2 == 0 ? 1 : -1);
        }
        PassContext context = calibrated(List.of(Map.of("image", TensorData.ofFloats(new long[] {1, 4, 2, 2}, pixels))));

        float[] wanda = weight(prune(model, "prune.wanda:sparsity=0.5", context).model(), "w");

        // Channel 0 has norm 100, the others 2: output 0 scores 10, 1, 0.8, 0.6; output 1 scores 10, 1.2, 0.4, 1.4.
        assertThat(wanda).containsExactly(0.1f, 0.5f, 0, 0, -0.1f, 0, 0, -0.7f);
    }

    @Test
    void gemmWithTransposedInputIsMeasuredOnAxisZero() throws Exception {
        TestModels.Builder g = TestModels.builder("transposed_input");
        String x = g.input("x", DataType.FLOAT, 4, 8);
        g.node("Gemm", x, g.floatInitializer("w", new long[] {4, 2}, W)).named("gemm").intAttr("transA", 1).output("y");
        g.output("y", DataType.FLOAT, 8, 2);
        OnnxModel model = TestModels.model(g.build());
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (Map<String, TensorData> sample : loudChannelSamples()) {
            float[] rows = sample.get("x").toFloatArray();
            float[] columns = new float[32];
            for (int i = 0; i < 32; i++) {
                columns[i % 4 * 8 + i / 4] = rows[i];
            }
            samples.add(Map.of("x", TensorData.ofFloats(new long[] {4, 8}, columns)));
        }

        float[] wanda = weight(prune(model, "prune.wanda:sparsity=0.5", calibrated(samples)).model(), "w");

        assertThat(wanda).containsExactly(0.1f, -0.1f, 0.5f, 0, 0, 0, 0, -0.7f);
    }

    @Test
    void ppOcrConvInputsAreMeasured(@TempDir Path folder) throws Exception {
        OnnxModel ocr = OnnxModel.load(RealModels.ppOcrV3Detection(folder));
        Map<String, long[]> shapes = Map.of("x", new long[] {1, 3, 64, 64});
        PassContext context = calibrated(InputGenerator.samples(ocr, shapes, 2, 3));

        PassResult unstructured = prune(ocr, "prune.wanda:sparsity=0.5", context);
        PassResult nm = prune(ocr, "prune.nm:importance=wanda", context);

        assertThat(unstructured.details()).containsEntry("magnitudeFallbacks", Map.of());
        // Per output, round(0.5 · 9) = 5 of the 9 weights of each depthwise 3×3 filter go: a little over 50% in all.
        assertThat((Double) unstructured.details().get("sparsity")).isBetween(0.5, 0.51);
        assertThat(((Map<?, ?>) nm.details().get("skipped")).values())
                .allSatisfy(reason -> assertThat(reason.toString()).contains("not a multiple of 4"));
        assertThat((Integer) nm.details().get("weights")).isPositive();
        for (PassResult result : List.of(unstructured, nm)) {
            assertThat(PruningFixtures.run(result.model(), InputGenerator.generate(ocr, shapes, 5)).values().iterator().next()
                    .shape()).containsExactly(1, 1, 64, 64);
        }
    }

    @Test
    void weightsWhoseInputIsComputedInASubgraphFallBackToMagnitude() throws Exception {
        TestModels.Builder g = TestModels.builder("inner_input");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String flag = g.input("flag", DataType.BOOL);
        GraphProto[] branches = new GraphProto[2];
        String[] names = {"then", "else"};
        for (int i = 0; i < 2; i++) {
            TestModels.Builder branch = g.subgraph(names[i] + "_branch");
            // The then-branch multiplies the outer input; the else-branch a value computed inside it.
            String input = i == 0 ? x : branch.node("Relu", x).output();
            branch.output(branch.node("MatMul", input, branch.weight("w_" + names[i], 4, 4)).named(names[i] + "_matmul")
                    .output(names[i] + "_y"), DataType.FLOAT, 1, 4);
            branches[i] = branch.buildGraph();
        }
        g.node("If", flag).named("if_flag").graphAttr("then_branch", branches[0]).graphAttr("else_branch", branches[1])
                .output("y");
        g.output("y", DataType.FLOAT, 1, 4);
        OnnxModel model = TestModels.model(g.build());
        PassContext context = calibrated(InputGenerator.samples(model, Map.of("x", new long[] {1, 4}, "flag", new long[0]), 2, 1));

        PassResult result = prune(model, "prune.wanda:sparsity=0.5,scope=layer", context);

        assertThat(result.details().get("magnitudeFallbacks")).isEqualTo(Map.of("else_matmul", "magnitude: its input is not a "
                + "main-graph value (computed inside a subgraph, or constant), so its activation norms cannot be measured"));
        assertThat(zeros(weight(result.model(), "w_then"))).isEqualTo(8);
        assertThat(zeros(weight(result.model(), "w_else"))).isEqualTo(8);
        MagnitudePruningTest.assertKeptAreTheLargest(weight(model, "w_else"), weight(result.model(), "w_else"));
    }

    @Test
    void withoutCalibrationInputsWandaFailsAndSaysWhy() {
        assertThatThrownBy(() -> prune(loudChannelModel(), "prune.wanda", NO_CALIBRATION))
                .isInstanceOf(PassFailedException.class)
                .hasMessageContaining("prune.wanda").hasMessageContaining("needs real calibration data").hasMessageContaining("--data")
                .hasMessageContaining("importance=magnitude");
    }

    @Test
    void isDeterministic() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        PassContext context = calibrated(InputGenerator.samples(block,
                Map.of("input_ids", new long[] {1, 6}, "attention_mask", new long[] {1, 6}), 3, 7));

        byte[] first = prune(block, "prune.wanda:sparsity=0.5", context).model().proto().toByteArray();
        byte[] second = prune(block, "prune.wanda:sparsity=0.5", context).model().proto().toByteArray();

        assertThat(second).isEqualTo(first);
    }
}
