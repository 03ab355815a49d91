package dev.lathe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sample sources: the split, NumPy folders, generated samples, laziness. */
class SampleSourcesTest {

    private static Map<String, TensorData> sample(int index) {
        return Map.of("x", TensorData.ofFloats(new long[] {1, 1}, index));
    }

    private static List<Integer> indexes(SampleSource source) {
        List<Integer> seen = new ArrayList<>();
        source.forEach(s -> seen.add((int) s.get("x").toFloatArray()[0]));
        return seen;
    }

    @Test
    void splitHoldsOutEveryFourthSampleAndNeverOverlaps() {
        SampleSource all = SampleSource.of("numbers", IntStream.range(0, 400).mapToObj(SampleSourcesTest::sample).toList());
        DataSplit split = DataSplit.of(all);

        List<Integer> calibration = indexes(split.calibration());
        List<Integer> validation = indexes(split.validation());
        assertThat(validation).hasSize(100).startsWith(3, 7, 11);
        assertThat(calibration).hasSize(300).startsWith(0, 1, 2, 4);
        Set<Integer> both = new HashSet<>(calibration);
        both.retainAll(validation);
        assertThat(both).isEmpty();
        assertThat(calibration.size() + validation.size()).isEqualTo(400);
        assertThat(indexes(DataSplit.of(all).validation())).isEqualTo(validation);
        assertThat(split.validation().sizeHint()).hasValue(100);
        assertThat(split.calibration().sizeHint()).hasValue(300);
        assertThat(split.validation().description()).contains("numbers").contains("held-out 25 %").contains("100 samples");
    }

    @Test
    void splitAtOtherFractionsAndRefusals() {
        SampleSource ten = SampleSource.of("ten", IntStream.range(0, 10).mapToObj(SampleSourcesTest::sample).toList());
        assertThat(indexes(DataSplit.of(ten, 0.5).validation())).containsExactly(1, 3, 5, 7, 9);
        assertThat(indexes(DataSplit.of(ten, 0.1).validation())).containsExactly(9);
        assertThatThrownBy(() -> DataSplit.of(ten, 1.0)).hasMessageContaining("between 0 and 1");
        SampleSource one = SampleSource.of("one", List.of(sample(0)));
        assertThatThrownBy(() -> DataSplit.of(one)).hasMessageContaining("one").hasMessageContaining("at least 2");
    }

    @Test
    void sourcesAreReadLazilyAndLimited() {
        AtomicInteger made = new AtomicInteger();
        Iterable<Map<String, TensorData>> lazy = () -> IntStream.range(0, 1_000_000)
                .mapToObj(i -> { made.incrementAndGet(); return sample(i); }).iterator();
        SampleSource source = SampleSource.of("a million", lazy);

        assertThat(source.sizeHint()).isEmpty();
        assertThat(source.take(5)).hasSize(5);
        assertThat(indexes(source.limit(3))).containsExactly(0, 1, 2);
        assertThat(indexes(DataSplit.of(source).validation().limit(2))).containsExactly(3, 7);
        assertThat(made.get()).isLessThan(50);
        assertThat(source.limit(3).description()).isEqualTo("a million, first 3");
    }

    @Test
    void numpyFolderGivesOneSamplePerArchiveOrSubfolderInNameOrder(@TempDir Path folder) throws Exception {
        Path second = Files.createDirectory(folder.resolve("b-sample"));
        NpyFiles.write(TensorData.ofFloats(new long[] {1, 1}, 2), second.resolve("x.npy"));
        Path first = Files.createDirectory(folder.resolve("a-sample"));
        NpyFiles.write(TensorData.ofFloats(new long[] {1, 1}, 1), first.resolve("x.npy"));
        Files.writeString(folder.resolve("notes.txt"), "not a sample");

        NpySamples samples = NpySamples.open(folder);
        assertThat(samples.sizeHint()).hasValue(2);
        assertThat(indexes(samples)).containsExactly(1, 2);
        assertThat(indexes(samples)).as("re-iterable").containsExactly(1, 2);
        assertThat(samples.description()).contains(folder.toString()).contains("2 samples");
        assertThat(NpySamples.open(first.resolve("x.npy")).take(1).get(0)).containsKey("x");

        assertThatThrownBy(() -> NpySamples.open(folder.resolve("missing"))).hasMessageContaining("missing")
                .hasMessageContaining("no such");
        Path empty = Files.createDirectory(folder.resolve("empty"));
        assertThatThrownBy(() -> NpySamples.open(empty)).hasMessageContaining("holds no .npz or .npy");
        assertThatThrownBy(() -> NpySamples.open(folder.resolve("notes.txt"))).hasMessageContaining("not a NumPy sample");
    }

    @Test
    void generatedSamplesSayTheyAreGeneratedAndRepeat() {
        var model = TestModels.transformerBlock();
        Map<String, long[]> shapes = ShapeBinding.none().resolve(model);
        GeneratedSamples samples = GeneratedSamples.of(model, shapes, 3, 7);

        assertThat(samples.generated()).isTrue();
        assertThat(samples.description()).startsWith("generated (3 random samples").contains("input_ids=1x128");
        assertThat(samples.take(3)).isEqualTo(samples.take(3)).hasSize(3);
        assertThat(DataSplit.of(samples).validation().generated()).isTrue();
    }

    @Test
    void theTypicalSampleIsTheOneOfMedianSizeAmongTheFirst() {
        List<Map<String, TensorData>> samples = List.of(Map.of("x", TensorData.ofFloats(new long[] {5}, new float[5])),
                Map.of("x", TensorData.ofFloats(new long[] {1}, 1f)),
                Map.of("x", TensorData.ofFloats(new long[] {3}, 2, 2, 2)),
                Map.of("x", TensorData.ofFloats(new long[] {3}, 3, 3, 3)),
                Map.of("x", TensorData.ofFloats(new long[] {9}, new float[9])));
        SampleSource source = SampleSource.of("sizes", samples);

        assertThat(source.typical(5)).containsSame(samples.get(3));
        assertThat(source.typical(3)).containsSame(samples.get(2));
        assertThat(SampleSource.of("none", List.of()).typical(5)).isEmpty();
    }
}
