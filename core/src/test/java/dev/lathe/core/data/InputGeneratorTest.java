package dev.lathe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Generated inputs: token ids inside the embedding table, masks of ones, seeded floats. */
class InputGeneratorTest {

    @Test
    void tokenIdsIndexTheEmbeddingTableAndMasksAreOnes() {
        OnnxModel model = TestModels.transformerBlock();
        Map<String, long[]> shapes = ShapeBinding.none().withDimension("batch", 4).withDimension("seq", 50).resolve(model);

        Map<String, TensorData> inputs = InputGenerator.generate(model, shapes, 3);

        long[] ids = inputs.get("input_ids").toLongArray();
        assertThat(inputs.get("input_ids").dataType()).isEqualTo(DataType.INT64);
        assertThat(ids).hasSize(200);
        assertThat(Arrays.stream(ids).min().getAsLong()).isNotNegative();
        assertThat(Arrays.stream(ids).max().getAsLong()).isLessThan(16);
        assertThat(Arrays.stream(ids).distinct().count()).isGreaterThan(8);
        assertThat(inputs.get("attention_mask").toLongArray()).containsOnly(1L);
    }

    @Test
    void floatInputsAreSeededNormalValues() {
        OnnxModel model = TestModels.mlp();
        Map<String, long[]> shapes = Map.of("x", new long[] {100, 4});

        float[] first = InputGenerator.generate(model, shapes, 5).get("x").toFloatArray();
        float[] again = InputGenerator.generate(model, shapes, 5).get("x").toFloatArray();
        float[] other = InputGenerator.generate(model, shapes, 6).get("x").toFloatArray();

        assertThat(again).containsExactly(first);
        assertThat(other).isNotEqualTo(first);
        double mean = 0;
        for (float v : first) {
            mean += v / first.length;
        }
        assertThat(mean).isBetween(-0.3, 0.3);
    }

    @Test
    void samplesUseConsecutiveSeeds() {
        OnnxModel model = TestModels.mlp();
        Map<String, long[]> shapes = Map.of("x", new long[] {1, 4});

        List<Map<String, TensorData>> samples = InputGenerator.samples(model, shapes, 3, 10);

        assertThat(samples).hasSize(3);
        assertThat(samples.get(2)).isEqualTo(InputGenerator.generate(model, shapes, 12));
    }

    @Test
    void aMissingShapeNamesTheInput() {
        assertThatThrownBy(() -> InputGenerator.generate(TestModels.mlp(), Map.of(), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
    }

    @Test
    void shapesTooLargeForTheHeapAreRefusedBeforeAllocating() {
        OnnxModel model = TestModels.transformerBlock();
        // 999,999,999 tokens: under the element-count limit, far over any test heap (16 bytes each).
        Map<String, long[]> shapes = ShapeBinding.none().withDimension("batch", 1).withDimension("seq", 999_999_999)
                .resolve(model);

        assertThatThrownBy(() -> InputGenerator.generate(model, shapes, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MB of heap")
                .hasMessageContaining("input_ids [1, 999999999]")
                .hasMessageContaining("-Xmx");
    }
}
