package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.bench.Targets.Metric;
import dev.lathe.core.task.Embeddings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComparisonReportTest {
    private static final Machine MACHINE = new Machine("Test CPU", 2, 2, List.of("avx2"), "Java 17", "Linux amd64", "1.29.0");
    private static final ComparisonReport.Settings SETTINGS = new ComparisonReport.Settings("all-MiniLM-L6-v2", 12, 20.0,
            3, 2, 3);

    /** Twelve unit vectors in 3-D: four groups of three close vectors. */
    private static List<float[]> embeddings(float tilt) {
        List<float[]> vectors = new java.util.ArrayList<>();
        float[][] centres = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, 0, 0}};
        for (float[] centre : centres) {
            for (int i = 0; i < 3; i++) {
                float[] v = {centre[0] + 0.1f * i, centre[1] + 0.05f * i + tilt, centre[2] + 0.02f * i};
                vectors.add(Embeddings.normalize(v));
            }
        }
        return vectors;
    }

    private static EncoderRuns.Result run(double medianMillis, List<float[]> embeddings) {
        return new EncoderRuns.Result(embeddings, medianMillis, 100);
    }

    private static ComparisonReport report() {
        LatheRecipe.Measurement recipe = new LatheRecipe.Measurement(new LatheRecipe.Phases(100, 200, 900, 100), 3,
                new HeapWatch.Peak(10_000_000, 210_000_000, 60_000_000, 4), 4_000_000_000L, Map.of("matMulsQuantized", 36));
        return new ComparisonReport(MACHINE, SETTINGS, List.of(
                ModelRow.measured("fp32", ModelRow.Kind.BASELINE, Optional.empty(), 100_000_000, run(10, embeddings(0)),
                        Optional.empty()),
                ModelRow.measured("reference-q", ModelRow.Kind.REFERENCE, Optional.empty(), 25_400_000,
                        run(5.86, embeddings(0.01f)), Optional.empty()),
                ModelRow.measured("int8", ModelRow.Kind.LATHE, Optional.of("quantize.int8"), 26_000_000,
                        run(4, embeddings(0)), Optional.of(recipe)),
                ModelRow.missing("int4", "quantize.int4", "not registered: quantize.int4 is not on the class path")));
    }

    @Test
    void figuresAreRatiosAgainstTheBaseline() {
        ComparisonReport report = report();

        Map<Metric, Double> int8 = report.figures("int8");
        assertThat(int8.get(Metric.SIZE_RATIO)).isCloseTo(0.26, within(1e-12));
        assertThat(int8.get(Metric.LATENCY_RATIO)).isCloseTo(0.4, within(1e-12));
        assertThat(int8.get(Metric.MEAN_COSINE)).isCloseTo(1.0, within(1e-6));
        assertThat(int8.get(Metric.OVERLAP_AT_10)).isEqualTo(1.0);
        assertThat(int8.get(Metric.RECIPE_MILLIS)).isEqualTo(1300.0);
        assertThat(int8.get(Metric.PEAK_HEAP)).isCloseTo(2.0, within(1e-12));
        assertThat(report.figures("reference-q").get(Metric.MEAN_COSINE)).isLessThan(1.0).isGreaterThan(0.99);
        assertThat(report.figures("int4")).isEmpty();
    }

    @Test
    void textShowsTheMachineTheTableAndVerdicts() {
        String text = report().text();

        assertThat(text).contains("Test CPU", "ONNX Runtime 1.29.0", "2 sentences, none of them among the 12 measured");
        assertThat(report().anyTargetFailed()).as("int4 could not be measured").isTrue();
        assertThat(text).containsPattern("int8 +26\\.0 +0\\.260 +4\\.00 +0\\.400 +1\\.0000 +1\\.000 +1300 +200 \\(50\\)");
        assertThat(text).containsPattern("int8 +size ratio +0\\.260 +<= 0\\.26 +PASS");
        assertThat(text).containsPattern("int8 +latency ratio +0\\.400 +<= 0\\.5 +PASS");
        assertThat(text).containsPattern("int8 +peak heap / model size +2\\.00 \\(after GC 0\\.50\\) +<= 3 +PASS");
        assertThat(text).containsPattern("reference-q +latency ratio +0\\.586 +issue measured 0\\.586 +\\+0\\.000");
        assertThat(text).contains("not registered: quantize.int4 is not on the class path");
        assertThat(text).containsPattern("int4 +\\(all\\) +- +- +NOT MEASURED");
    }

    @Test
    void jsonCarriesFiguresRecipeAndTargets() {
        Map<String, Object> json = report().json();

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> models = (List<Map<String, Object>>) json.get("models");
        assertThat(models).extracting(m -> m.get("name")).containsExactly("fp32", "reference-q", "int8", "int4");
        Map<String, Object> int8 = models.get(2);
        assertThat(int8).containsEntry("sizeBytes", 26_000_000L).containsEntry("kind", "lathe");
        assertThat((double) int8.get("latencyRatio")).isCloseTo(0.4, within(1e-12));
        assertThat(int8.get("recipe")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("totalMs", 1300.0).containsEntry("peakHeapAboveBaselineBytes", 200_000_000L);
        assertThat(int8.get("targets")).asList().hasSize(6);
        assertThat(models.get(3)).containsEntry("problem", "not registered: quantize.int4 is not on the class path");
        assertThat(models.get(1)).containsKey("issueFigures");
    }

    @Test
    void passDetailsBecomeJsonFriendly() {
        Object details = ComparisonReport.jsonFriendly(Map.of("skipped", List.of(java.nio.file.Path.of("a"), 3)));

        assertThat(details).isEqualTo(Map.of("skipped", List.of("a", 3)));
    }
}
