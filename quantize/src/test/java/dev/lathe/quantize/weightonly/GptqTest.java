package dev.lathe.quantize.weightonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.quantize.GptqHessian;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** GPTQ against round-to-nearest on a layer with correlated inputs, and its factorization. */
class GptqTest {
    private static final int K = 64;
    private static final int N = 24;

    /** Rows of inputs with strongly correlated features: x = z · A, z standard normal [rows, 8]. */
    private static float[] activations(Random random, float[] mixing, int rows) {
        float[] x = new float[rows * K];
        double[] z = new double[8];
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < 8; j++) {
                z[j] = random.nextGaussian();
            }
            for (int k = 0; k < K; k++) {
                double sum = 0.1 * random.nextGaussian();
                for (int j = 0; j < 8; j++) {
                    sum += z[j] * mixing[j * K + k];
                }
                x[t * K + k] = (float) sum;
            }
        }
        return x;
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** The lower triangle of xᵀx. */
    private static double[] hessian(float[] x) {
        double[] h = new double[K * K];
        for (int t = 0; t < x.length / K; t++) {
            for (int i = 0; i < K; i++) {
                for (int l = 0; l <= i; l++) {
                    h[i * K + l] += (double) x[t * K + i] * x[t * K + l];
                }
            }
        }
        return h;
    }

    /** Σ over rows and outputs of ((W − Q) x)², W and Q as [N][K]. */
    private static double outputError(float[] w, float[] q, float[] x) {
        double total = 0;
        for (int t = 0; t < x.length / K; t++) {
            for (int n = 0; n < N; n++) {
                double d = 0;
                for (int k = 0; k < K; k++) {
                    d += (w[n * K + k] - q[n * K + k]) * x[t * K + k];
                }
                total += d * d;
            }
        }
        return total;
    }

    @Test
    void gptqBeatsRoundToNearestOnHeldOutInputsOfTheSameDistribution() {
        Random random = new Random(3);
        float[] mixing = gaussian(random, 8 * K);
        float[] weights = gaussian(random, N * K);
        float[] calibration = activations(random, mixing, 512);
        float[] heldOut = activations(random, mixing, 512);
        BlockQuantizer quantizer = new BlockQuantizer(4, 16, false);
        Gptq gptq = new Gptq(quantizer, WeightOnlyQuantization.GPTQ_DAMPENING);

        float[] rounded = quantizer.roundToNearest(weights, N, K).dequantize();
        float[] solved = gptq.quantize(weights, N, K, gptq.prepare(hessian(calibration), K)).dequantize();

        double rtn = outputError(weights, rounded, heldOut);
        double ours = outputError(weights, solved, heldOut);
        assertThat(ours).as("GPTQ output error vs round-to-nearest %s", rtn).isLessThan(0.7 * rtn);
    }

    @Test
    void withUncorrelatedEqualInputsGptqIsRoundToNearest() {
        Random random = new Random(4);
        float[] weights = gaussian(random, N * K);
        double[] identity = new double[K * K];
        for (int i = 0; i < K; i++) {
            identity[i * K + i] = 1;
        }
        BlockQuantizer quantizer = new BlockQuantizer(4, 32, false);
        Gptq gptq = new Gptq(quantizer, 0.1);

        QuantizedBlocks solved = gptq.quantize(weights, N, K, gptq.prepare(identity, K));

        assertThat(solved.codes()).containsExactly(quantizer.roundToNearest(weights, N, K).codes());
    }

    @Test
    void theFactorIsTheUpperCholeskyFactorOfTheInverseOfTheDampenedPermutedHessian() {
        Random random = new Random(5);
        float[] x = activations(random, gaussian(random, 8 * K), 200);
        double[] h = hessian(x);
        Gptq gptq = new Gptq(new BlockQuantizer(4, 16, false), 0.1);

        GptqHessian prepared = gptq.prepare(h, K);

        int[] order = prepared.order();
        double mean = 0;
        for (int i = 0; i < K; i++) {
            mean += h[i * K + i];
        }
        double damp = 0.1 * mean / K;
        for (int i = 1; i < K; i++) {
            assertThat(h[order[i] * K + order[i]]).isLessThanOrEqualTo(h[order[i - 1] * K + order[i - 1]]);
        }
        double[] u = prepared.factor();
        // (UᵀU)·Hp = I, where Hp[i][j] = H[order[i]][order[j]] + damp·δij.
        for (int i = 0; i < K; i += 7) {
            for (int j = 0; j < K; j += 5) {
                double sum = 0;
                for (int m = 0; m < K; m++) {
                    double inverse = 0;
                    for (int l = 0; l <= Math.min(i, m); l++) {
                        inverse += u[l * K + i] * u[l * K + m];
                    }
                    int a = Math.max(order[m], order[j]);
                    int b = Math.min(order[m], order[j]);
                    sum += inverse * (h[a * K + b] + (m == j ? damp : 0));
                }
                assertThat(sum).as("(UᵀU·Hp)[%d][%d]", i, j).isCloseTo(i == j ? 1 : 0, within(1e-6));
            }
        }
    }

    @Test
    void resultsAreDeterministic() {
        Random random = new Random(6);
        float[] weights = gaussian(random, N * K);
        double[] h = hessian(activations(random, gaussian(random, 8 * K), 300));
        Gptq gptq = new Gptq(new BlockQuantizer(4, 16, false), 0.1);

        QuantizedBlocks first = gptq.quantize(weights, N, K, gptq.prepare(h, K));
        QuantizedBlocks second = gptq.quantize(weights, N, K, gptq.prepare(h, K));

        assertThat(second.codes()).containsExactly(first.codes());
        assertThat(second.scales()).containsExactly(first.scales());
    }
}
