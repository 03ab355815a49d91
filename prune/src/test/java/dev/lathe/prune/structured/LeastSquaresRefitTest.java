package dev.lathe.prune.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The least-squares re-fit on Gram statistics. */
class LeastSquaresRefitTest {

    @Test
    void aRemovedChannelThatIsASumOfKeptOnesIsAbsorbedExactly() {
        Random random = new Random(3);
        int rows = 50;
        double[][] h = new double[rows][4];
        for (double[] row : h) {
            row[0] = random.nextGaussian();
            row[1] = random.nextGaussian();
            row[3] = random.nextGaussian() + 2;
            row[2] = row[0] + row[1];
        }
        double[][] w = {{0.5, -1}, {2, 0.25}, {-0.75, 1.5}, {1, 1}};
        double[][] gram = new double[4][4];
        double[] sums = new double[4];
        for (double[] row : h) {
            for (int a = 0; a < 4; a++) {
                sums[a] += row[a];
                for (int b = 0; b < 4; b++) {
                    gram[a][b] += row[a] * row[b];
                }
            }
        }

        LeastSquaresRefit.Solution solution = LeastSquaresRefit.solve(gram, sums, rows, w, new int[] {0, 1, 3}, true, 0)
                .orElseThrow();

        double[][] expected = {{0.5 - 0.75, -1 + 1.5}, {2 - 0.75, 0.25 + 1.5}, {1, 1}};
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 2; o++) {
                assertThat(solution.weights()[i][o]).isCloseTo(expected[i][o], within(1e-9));
            }
        }
        assertThat(solution.bias()).containsExactly(new double[] {0, 0}, within(1e-9));
    }

    @Test
    void aStrongRidgeKeepsTheOriginalWeights() {
        double[][] gram = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}};
        double[][] w = {{1, 2}, {3, 4}, {5, 6}};

        LeastSquaresRefit.Solution solution = LeastSquaresRefit.solve(gram, new double[3], 10, w, new int[] {0, 2}, false, 1e9)
                .orElseThrow();

        assertThat(solution.weights()[0]).containsExactly(new double[] {1, 2}, within(1e-6));
        assertThat(solution.weights()[1]).containsExactly(new double[] {5, 6}, within(1e-6));
    }

    @Test
    void aSingularSystemWithoutRidgeIsReported() {
        double[][] gram = {{1, 1}, {1, 1}};
        double[][] w = {{1}, {1}};

        assertThat(LeastSquaresRefit.solve(gram, new double[2], 2, w, new int[] {0, 1}, false, 0)).isEmpty();
    }
}
