package dev.lathe.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NeighbourOverlapTest {

    /** Unit vectors at the given angles in degrees: neighbours are the closest angles. */
    private static List<float[]> atAngles(double... degrees) {
        List<float[]> vectors = new ArrayList<>();
        for (double d : degrees) {
            vectors.add(new float[] {(float) Math.cos(Math.toRadians(d)), (float) Math.sin(Math.toRadians(d))});
        }
        return vectors;
    }

    @Test
    void nearestExcludesItselfAndSortsBySimilarity() {
        List<float[]> vectors = atAngles(0, 10, 30, 60, 100);

        assertThat(NeighbourOverlap.nearest(vectors, 0, 2)).containsExactly(1, 2);
        assertThat(NeighbourOverlap.nearest(vectors, 3, 3)).containsExactly(2, 4, 1);
    }

    @Test
    void tiesGoToTheLowerIndex() {
        List<float[]> vectors = atAngles(0, 20, -20, 20);

        assertThat(NeighbourOverlap.nearest(vectors, 0, 3)).containsExactly(1, 2, 3);
    }

    @Test
    void identicalEmbeddingsOverlapFully() {
        List<float[]> vectors = atAngles(0, 5, 40, 45, 90, 95, 130, 135, 180, 185, 220, 225);

        assertThat(NeighbourOverlap.overlapAt(10, vectors, vectors)).isEqualTo(1.0);
    }

    @Test
    void overlapCountsSharedNeighboursOverK() {
        // Reference at 0, 10, 25 and 90 degrees; the candidate moves sentence 3 to 3 degrees.
        List<float[]> reference = atAngles(0, 10, 25, 90);
        List<float[]> candidate = atAngles(0, 10, 25, 3);

        // k = 1. Reference: 0->1, 1->0, 2->1, 3->2. Candidate: 0->3, 1->3, 2->1, 3->0. Shared: sentence 2 only.
        assertThat(NeighbourOverlap.nearest(candidate, 1, 1)).containsExactly(3);
        assertThat(NeighbourOverlap.overlapAt(1, reference, candidate)).isEqualTo(0.25);
        // k = 2. Reference: 0->{1,2}, 1->{0,2}, 2->{1,0}, 3->{2,1}. Candidate: 0->{3,1}, 1->{3,0}, 2->{1,3},
        // 3->{0,1}. Each sentence keeps one of its two neighbours.
        assertThat(NeighbourOverlap.overlapAt(2, reference, candidate)).isEqualTo(0.5);
    }

    @Test
    void rejectsKOutOfRangeAndMismatchedLists() {
        List<float[]> vectors = atAngles(0, 10, 20);

        assertThatThrownBy(() -> NeighbourOverlap.nearest(vectors, 0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NeighbourOverlap.overlapAt(1, vectors, vectors.subList(0, 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
