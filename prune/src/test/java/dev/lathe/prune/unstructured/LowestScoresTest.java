package dev.lathe.prune.unstructured;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The selection behind every pattern: exact counts, lowest scores first, ties to the lower index. */
class LowestScoresTest {

    @Test
    void zeroesExactlyTheLowestWithTiesToTheLowerIndex() {
        Random random = new Random(5);
        LowestScores lowest = new LowestScores();
        for (int trial = 0; trial < 200; trial++) {
            int count = 1 + random.nextInt(300);
            float[] scores = new float[count];
            for (int i = 0; i < count; i++) {
                // Few distinct values, so that most thresholds fall on a run of ties.
                scores[i] = random.nextInt(trial % 2 == 0 ? 4 : 1000);
            }
            int prune = random.nextInt(count + 1);
            float[] values = new float[count];
            Arrays.fill(values, 1);

            lowest.zero(scores, values, 0, 1, count, prune);

            assertThat(values).as("trial %d", trial).isEqualTo(expected(scores, prune));
        }
    }

    @Test
    void groupsAreStridedProgressions() {
        float[] scores = {5, 0, 4, 0, 3, 0, 2, 0, 1, 0};
        float[] values = {5, 9, 4, 9, 3, 9, 2, 9, 1, 9};

        new LowestScores().zero(scores, values, 0, 2, 5, 2);

        assertThat(values).containsExactly(5, 9, 4, 9, 3, 9, 0, 9, 0, 9);
    }

    /** The reference: sort indices by (score, index) and zero the first {@code prune}. */
    private static float[] expected(float[] scores, int prune) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[a], scores[b]) : Integer.compare(a, b));
        float[] values = new float[scores.length];
        Arrays.fill(values, 1);
        for (int i = 0; i < prune; i++) {
            values[order[i]] = 0;
        }
        return values;
    }
}
