package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.LatencyStats;
import dev.lathe.core.testing.ReportFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Savings smaller than the disagreement between two rounds of measuring one model are called noise. */
class CostTest {
    private static BenchmarkResult run(double p50) {
        return new BenchmarkResult("cpu", 10, new LatencyStats(p50, p50, p50, p50, p50, p50, 10), 1000 / p50, -1, "none",
                Map.of());
    }

    @Test
    void savingsWithinRoundToRoundNoiseAreFlagged() {
        assertThat(Cost.roundNoisePercent(run(9), run(11))).isCloseTo(20, within(1e-9));

        Cost noisy = Cost.of(Pricing.DEFAULT, run(10), run(9), ReportFixtures.passed().before(),
                ReportFixtures.passed().before(), 20);
        assertThat(noisy.computeSavedPercent()).isCloseTo(10, within(1e-9));
        assertThat(noisy.withinNoise()).isTrue();

        Cost real = Cost.of(Pricing.DEFAULT, run(10), run(4), ReportFixtures.passed().before(),
                ReportFixtures.passed().before(), 20);
        assertThat(real.withinNoise()).isFalse();
    }
}
