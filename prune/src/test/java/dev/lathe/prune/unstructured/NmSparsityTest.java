package dev.lathe.prune.unstructured;

import static dev.lathe.prune.unstructured.PruningFixtures.NO_CALIBRATION;
import static dev.lathe.prune.unstructured.PruningFixtures.prune;
import static dev.lathe.prune.unstructured.PruningFixtures.run;
import static dev.lathe.prune.unstructured.PruningFixtures.weight;
import static dev.lathe.prune.unstructured.PruningFixtures.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** prune.nm: the N:M pattern checked group by group along the reduction dimension of MatMul, Gemm and Conv. */
class NmSparsityTest {

    /** MatMul(x [1, k], w [k, n]). */
    private static OnnxModel matMul(int k, int n) {
        TestModels.Builder g = TestModels.builder("matmul");
        String x = g.input("x", DataType.FLOAT, 1, k);
        g.node("MatMul", x, g.weight("w", k, n)).named("matmul").output("y");
        g.output("y", DataType.FLOAT, 1, n);
        return TestModels.model(g.build());
    }

    /** Gemm(x, w [n, k], transB=1). */
    private static OnnxModel transposedGemm(int k, int n) {
        TestModels.Builder g = TestModels.builder("gemm");
        String x = g.input("x", DataType.FLOAT, 1, k);
        g.node("Gemm", x, g.weight("w", n, k)).named("gemm").intAttr("transB", 1).output("y");
        g.output("y", DataType.FLOAT, 1, n);
        return TestModels.model(g.build());
    }

    /** Conv(image [1, cin, 5, 5], w [cout, cin, 3, 3]), no padding. */
    private static OnnxModel conv(int cin, int cout) {
        TestModels.Builder g = TestModels.builder("conv");
        String image = g.input("image", DataType.FLOAT, 1, cin, 5, 5);
        g.node("Conv", image, g.weight("w", cout, cin, 3, 3)).named("conv").intsAttr("kernel_shape", 3, 3).output("y");
        g.output("y", DataType.FLOAT, 1, cout, 3, 3);
        return TestModels.model(g.build());
    }

    @Test
    void twoOfEveryFourAreKeptDownEachColumnOfAMatMulWeight() throws Exception {
        OnnxModel model = matMul(8, 3);

        PassResult result = prune(model, "prune.nm", NO_CALIBRATION);

        float[] before = weight(model, "w");
        float[] after = weight(result.model(), "w");
        for (int column = 0; column < 3; column++) {
            for (int group = 0; group < 2; group++) {
                assertGroupKeepsTheLargest(before, after, group * 4 * 3 + column, 3, 4, 2);
            }
        }
        assertThat(result.details()).containsEntry("pattern", "2:4").containsEntry("sparsity", 0.5);
        assertThat(run(result.model(), Map.of("x", TensorData.ofFloats(new long[] {1, 8}, new float[8]))).get("y").shape())
                .containsExactly(1, 3);
    }

