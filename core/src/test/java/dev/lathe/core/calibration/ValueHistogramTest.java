package dev.lathe.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Streaming activation histograms: exact merging, thresholds against direct computations, and collection. */
class ValueHistogramTest {

    private static float[] gaussian(int count, double scale, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    @Test
    void histogramsOfTwoHalvesMergeToTheHistogramOfTheWhole() {
        float[] small = gaussian(5000, 0.3, 1);
        float[] large = gaussian(5000, 7.0, 2);
        ValueHistogram whole = new ValueHistogram();
        whole.add(small);
        whole.add(large);
        ValueHistogram first = new ValueHistogram();
        first.add(small);
        ValueHistogram second = new ValueHistogram();
        second.add(large);

        ValueHistogram merged = first.merge(second);
        ValueHistogram mergedTheOtherWay = second.merge(first);

        assertThat(first.range()).isLessThan(second.range());
        assertThat(merged.counts()).containsExactly(whole.counts());
        assertThat(mergedTheOtherWay.counts()).containsExactly(whole.counts());
        assertThat(merged.range()).isEqualTo(whole.range());
        assertThat(merged.count()).isEqualTo(10_000);
        assertThat(merged.minMax()).containsExactly(whole.minMax());
        assertThat(first.count()).isEqualTo(5000);
    }

    @Test
    void theRangeIsAPowerOfTwoAboveEveryValueAndMemoryIsFixed() {
        ValueHistogram histogram = new ValueHistogram();
        histogram.add(new float[] {4f, -1f});
        assertThat(histogram.range()).isEqualTo(8.0);
        for (int i = 0; i < 100; i++) {
            histogram.add(gaussian(1000, 3, i));
        }
        assertThat(histogram.counts()).hasSize(ValueHistogram.BINS);
        assertThat(Arrays.stream(histogram.counts()).sum()).isEqualTo(100_002);
    }

    @Test
    void percentileCutsTheTailsLikeASortedList() {
        float[] values = gaussian(100_000, 1, 3);
        ValueHistogram histogram = new ValueHistogram();
        histogram.add(values);
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        double binWidth = 2 * histogram.range() / ValueHistogram.BINS;

        float[] range = histogram.percentile(99.0);

        assertThat((double) range[0]).isCloseTo(sorted[500], within(binWidth));
        assertThat((double) range[1]).isCloseTo(sorted[99_499], within(binWidth));
        assertThat(histogram.percentile(100)).containsExactly(histogram.minMax());
        assertThatThrownBy(() -> histogram.percentile(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(0, 100]");
    }

    @Test
    void entropyKeepsAUniformRangeAndClipsRareOutliers() {
        float[] uniform = new float[20_000];
        Random random = new Random(4);
        for (int i = 0; i < uniform.length; i++) {
            uniform[i] = random.nextFloat() * 6 - 3;
        }
        ValueHistogram flat = new ValueHistogram();
        flat.add(uniform);
        assertThat((double) flat.entropy()[1]).isCloseTo(3.0, within(0.1));

        ValueHistogram spiky = new ValueHistogram();
        spiky.add(gaussian(50_000, 1, 5));
        spiky.add(new float[] {60f, -55f});
        float[] clipped = spiky.entropy();
        assertThat(clipped[1]).isLessThan(20f).isGreaterThan(2f);
        assertThat(clipped[0]).isGreaterThan(-20f).isLessThan(-2f);
        assertThat(spiky.minMax()).containsExactly(-55f, 60f);
    }

    @Test
    void tinyNegativeValuesFallInTheSameBinWhateverTheRangeWasWhenTheyCame() {
        // -3e-16 next to a range of 8 rounded up to zero in (v + range): its bin then depended on the range the
        // histogram had reached, so a merge could differ from one pass. It is negative at every range now.
        float[] tiny = {-3e-16f, -1e-30f, 3e-16f};
        float[] large = {7.5f, -3f};
        ValueHistogram tinyFirst = new ValueHistogram();
        tinyFirst.add(tiny);
        tinyFirst.add(large);
        ValueHistogram largeFirst = new ValueHistogram();
        largeFirst.add(large);
        largeFirst.add(tiny);
        ValueHistogram merged = new ValueHistogram();
        merged.add(tiny);
        ValueHistogram second = new ValueHistogram();
        second.add(large);

        assertThat(tinyFirst.counts()).containsExactly(largeFirst.counts());
        assertThat(merged.merge(second).counts()).containsExactly(largeFirst.counts());
        assertThat(largeFirst.counts()[ValueHistogram.BINS / 2 - 1]).as("both tiny negatives below zero").isEqualTo(2);
    }

    @Test
    void countsAreDeterministicAndNanIsNotCounted() {
        ValueHistogram a = new ValueHistogram();
        ValueHistogram b = new ValueHistogram();
        a.add(gaussian(1000, 2, 6));
        b.add(gaussian(1000, 2, 6));
        a.add(new float[] {Float.NaN});
        assertThat(a.counts()).containsExactly(b.counts());
        assertThat(a.count()).isEqualTo(1000);
        assertThatThrownBy(() -> a.add(new float[] {Float.POSITIVE_INFINITY})).hasMessageContaining("infinite");
        assertThatThrownBy(() -> new ValueHistogram().minMax()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void collectingStreamsSamplesThroughTheModelAndSkipsNonFloatValues() throws Exception {
        OnnxModel model = TestModels.cnnWithBatchNorm();
        String relu = model.graph().nodes().stream().filter(n -> n.getOpType().equals("Relu")).findFirst().orElseThrow()
                .getOutput(0);
        List<Map<String, TensorData>> samples = InputGenerator.samples(model, Map.of("image", new long[] {1, 3, 8, 8}), 6, 7);

        ValueHistograms all = ValueHistograms.collect(model, List.of("image", relu), samples, 100);
        ValueHistograms firstHalf = ValueHistograms.collect(model, List.of("image", relu), samples.subList(0, 3), 100);
        ValueHistograms secondHalf = ValueHistograms.collect(model, List.of("image", relu), samples.subList(3, 6), 100);

        assertThat(all.samples()).isEqualTo(6);
        assertThat(all.histograms()).containsOnlyKeys("image", relu);
        assertThat(all.of(relu).minMax()[0]).isGreaterThanOrEqualTo(0f);
        assertThat(all.of("image").count()).isEqualTo(6 * 3 * 8 * 8);
        assertThat(firstHalf.merge(secondHalf).of(relu).counts()).containsExactly(all.of(relu).counts());
        assertThat(ValueHistograms.collect(model, List.of(relu), samples, 2).samples()).isEqualTo(2);
    }
}
