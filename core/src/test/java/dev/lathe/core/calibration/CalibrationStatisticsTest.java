package dev.lathe.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The calibration service against values computed directly, merging, streaming and refusals. */
class CalibrationStatisticsTest {
    private static final List<Map<String, TensorData>> TWO = List.of(
            Map.of("x", TensorData.ofFloats(new long[] {2, 4}, 1, -2, 3, 0, -5, 1, 0, 2)),
            Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 0.5f, 4, -1, -3)));

    private static String relu(OnnxModel mlp) {
        return mlp.graph().nodes().stream().filter(n -> n.getOpType().equals("Relu")).findFirst()
                .map(n -> n.getOutput(0)).orElseThrow();
    }

    @Test
    void inputsAndIntermediateValuesAreSummarizedPerChannel() throws Exception {
        OnnxModel mlp = TestModels.mlp();
        String hidden = relu(mlp);

        CalibrationStatistics statistics = CalibrationStatistics.collect(mlp, List.of(
                new ChannelRequest("x", -1, 2, 4, true), ChannelRequest.lastAxis(hidden, 8)), TWO, 10);

        assertThat(statistics.samples()).isEqualTo(2);
        ChannelStatistics x = statistics.of("x");
        assertThat(x.maxAbs()).containsExactly(5, 4, 3, 3);
        assertThat(x.rows()).isEqualTo(3);
        assertThat(x.sums()).containsExactly(-3.5, 3, 2, -1);
        assertThat(x.sumSquares()[0]).isCloseTo(1 + 25 + 0.25, within(1e-6));
        assertThat(x.norms()[1]).isCloseTo(Math.sqrt(4 + 1 + 16), within(1e-6));
        // Gram: the sum over rows of the outer product; entry (0, 1) = 1·-2 + -5·1 + 0.5·4. The rows of both
        // samples are multiplied out together, in one block.
        assertThat(x.gram()[0][1]).isCloseTo(-5, within(1e-6));
        assertThat(x.gram()[1][0]).isCloseTo(-5, within(1e-6));
        ChannelStatistics relu = statistics.of(hidden);
        assertThat(relu.maxAbs()).hasSize(8);
        assertThat(relu.rows()).isEqualTo(3);
        assertThat(relu.gram()).isNull();
    }

    @Test
    void statisticsOfTwoPartsMergedEqualThoseOfTheWhole() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        String hidden = "hidden";
        Random random = new Random(5);
        List<Map<String, TensorData>> samples = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int tokens = 3 + i;
            long[] ids = random.longs(tokens, 0, 16).toArray();
            long[] mask = new long[tokens];
            java.util.Arrays.fill(mask, 1);
            samples.add(Map.of("input_ids", TensorData.ofLongs(new long[] {1, tokens}, ids),
                    "attention_mask", TensorData.ofLongs(new long[] {1, tokens}, mask)));
        }
        List<ChannelRequest> requests = List.of(new ChannelRequest(hidden, -1, 3, 8, true));

        CalibrationStatistics whole = CalibrationStatistics.collect(block, requests, samples, 100);
        CalibrationStatistics merged = CalibrationStatistics.collect(block, requests, samples.subList(0, 2), 100)
                .merge(CalibrationStatistics.collect(block, requests, samples.subList(2, 6), 100));

        assertThat(merged.samples()).isEqualTo(6);
        ChannelStatistics a = whole.of(hidden);
        ChannelStatistics b = merged.of(hidden);
        assertThat(b.rows()).isEqualTo(a.rows()).isEqualTo(3 + 4 + 5 + 6 + 7 + 8);
        assertThat(b.maxAbs()).containsExactly(a.maxAbs());
        // Exact, not close: per-sample contributions summed in double-double do not depend on the split.
        assertThat(b.sums()).containsExactly(a.sums());
        assertThat(b.sumSquares()).containsExactly(a.sumSquares());
        for (int c = 0; c < 8; c++) {
            assertThat(b.gram()[c]).containsExactly(a.gram()[c]);
        }
        CalibrationStatistics threeParts = CalibrationStatistics.collect(block, requests, samples.subList(4, 6), 100)
                .merge(CalibrationStatistics.collect(block, requests, samples.subList(0, 1), 100))
                .merge(CalibrationStatistics.collect(block, requests, samples.subList(1, 4), 100));
        assertThat(threeParts.of(hidden).sums()).containsExactly(a.sums());
        for (int c = 0; c < 8; c++) {
            assertThat(threeParts.of(hidden).gram()[c]).containsExactly(a.gram()[c]);
        }
        assertThat(CalibrationStatistics.collect(block, requests, samples, 2).samples()).as("at most maxSamples").isEqualTo(2);
    }

    @Test
    void unknownValuesWrongChannelsAndMissingSamplesAreRefused() {
        assertThatThrownBy(() -> CalibrationStatistics.collect(TestModels.mlp(), List.of(ChannelRequest.lastAxis("nope", 4)),
                TWO, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> CalibrationStatistics.collect(TestModels.mlp(), List.of(ChannelRequest.lastAxis("x", 2)),
                TWO, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 2 channels");
        assertThatThrownBy(() -> CalibrationStatistics.collect(TestModels.mlp(), List.of(ChannelRequest.lastAxis("x", 4)),
                List.of(), 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one sample");
        assertThatThrownBy(() -> CalibrationStatistics.collect(TestModels.mlp(), List.of(ChannelRequest.lastAxis("x", 4),
                new ChannelRequest("x", -2, 2, 1, false)), TWO, 10)).hasMessageContaining("requested twice");
        assertThatThrownBy(() -> ChannelStatistics.empty(4, true).merge(ChannelStatistics.empty(4, false)))
                .hasMessageContaining("Gram");
    }
}
