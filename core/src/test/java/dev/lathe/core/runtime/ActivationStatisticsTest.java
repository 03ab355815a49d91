package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-channel statistics of inputs and intermediate values, checked against values computed directly. */
class ActivationStatisticsTest {

    @Test
    void inputsAndIntermediateValuesAreSummarizedPerLastAxisChannel() throws Exception {
        OnnxModel mlp = TestModels.mlp();
        String hidden = mlp.graph().nodes().stream().filter(n -> n.getOpType().equals("Relu")).findFirst()
                .map(n -> n.getOutput(0)).orElseThrow();
        List<Map<String, TensorData>> samples = List.of(
                Map.of("x", TensorData.ofFloats(new long[] {2, 4}, 1, -2, 3, 0, -5, 1, 0, 2)),
                Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 0.5f, 4, -1, -3)));

        ActivationStatistics statistics = ActivationStatistics.collect(mlp, Set.of("x", hidden), samples);

        ActivationStatistics.Channels x = statistics.of("x");
        assertThat(x.maxAbs()).containsExactly(5, 4, 3, 3);
        assertThat(x.rows()).isEqualTo(3);
        assertThat(x.sumSquares()[0]).isCloseTo(1 + 25 + 0.25, within(1e-9));
        assertThat(x.norms()[1]).isCloseTo(Math.sqrt(4 + 1 + 16), within(1e-9));

        ActivationStatistics.Channels relu = statistics.of(hidden);
        assertThat(relu.maxAbs()).hasSize(8);
        assertThat(relu.rows()).isEqualTo(3);
        for (float value : relu.maxAbs()) {
            assertThat(value).isNotNegative();
        }
    }

    @Test
    void unknownValuesAndMissingSamplesAreRefused() {
        assertThatThrownBy(() -> ActivationStatistics.collect(TestModels.mlp(), Set.of("nope"),
                List.of(Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 1, 2, 3, 4)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> ActivationStatistics.collect(TestModels.mlp(), Set.of("x"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calibration sample");
    }
}
