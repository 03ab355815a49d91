package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.bench.Targets.Metric;
import dev.lathe.bench.Targets.Target;
import dev.lathe.bench.Targets.Verdict;
import org.junit.jupiter.api.Test;

class TargetsTest {

    @Test
    void upperAndLowerLimitsIncludeTheLimit() {
        Target size = new Target(Metric.SIZE_RATIO, true, 0.26);
        Target cosine = new Target(Metric.MEAN_COSINE, false, 0.998);

        assertThat(size.judge(0.26)).isEqualTo(Verdict.PASS);
        assertThat(size.judge(0.2601)).isEqualTo(Verdict.FAIL);
        assertThat(cosine.judge(0.998)).isEqualTo(Verdict.PASS);
        assertThat(cosine.judge(0.9979)).isEqualTo(Verdict.FAIL);
        assertThat(size.describe()).isEqualTo("<= 0.26");
        assertThat(new Target(Metric.RECIPE_MILLIS, true, 1500).describe()).isEqualTo("<= 1500");
    }

    @Test
    void boundsThatStraddleTheLimitAreUnsure() {
        Target heap = new Target(Metric.PEAK_HEAP, true, 3);

        assertThat(heap.judge(0.5, 2.9)).isEqualTo(Verdict.PASS);
        assertThat(heap.judge(0.5, 3.5)).isEqualTo(Verdict.UNSURE);
        assertThat(heap.judge(3.1, 3.5)).isEqualTo(Verdict.FAIL);
    }

    @Test
    void issueTargetsPerPass() {
        assertThat(Targets.forPass("quantize.int8")).extracting(Target::metric).containsExactly(Metric.SIZE_RATIO,
                Metric.LATENCY_RATIO, Metric.MEAN_COSINE, Metric.OVERLAP_AT_10, Metric.RECIPE_MILLIS, Metric.PEAK_HEAP);
        assertThat(Targets.forPass("quantize.int4")).extracting(Target::metric).containsExactly(Metric.SIZE_RATIO,
                Metric.MEAN_COSINE, Metric.RECIPE_MILLIS, Metric.PEAK_HEAP);
        assertThat(Targets.forRecipe(Targets.INT8_WITHOUT_DATA, "quantize.int8")).singleElement()
                .satisfies(target -> assertThat(target.judge(0.9942)).isEqualTo(Targets.Verdict.PASS))
                .satisfies(target -> assertThat(target.judge(0.44)).isEqualTo(Targets.Verdict.FAIL));
        assertThat(Targets.forRecipe("int8", "quantize.int8")).isEqualTo(Targets.forPass("quantize.int8"));
        assertThat(Targets.forPass("quantize.fp16")).extracting(Target::metric).containsExactly(Metric.RECIPE_MILLIS,
                Metric.PEAK_HEAP);
    }
}
