package dev.lathe.prune.structured;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.RealModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code structured:0.25} on all-MiniLM-L6-v2 and the PP-OCRv3 text detector. */
@Tag("slow")
class RealModelStructuredPruningTest {
    private static final Map<String, long[]> SENTENCE = Map.of("input_ids", new long[] {1, 128}, "attention_mask",
            new long[] {1, 128}, "token_type_ids", new long[] {1, 128});

    @TempDir
    Path folder;

    private static ShapeBinding binding(Map<String, long[]> shapes) {
        ShapeBinding binding = ShapeBinding.none();
        for (Map.Entry<String, long[]> input : shapes.entrySet()) {
            binding = binding.withInputShape(input.getKey(), input.getValue());
        }
        return binding;
    }

    @Test
    void miniLmLosesAQuarterOfItsFeedForwardNeurons() throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.miniLm(folder));
        ShapeBinding binding = binding(SENTENCE);
        PassContext context = new PassContext(binding, InputGenerator.samples(model, SENTENCE, 16, 1), ProgressListener.none());

        PassResult result = PassRegistry.load().create("prune.structured:fraction=0.25").apply(model, context);

        OnnxModel pruned = result.model();
        assertThat(result.details()).containsEntry("groupsPruned", 6).containsEntry("unitsRemoved", 6 * 384);
        assertThat(pruned.constants().stream().filter(c -> Arrays.equals(c.shape(), new long[] {384, 1152}))).hasSize(6);
        assertThat(pruned.constants().stream().filter(c -> Arrays.equals(c.shape(), new long[] {1152, 384}))).hasSize(6);
        assertThat(pruned.constants().stream().filter(c -> Arrays.equals(c.shape(), new long[] {1536})).count()).isZero();
        Footprint before = FootprintAnalyzer.analyze(model, binding);
        Footprint after = FootprintAnalyzer.analyze(pruned, binding);
        double matMulRatio = (double) after.macsByOpType().get("MatMul") / before.macsByOpType().get("MatMul");
        // Per layer and token: 4·384² attention projections, 2·384·1536 feed-forward, 2·128·384 attention
        // products; a quarter of the feed-forward MACs is 294912 of 1867776.
        assertThat(matMulRatio).isCloseTo(1 - 294912.0 / 1867776, org.assertj.core.data.Offset.offset(1e-3));
        assertThat((Double) result.details().get("macsRatio")).isLessThanOrEqualTo(0.86);
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        try (ModelSession reference = ModelSession.open(model, SessionSettings.cpu());
                ModelSession candidate = ModelSession.open(pruned, SessionSettings.cpu())) {
            Fidelity fidelity = FidelityMeter.compare(reference, candidate, InputGenerator.samples(model, SENTENCE, 4, 1000));
            assertThat(fidelity.cosineMean()).isGreaterThan(0.9);
        }
    }

    @Test
    void ppOcrDetectionComputesLessAndStillFindsTheText() throws Exception {
        OnnxModel model = OnnxModel.load(RealModels.ppOcrV3Detection(folder));
        ShapeBinding binding = ShapeBinding.none().withInputShape("x", 1, 3, 640, 640);
        List<Map<String, TensorData>> calibration = new ArrayList<>();
        for (int seed = 0; seed < 8; seed++) {
            calibration.add(Map.of("x", TextImages.render(640, 640, seed)));
        }

        PassResult result = PassRegistry.load().create("prune.structured:fraction=0.25")
                .apply(model, new PassContext(binding, calibration, ProgressListener.none()));

        OnnxModel pruned = result.model();
        assertThat((Double) result.details().get("macsRatio")).isLessThanOrEqualTo(0.85);
        assertThat(result.details().get("skipped")).asString().contains("more sensitive than the groups pruned");
        assertThat(ModelInvariants.violations(pruned.graph())).isEmpty();
        assertThat(pruned.graph().initializers()).isEmpty();
        Map<String, TensorData> page = Map.of("x", TextImages.render(640, 640, 100));
        float[] expected;
        float[] actual;
        try (ModelSession reference = ModelSession.open(model, SessionSettings.cpu());
                ModelSession candidate = ModelSession.open(pruned, SessionSettings.cpu())) {
            expected = reference.run(page).values().iterator().next().toFloatArray();
            actual = candidate.run(page).values().iterator().next().toFloatArray();
        }
        ProbabilityMaps.Closeness closeness = ProbabilityMaps.compare(expected, actual, 0.3f);
        assertThat(closeness.meanAbsDifference()).isLessThan(0.01);
        assertThat(closeness.intersectionOverUnion()).isGreaterThan(0.9);
    }
}
