package dev.lathe.prune.unstructured;

import static dev.lathe.prune.unstructured.PruningFixtures.calibrated;
import static dev.lathe.prune.unstructured.PruningFixtures.prune;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.RealModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 at 50% sparsity: the pruned models load in ONNX Runtime, and Wanda's output stays closer to
 * fp32 than magnitude's, unstructured and 2:4 alike. Inputs are generated token ids (8 calibration samples and 8
 * different evaluation samples of 16 tokens); the figures are printed for the README.
 */
@Tag("slow")
class MiniLmPruningTest {

    @Test
    void wandaLosesLessThanMagnitudeAtHalfSparsity(@TempDir Path folder) throws Exception {
        OnnxModel fp32 = OnnxModel.load(RealModels.miniLm(folder));
        ShapeBinding binding = ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", 16);
        Map<String, long[]> shapes = binding.resolve(fp32);
        PassContext context = calibrated(InputGenerator.samples(fp32, shapes, 8, 100));
        List<Map<String, TensorData>> evaluation = InputGenerator.samples(fp32, shapes, 8, 9);

        double magnitude = cosine(fp32, "prune.magnitude:sparsity=0.5", context, evaluation, folder, binding);
        double wanda = cosine(fp32, "prune.wanda:sparsity=0.5", context, evaluation, folder, binding);
        double magnitude24 = cosine(fp32, "prune.nm:n=2,m=4", context, evaluation, folder, binding);
        double wanda24 = cosine(fp32, "prune.nm:n=2,m=4,importance=wanda", context, evaluation, folder, binding);

        assertThat(wanda).isGreaterThan(magnitude);
        assertThat(wanda24).isGreaterThan(magnitude24);
    }

    /** Prunes, saves, reloads and returns the mean output cosine against fp32 on the evaluation samples. */
    private static double cosine(OnnxModel fp32, String spec, PassContext context, List<Map<String, TensorData>> evaluation,
            Path folder, ShapeBinding binding) throws Exception {
        PassResult result = prune(fp32, spec, context);
        Path saved = folder.resolve(spec.replaceAll("[^a-z0-9]+", "_") + ".onnx");
        result.model().save(saved);
        OnnxModel pruned = OnnxModel.load(saved);
        double cosine;
        try (ModelSession reference = ModelSession.open(fp32, SessionSettings.cpu());
                ModelSession candidate = ModelSession.open(pruned, SessionSettings.cpu())) {
            cosine = FidelityMeter.compare(reference, candidate, evaluation).cosineMean();
        }
        System.out.printf(Locale.ROOT, "MiniLM %-40s cosine vs fp32 %.4f, pruned-weight sparsity %s, model parameter sparsity %.4f%n",
                spec, cosine, result.details().get("sparsity"), FootprintAnalyzer.analyze(pruned, binding).sparsity());
        return cosine;
    }
}
