package dev.lathe.core.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.runtime.IntermediateShapes;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Footprints of real exported models, and a cross-check of static shape propagation against the shapes
 * ONNX Runtime actually produces for every intermediate value.
 */
@Tag("slow")
class RealModelFootprintTest {

    @Test
    void miniLmMatchesTheHandComputedFigures(@TempDir Path folder) throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.miniLm(folder));

        Footprint footprint = FootprintAnalyzer.analyze(model,
                ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", 128));

        // 6 layers × (4·128·384·384 + 2·128·384·1536 + 2·12·128·128·32)
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 1_434_451_968L));
        assertThat(footprint.macsByPrecision()).containsExactly(Map.entry("float32", 1_434_451_968L));
        assertThat(footprint.notes()).isEmpty();
        assertThat(footprint.parameters() / 1e6).isCloseTo(22.57, within(0.005));
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(footprint.unresolvedNodes()).isEmpty();
        assertThat(footprint.sizeBytes()).isEqualTo(Files.size(model.file().orElseThrow()));
        assertThat(footprint.opCounts()).containsEntry("MatMul", 48L).containsEntry("Erf", 6L);
    }

    @Test
    void aSequenceLongerThanThePositionTableLeavesTheFootprintIncompleteAndSaysSo(@TempDir Path folder)
            throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.miniLm(folder));

        // 513 tokens: one past the 512 position embeddings, so neither propagation nor a run gets through.
        Footprint footprint = FootprintAnalyzer.analyze(model,
                ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", 513));

        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.INCOMPLETE);
        assertThat(footprint.complete()).isFalse();
        assertThat(footprint.unresolvedNodes()).isNotEmpty();
        assertThat(footprint.notes()).anyMatch(note -> note.contains("NOT counted"));
    }

    @Test
    void miniLmQuantizedByOnnxRuntimeComputesItsProjectionsInInt8(@TempDir Path folder) throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.miniLmInt8(folder));

        Footprint footprint = FootprintAnalyzer.analyze(model,
                ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", 128));

        // The weight products (6 × (4·128·384·384 + 2·128·384·1536)) became MatMulInteger; the attention
        // products QKᵀ and attention·V (6 × 2·12·128·128·32 = 75,497,472) stay float32.
        assertThat(footprint.macsByPrecision()).containsExactly(Map.entry("float32", 75_497_472L),
                Map.entry("int8", 1_358_954_496L));
        assertThat(footprint.macs()).isEqualTo(1_434_451_968L);
    }

    @Test
    void ppOcrDetectionResolvesDynamicHeightAndWidthThroughConstantNodeWeights(@TempDir Path folder) throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.ppOcrV3Detection(folder));

        Footprint footprint = FootprintAnalyzer.analyze(model, ShapeBinding.none().withInputShape("x", 1, 3, 640, 640));

        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(footprint.unresolvedNodes()).isEmpty();
        assertThat(footprint.macsByOpType()).containsOnlyKeys("Conv", "ConvTranspose");
        assertThat(model.graph().initializers()).isEmpty();
        assertThat(footprint.parameters()).isGreaterThan(500_000);
    }

    @Test
    void staticShapesAgreeWithOnnxRuntimeOnMiniLm(@TempDir Path folder) throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.miniLm(folder));
        Map<String, long[]> inputs = Map.of("input_ids", new long[] {2, 7}, "attention_mask", new long[] {2, 7},
                "token_type_ids", new long[] {2, 7});

        assertStaticShapesMatchRuntime(model, inputs);
    }

    @Test
    void staticShapesAgreeWithOnnxRuntimeOnPpOcrDetection(@TempDir Path folder) throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.ppOcrV3Detection(folder));

        assertStaticShapesMatchRuntime(model, Map.of("x", new long[] {1, 3, 96, 160}));
    }

    @Test
    void staticShapesAgreeWithOnnxRuntimeOnTinyModels() throws Exception {
        assertStaticShapesMatchRuntime(TestModels.transformerBlock(),
                Map.of("input_ids", new long[] {3, 5}, "attention_mask", new long[] {3, 5}));
        assertStaticShapesMatchRuntime(TestModels.cnnWithBatchNorm(), Map.of("image", new long[] {1, 3, 7, 9}));
    }

    private static void assertStaticShapesMatchRuntime(OnnxModel model, Map<String, long[]> inputs) throws Exception {
        Map<String, long[]> inferred = ShapeInference.infer(model, inputs, Map.of()).shapes();
        Map<String, long[]> measured = IntermediateShapes.probe(model, inputs, Map.of());

        assertThat(measured).isNotEmpty();
        for (Map.Entry<String, long[]> value : measured.entrySet()) {
            assertThat(inferred.get(value.getKey())).as("static shape of %s", value.getKey()).containsExactly(value.getValue());
        }
    }
}
