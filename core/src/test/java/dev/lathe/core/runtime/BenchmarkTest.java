package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Benchmarks on real ONNX Runtime (timings are only checked for consistency, never against targets). */
class BenchmarkTest {
    private static final OnnxModel MODEL = TestModels.transformerBlock();
    private static final Map<String, TensorData> INPUTS = InputGenerator.generate(MODEL,
            ShapeBinding.none().withDimension("batch", 1).withDimension("seq", 8).resolve(MODEL), 1);

    @Test
    void inProcessMeasuresLatencyThroughputMemoryAndProfile() throws Exception {
        BenchmarkResult result = Benchmark.run(MODEL, SessionSettings.cpu(), INPUTS, new BenchmarkOptions(2, 20,
                BenchmarkOptions.MemoryMeasurement.IN_PROCESS, true));

        LatencyStats latency = result.latencyMs();
        assertThat(latency.runs()).isEqualTo(20);
        assertThat(latency.min()).isPositive();
        assertThat(latency.p50()).isBetween(latency.min(), latency.p90());
        assertThat(latency.p90()).isLessThanOrEqualTo(latency.p99());
        assertThat(latency.p99()).isLessThanOrEqualTo(latency.max());
        assertThat(result.throughputPerSec()).isCloseTo(1000 / latency.mean(), org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(result.sessionInitMs()).isPositive();
        assertThat(result.memoryMethod()).isEqualTo("in-process");
        assertThat(result.peakMemoryBytes()).isGreaterThan(10L << 20);
        assertThat(result.timeByOpTypeMs()).containsKeys("Softmax", "Gather").allSatisfy((op, ms) -> assertThat(ms).isNotNegative());
        assertThat(result.provider()).isEqualTo("cpu");
    }

    @Test
    void forkedMeasuresInAChildJvm() throws Exception {
        BenchmarkResult result = Benchmark.run(MODEL, SessionSettings.of(ProviderConfig.Cpu.defaults().withIntraOpThreads(1)),
                INPUTS, BenchmarkOptions.defaults().withRuns(1, 5).withMemory(BenchmarkOptions.MemoryMeasurement.FORKED));

        assertThat(result.memoryMethod()).isEqualTo("forked");
        assertThat(result.peakMemoryBytes()).isGreaterThan(10L << 20);
        assertThat(result.latencyMs().runs()).isEqualTo(5);
        assertThat(result.provider()).isEqualTo("cpu (1 thread)");
    }

    @Test
    void noMemoryMeasurementReportsMinusOne() throws Exception {
        BenchmarkResult result = Benchmark.run(MODEL, SessionSettings.cpu(), INPUTS,
                BenchmarkOptions.defaults().withRuns(0, 3).withMemory(BenchmarkOptions.MemoryMeasurement.NONE));

        assertThat(result.peakMemoryBytes()).isEqualTo(-1);
        assertThat(result.memoryMethod()).isEqualTo("none");
        assertThat(result.timeByOpTypeMs()).isEmpty();
    }

    @Test
    void twoRoundsAverageTheirFiguresAndAddTheirRuns() {
        LatencyStats first = new LatencyStats(10, 9, 12, 15, 8, 16, 100);
        LatencyStats second = new LatencyStats(20, 19, 22, 25, 7, 30, 100);
        BenchmarkResult a = new BenchmarkResult("cpu", 100, first, 100, 1000, "forked", Map.of("MatMul", 5.0));
        BenchmarkResult b = new BenchmarkResult("cpu", 200, second, 50, 3000, "forked", Map.of());

        BenchmarkResult both = a.averagedWith(b);

        assertThat(both.latencyMs()).isEqualTo(new LatencyStats(15, 14, 17, 20, 7, 30, 200));
        assertThat(both.sessionInitMs()).isEqualTo(150);
        assertThat(both.throughputPerSec()).isEqualTo(75);
        assertThat(both.peakMemoryBytes()).isEqualTo(3000);
        assertThat(both.timeByOpTypeMs()).containsEntry("MatMul", 5.0);
    }

    @Test
    void percentilesUseNearestRank() {
        double[] millis = new double[100];
        for (int i = 0; i < 100; i++) {
            millis[i] = 100 - i;
        }
        LatencyStats stats = LatencyStats.of(millis);

        assertThat(stats.p50()).isEqualTo(50);
        assertThat(stats.p90()).isEqualTo(90);
        assertThat(stats.p99()).isEqualTo(99);
        assertThat(stats.mean()).isEqualTo(50.5);
        assertThat(LatencyStats.of(new double[] {7}).p99()).isEqualTo(7);
    }
}
