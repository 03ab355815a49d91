package dev.lathe.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

    @Test
    void meanPoolingAveragesOnlyAttendedTokens() {
        // Three tokens of dimension 2; the last one is padding.
        float[] hidden = {1, 2, 3, 6, 100, -100};

        float[] pooled = Embeddings.meanPool(hidden, new long[] {1, 3, 2}, new long[] {1, 1, 0});

        assertThat(pooled).containsExactly(2f, 4f);
    }

    @Test
    void normalisationGivesUnitLength() {
        assertThat(Embeddings.normalize(new float[] {3, 4})).containsExactly(0.6f, 0.8f);
        assertThat(Embeddings.sentenceEmbedding(new float[] {3, 0, 3, 8}, new long[] {1, 2, 2}, new long[] {1, 1}))
                .containsExactly(0.6f, 0.8f);
    }

    @Test
    void cosineOfKnownAngles() {
        assertThat(Embeddings.cosine(new float[] {1, 0}, new float[] {0, 2})).isEqualTo(0.0);
        assertThat(Embeddings.cosine(new float[] {1, 1}, new float[] {2, 2})).isCloseTo(1.0, within(1e-15));
        assertThat(Embeddings.cosine(new float[] {1, 0}, new float[] {-3, 0})).isEqualTo(-1.0);
        assertThat(Embeddings.cosine(new float[] {3, 4}, new float[] {4, 3})).isCloseTo(24.0 / 25.0, within(1e-15));
    }

    @Test
    void meanCosineAveragesSentencePairs() {
        List<float[]> reference = List.of(new float[] {1, 0}, new float[] {0, 1});
        List<float[]> candidate = List.of(new float[] {1, 0}, new float[] {1, 0});

        assertThat(Embeddings.meanCosine(reference, candidate)).isEqualTo(0.5);
    }

    @Test
    void rejectsBadShapesAndEmptyMasks() {
        assertThatThrownBy(() -> Embeddings.meanPool(new float[4], new long[] {1, 2, 2}, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Embeddings.meanPool(new float[4], new long[] {1, 2, 2}, new long[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no attended token");
        assertThatThrownBy(() -> Embeddings.normalize(new float[2])).isInstanceOf(IllegalArgumentException.class);
    }
}
