package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.testing.TestModels;
import org.junit.jupiter.api.Test;

/** Unbound dimensions are sized by what they are, never silently 1 for a sequence, image or audio axis. */
class DimensionDefaultsTest {

    @Test
    void tokenSequencesGet128AndBatches1() {
        OnnxModel model = TestModels.transformerBlock();
        assertThat(ShapeBinding.none().resolve(model).get("input_ids")).containsExactly(1, 128);
        assertThat(ShapeBinding.none().defaults(model)).containsOnlyKeys("batch", "seq");
        assertThat(ShapeBinding.none().defaults(model).get("seq").kind()).isEqualTo("sequence");
        assertThat(ShapeBinding.none().withDimension("seq", 7).resolve(model).get("attention_mask")).containsExactly(1, 7);
        assertThat(ShapeBinding.none().withDimension("seq", 7).defaults(model)).containsOnlyKeys("batch");
    }

    @Test
    void imagesGet224AndAudioWindows512() {
        assertThat(ShapeBinding.none().resolve(TestModels.cnnWithBatchNorm()).get("image")).containsExactly(1, 3, 224, 224);

        TestModels.Builder nhwc = TestModels.builder("nhwc");
        nhwc.node("Relu", nhwc.input("pixels", DataType.FLOAT, "n", "h", "w", 3)).output("y");
        nhwc.output("y", DataType.FLOAT, "n", "h", "w", 3);
        assertThat(ShapeBinding.none().resolve(TestModels.model(nhwc.build())).get("pixels")).containsExactly(1, 224, 224, 3);

        TestModels.Builder audio = TestModels.builder("audio");
        audio.node("Relu", audio.input("input", DataType.FLOAT, "b", "samples")).output("y");
        audio.output("y", DataType.FLOAT, "b", "samples");
        OnnxModel vad = TestModels.model(audio.build());
        assertThat(ShapeBinding.none().resolve(vad).get("input")).containsExactly(1, 512);
        assertThat(ShapeBinding.none().defaults(vad).get("samples").kind()).isEqualTo("audio");
    }

    @Test
    void paddlePlaceholderDimensionsAreSizedAndBoundOneByOne() {
        OnnxModel model = TestModels.model(TestModels.fixedHeightImageProto());

        assertThat(ShapeBinding.none().defaults(model)).containsOnlyKeys("x[2]", "x[3]");
        assertThat(DimensionDefaults.describe(ShapeBinding.none().defaults(model)))
                .isEqualTo("x[2]=224 (image), x[3]=224 (image)");
        assertThat(ShapeBinding.none().withDimension("x[2]", 48).withDimension("x[3]", 320).resolve(model).get("x"))
                .containsExactly(1, 3, 48, 320);
        assertThat(ShapeBinding.none().withDimension("x[2]", 48).defaults(model)).containsOnlyKeys("x[3]");
        assertThatThrownBy(() -> ShapeBinding.none().withDimension("?", 48).resolve(model))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no symbolic dimension '?'")
                .hasMessageContaining("[x[2], x[3]]");
    }

    @Test
    void theShapeOfOneInputSizesTheNamedDimensionsOfTheOthers() {
        OnnxModel model = TestModels.transformerBlock();
        ShapeBinding ids = ShapeBinding.none().withInputShape("input_ids", 2, 7);

        assertThat(ids.resolve(model).get("attention_mask")).containsExactly(2, 7);
        assertThat(ids.defaults(model)).isEmpty();
        assertThat(ids.withDimension("seq", 7).resolve(model).get("attention_mask")).containsExactly(2, 7);
        assertThatThrownBy(() -> ids.withDimension("seq", 5).resolve(model))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input 'input_ids' has the shape [2, 7], but its dimension 'seq' is set to 5");
        assertThatThrownBy(() -> ids.withInputShape("attention_mask", 2, 9).resolve(model))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dimension 'seq' is set to 7 by the shape of input 'input_ids'");
    }
}
