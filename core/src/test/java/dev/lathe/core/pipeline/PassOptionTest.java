package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.cleanup.GraphCleanup;
import dev.lathe.core.cleanup.GraphCleanupSettings;
import dev.lathe.core.weights.NodeFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Options declared once give parsing, validation, help text and text that reads back. */
class PassOptionTest {
    private static final PassOption<Boolean> FAST = PassOption.bool("fast", true, "go fast");
    private static final PassOption<Long> LEVEL = PassOption.integer("level", 4, 0, 4, "how hard");
    private static final PassOption<Long> BLOCK = PassOption.integer("block", 32, 16, 256, "block size")
            .requiring(n -> Long.bitCount(n) == 1, "a power of two from 16 to 256");
    private static final PassOption<Double> ALPHA = PassOption.number("alpha", 0.5, 0, 1, "strength");
    private static final PassOption<String> MODE = PassOption.choice("mode", "auto", "how", "auto", "on", "off");
    private static final PassOption<TimeUnit> UNIT = PassOption.choice("unit", TimeUnit.SECONDS, "unit");
    private static final NodeFilter.Options FILTER = NodeFilter.options(Set.of("MatMul"), Set.of("MatMul", "Gemm"), 16);
    private static final PassOptionSet OPTIONS = PassOptionSet.of("test.pass", "does things",
            FAST, LEVEL, BLOCK, ALPHA, MODE, UNIT).with(FILTER.all());

    @Test
    void valuesAreParsedOrDefaulted() {
        PassOptionValues values = OPTIONS.read(Map.of("fast", "no", "level", "2", "alpha", "0.25", "mode", "ON",
                "unit", "Minutes", "ops", "Gemm+MatMul", "exclude", "a+ b"));

        assertThat(values.get(FAST)).isFalse();
        assertThat(values.get(LEVEL)).isEqualTo(2);
        assertThat(values.get(BLOCK)).isEqualTo(32);
        assertThat(values.get(ALPHA)).isEqualTo(0.25);
        assertThat(values.get(MODE)).isEqualTo("on");
        assertThat(values.get(UNIT)).isEqualTo(TimeUnit.MINUTES);
        assertThat(FILTER.read(values)).isEqualTo(new NodeFilter(Set.of("Gemm", "MatMul"), Set.of(), Set.of("a", "b"), 16));
        assertThat(values.has(BLOCK)).isFalse();
        assertThat(values.find(LEVEL)).contains(2L);
    }

    @Test
    void errorsNameThePassTheOptionAndWhatIsValid() {
        assertThatThrownBy(() -> OPTIONS.read(Map.of("levl", "2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown option 'levl' of pass test.pass; valid options: alpha, block, exclude, fast, include, "
                        + "level, min-size, mode, ops, unit");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("fast", "maybe")))
                .hasMessage("option fast of pass test.pass must be true or false, got 'maybe'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("level", "5")))
                .hasMessage("option level of pass test.pass must be an integer from 0 to 4, got '5'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("level", "two")))
                .hasMessage("option level of pass test.pass must be an integer from 0 to 4, got 'two'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("block", "48")))
                .hasMessage("option block of pass test.pass must be a power of two from 16 to 256, got '48'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("alpha", "1.5")))
                .hasMessage("option alpha of pass test.pass must be a number from 0.0 to 1.0, got '1.5'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("mode", "sometimes")))
                .hasMessage("option mode of pass test.pass must be one of auto, on, off, got 'sometimes'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("unit", "weeks")))
                .hasMessageContaining("one of nanoseconds, microseconds");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("ops", "MatMul+Conv")))
                .hasMessage("option ops of pass test.pass must be op types from Gemm, MatMul, got 'Conv'");
        assertThatThrownBy(() -> OPTIONS.read(Map.of("min-size", "-1"))).hasMessageContaining("option min-size");
    }

    @Test
    void theDescriptionListsEveryOptionWithItsDefault() {
        String description = OPTIONS.description();

        assertThat(description).startsWith("does things. Options: fast=true|false (default true): go fast; ")
                .contains("level=0..4 (default 4): how hard", "block=16..256 (default 32)", "alpha=0..1 (default 0.5)",
                        "mode=auto|on|off (default auto)", "unit=nanoseconds|", "(default seconds)",
                        "ops=Op1+Op2 (default MatMul)", "include=node1+node2 (default none)", "min-size=N (default 16)");
        for (PassOption<?> option : OPTIONS.options()) {
            assertThat(description).contains(option.key() + "=", "(default ", option.doc());
        }
    }

    @Test
    void formattedValuesReadBackEqual() {
        assertThat(BLOCK.parse("p", BLOCK.format(64L))).isEqualTo(64);
        assertThat(ALPHA.parse("p", ALPHA.format(0.7))).isEqualTo(0.7);
        assertThat(UNIT.parse("p", UNIT.format(TimeUnit.HOURS))).isEqualTo(TimeUnit.HOURS);
        assertThat(FILTER.ops().format(Set.of("MatMul", "Gemm"))).isEqualTo("Gemm+MatMul");
        assertThatThrownBy(() -> PassOption.integer("n", 1, 2, 3, "bad default").requiring(n -> true, "x")
                .requiring(n -> n > 1, "above 1")).hasMessageContaining("default 1 of option n");
    }

    @Test
    void cleanupReadsBuildsAndReportsItsOptionsAsGiven() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("fold", "no");

        assertThat(GraphCleanupSettings.builder().fold(false).build()).isEqualTo(GraphCleanupSettings.from(given))
                .isEqualTo(new GraphCleanupSettings(false, true));
        assertThat(GraphCleanupSettings.builder().build()).isEqualTo(GraphCleanupSettings.from(Map.of()));
        assertThat(PassRegistry.load().create("cleanup", given).options()).containsExactlyEntriesOf(given);
        assertThat(PassRegistry.load().create("cleanup").options()).isEmpty();
        assertThat(new GraphCleanup(new GraphCleanupSettings(false, true)).options())
                .containsExactly(Map.entry("fold", "false"), Map.entry("hard-swish", "true"));
        assertThat(PassRegistry.load().factories().get("cleanup").description())
                .isEqualTo(GraphCleanupSettings.OPTIONS.description()).contains("fold=true|false (default true)");
        assertThatThrownBy(() -> GraphCleanupSettings.builder().option("fold", "sometimes").build())
                .hasMessage("option fold of pass cleanup must be true or false, got 'sometimes'");
    }
}
