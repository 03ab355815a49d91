package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QuantizationComparisonTest {

    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream log = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine command = new CommandLine(new QuantizationComparison(new PrintStream(new ByteArrayOutputStream()), log));
        command.setErr(new PrintWriter(log, true));
        return command.execute(args);
    }

    @Test
    void unknownModelInOnlyIsAUsageErrorBeforeAnyWork() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        assertThat(run(err, "--only", "int9")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown model 'int9'", "reference-q", "int8-weights");
    }

    @Test
    void recipeLabelsMustBeNewAndWellFormed() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        assertThat(run(err, "--recipe", "int8=quantize.int8:per-channel")).isEqualTo(2);
        assertThat(run(err, "--recipe", "quantize.int8")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the label 'int8' is taken", "needs LABEL=SPEC");
    }

    @Test
    void countsOutOfRangeAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        assertThat(run(err, "--sentences", "10")).isEqualTo(2);
        assertThat(run(err, "--sentences", "401")).isEqualTo(2);
        assertThat(run(err, "--passes", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--sentences must be between 44", "--passes");
    }

    @Test
    void recipeNamesItsPass() {
        assertThat(new LatheRecipe("int4-b32", "quantize.int4:block=32,sym").passName()).isEqualTo("quantize.int4");
        assertThat(new LatheRecipe("int8", "quantize.int8").passName()).isEqualTo("quantize.int8");
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(EncoderRuns.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(EncoderRuns.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}