    /**
     * An oracle independent of the pass: y = x · w with, in every group of 4 down a column, the 2 largest |w|
     * kept, computed in Java, must be what ONNX Runtime computes on the pruned model.
     */
    @Test
    void thePrunedMatMulComputesTheHandMaskedProduct() throws Exception {
        OnnxModel model = matMul(8, 3);
        float[] w = weight(model, "w");
        float[] x = {0.5f, -1.5f, 2f, 0.25f, -0.75f, 1f, -2.5f, 0.125f};

        PassResult result = prune(model, "prune.nm", NO_CALIBRATION);

        double[] expected = new double[3];
        for (int column = 0; column < 3; column++) {
            for (int group = 0; group < 2; group++) {
                Integer[] rows = {group * 4, group * 4 + 1, group * 4 + 2, group * 4 + 3};
                int c = column;
                java.util.Arrays.sort(rows, (a, b) -> Float.compare(Math.abs(w[b * 3 + c]), Math.abs(w[a * 3 + c])));
                for (int keep = 0; keep < 2; keep++) {
                    expected[column] += (double) x[rows[keep]] * w[rows[keep] * 3 + column];
                }
            }
        }
        float[] actual = run(result.model(), Map.of("x", TensorData.ofFloats(new long[] {1, 8}, x))).get("y").toFloatArray();
        for (int column = 0; column < 3; column++) {
            assertThat((double) actual[column]).as("y[%d]", column)
                    .isCloseTo(expected[column], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void groupsOfATransposedGemmWeightRunAlongItsRows() throws Exception {
        OnnxModel model = transposedGemm(8, 2);

        float[] before = weight(model, "w");
        float[] after = weight(prune(model, "prune.nm:n=1,m=4", NO_CALIBRATION).model(), "w");

        for (int start = 0; start < 16; start += 4) {
            assertGroupKeepsTheLargest(before, after, start, 1, 4, 1);
        }
    }

    @Test
    void convGroupsRunAlongInputChannelsAtEachKernelPosition() throws Exception {
        OnnxModel model = conv(8, 2);

        PassResult result = prune(model, "prune.nm:n=2,m=4", NO_CALIBRATION);

        float[] before = weight(model, "w");
        float[] after = weight(result.model(), "w");
        for (int output = 0; output < 2; output++) {
            for (int position = 0; position < 9; position++) {
                for (int channel = 0; channel < 8; channel += 4) {
                    assertGroupKeepsTheLargest(before, after, (output * 8 + channel) * 9 + position, 9, 4, 2);
                }
            }
        }
        assertThat(run(result.model(), Map.of("image", TensorData.ofFloats(new long[] {1, 8, 5, 5}, new float[200])))
                .get("y").shape()).containsExactly(1, 2, 3, 3);
    }

    @Test
    void otherPatternsKeepNOfEveryM() throws Exception {
        OnnxModel model = matMul(16, 4);

        assertThat(zeros(weight(prune(model, "prune.nm:n=4,m=8", NO_CALIBRATION).model(), "w"))).isEqualTo(32);
        assertThat(zeros(weight(prune(model, "prune.nm:n=1,m=4", NO_CALIBRATION).model(), "w"))).isEqualTo(48);
        assertThat(zeros(weight(prune(model, "prune.nm:n=3,m=16", NO_CALIBRATION).model(), "w"))).isEqualTo(52);
    }

    @Test
    void aReductionDimensionThatIsNotAMultipleOfMIsSkipped() throws Exception {
        OnnxModel model = matMul(6, 2);

        PassResult result = prune(model, "prune.nm", NO_CALIBRATION);

        assertThat(weight(result.model(), "w")).containsExactly(weight(model, "w"));
        assertThat(result.details().get("skipped"))
                .isEqualTo(Map.of("matmul", "reduction dimension of 6 input channels is not a multiple of 4"));

        PassResult cnn = prune(TestModels.cnnWithBatchNorm(), "prune.nm", NO_CALIBRATION);
        assertThat(cnn.details().get("skipped")).isEqualTo(Map.of("Conv",
                "reduction dimension of 3 input channels is not a multiple of 4"));
        assertThat(cnn.details().get("layers")).isEqualTo(Map.of("Conv_1", 0.5));
    }

    @Test
    void isDeterministic() throws Exception {
        byte[] first = prune(TestModels.transformerBlock(), "prune.nm", NO_CALIBRATION).model().proto().toByteArray();
        byte[] second = prune(TestModels.transformerBlock(), "prune.nm", NO_CALIBRATION).model().proto().toByteArray();

        assertThat(second).isEqualTo(first);
    }

    /**
     * In the group of {@code m} elements at {@code start + i · stride}, exactly {@code m - n} are zero, and the
     * {@code n} kept are unchanged and at least as large in magnitude as those zeroed.
     */
    static void assertGroupKeepsTheLargest(float[] before, float[] after, int start, int stride, int m, int n) {
        float[] groupBefore = new float[m];
        float[] groupAfter = new float[m];
        for (int i = 0; i < m; i++) {
            groupBefore[i] = before[start + i * stride];
            groupAfter[i] = after[start + i * stride];
        }
        assertThat(zeros(groupAfter)).as("zeros in the group at %d", start).isEqualTo(m - n);
        MagnitudePruningTest.assertKeptAreTheLargest(groupBefore, groupAfter);
    }
}
