package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The inputs {@link InputOptions} gives a model: values from files as they are, the rest generated. */
class InputOptionsTest {
    @TempDir
    Path folder;
    private OnnxModel sum;

    /** A command that only holds the options. */
    @Command
    static final class Holder {
        @Mixin
        InputOptions inputs;
    }

    @BeforeEach
    void writeModel() throws Exception {
        sum = OnnxModel.load(TinyModel.writeSum(folder.resolve("sum.onnx")));
    }

    @Test
    void givenValuesAreUsedAsTheyAreAndTheRestIsGeneratedAtTheirShape() throws Exception {
        TensorData x = TensorData.ofFloats(new long[] {2, 4}, 1, 2, 3, 4, 5, 6, 7, 8);
        Path file = folder.resolve("x.npy");
        NpyFiles.write(x, file);

        Map<String, TensorData> inputs = parse("--input", "X=" + file, "--seed", "7").inputs(sum);

        assertThat(inputs).containsOnlyKeys(TinyModel.INPUT, TinyModel.SECOND_INPUT);
        assertThat(inputs.get(TinyModel.INPUT)).isEqualTo(x);
        assertThat(inputs.get(TinyModel.SECOND_INPUT).shape()).containsExactly(2, 4);
        assertThat(parse("--input", "X=" + file, "--seed", "7").inputs(sum)).isEqualTo(inputs);
        assertThat(parse("--input", "X=" + file, "--seed", "8").inputs(sum).get(TinyModel.SECOND_INPUT))
                .isNotEqualTo(inputs.get(TinyModel.SECOND_INPUT));
    }

    @Test
    void withoutFilesSamplesAreGeneratedWithConsecutiveSeeds() throws Exception {
        var samples = parse("--bind", "batch=3", "--seed", "4").samples(sum, 2);

        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).get(TinyModel.INPUT).shape()).containsExactly(3, 4);
        assertThat(samples.get(0)).isEqualTo(parse("--bind", "batch=3", "--seed", "4").inputs(sum));
        assertThat(samples.get(1)).isEqualTo(parse("--bind", "batch=3", "--seed", "5").inputs(sum));
    }

    @Test
    void anInputGivenTwiceIsRefused() throws Exception {
        Path file = folder.resolve("X.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {1, 4}, new float[4]), file);

        assertThatThrownBy(() -> parse("--input", file.toString(), "--input", "X=" + file).inputs(sum))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'X' is given twice");
    }

    @Test
    void aFileOfTheWrongRankIsRefused() throws Exception {
        Path file = folder.resolve("x.npy");
        NpyFiles.write(TensorData.ofFloats(new long[] {4}, new float[4]), file);

        assertThatThrownBy(() -> parse("--input", "X=" + file).inputs(sum))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank");
    }

    private static InputOptions parse(String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.inputs;
    }
}
