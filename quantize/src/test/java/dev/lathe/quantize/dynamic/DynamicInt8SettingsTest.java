package dev.lathe.quantize.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.weights.NodeFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** quantize.int8's options: declared once, described, read, built and reported as given. */
class DynamicInt8SettingsTest {

    @Test
    void builderEqualsParsedSettings() {
        DynamicInt8Settings built = DynamicInt8Settings.builder().perChannel(false).smoothing(0.5).build();

        assertThat(built).isEqualTo(DynamicInt8Settings.from(Map.of("per-channel", "false", "smooth", "0.5")));
        assertThat(built.perChannel()).isFalse();
        assertThat(built.smoothing()).isEqualTo(0.5);
        assertThat(DynamicInt8Settings.builder().build()).isEqualTo(DynamicInt8Settings.from(Map.of()));
        DynamicInt8Settings all = DynamicInt8Settings.builder().symmetric(false).signed(false).reduceRange(true)
                .mseClipping(true).foldBias(false).gather(false).filter(new NodeFilter(Set.of("MatMul"), Set.of("a"),
                        Set.of("b", "c"), 16)).build();
        assertThat(all).isEqualTo(DynamicInt8Settings.from(all.options()));
        assertThat(all.options().keySet()).containsExactlyElementsOf(DynamicInt8Settings.OPTIONS.options().stream()
                .map(PassOption::key).toList());
    }

    @Test
    void theDefaultsAreThoseDocumented() {
        DynamicInt8Settings defaults = DynamicInt8Settings.from(Map.of());

        assertThat(defaults.perChannel()).isTrue();
        assertThat(defaults.symmetric()).isTrue();
        assertThat(defaults.signed()).isTrue();
        assertThat(defaults.mseClipping()).isFalse();
        assertThat(defaults.foldBias()).isTrue();
        assertThat(defaults.gather()).isTrue();
        assertThat(defaults.smoothing()).isEqualTo(DynamicInt8Settings.DEFAULT_SMOOTHING);
        assertThat(defaults.fuse()).isTrue();
        assertThat(defaults.filter()).isEqualTo(new NodeFilter(Set.of("MatMul", "Gemm", "Attention"), Set.of(), Set.of(), 1024));
    }

    @Test
    void optionsAreReturnedAsGivenInOrder() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("smooth", "0");
        given.put("sym", "yes");
        given.put("ops", "MatMul");
        given.put("per-channel", "false");

        assertThat(PassRegistry.load().create("quantize.int8", given).options()).containsExactlyEntriesOf(given);
    }

    @Test
    void theDescriptionComesFromTheDeclarations() {
        String description = PassRegistry.load().factories().get("quantize.int8").description();

        assertThat(description).startsWith("dynamic int8: MatMul/Gemm to DynamicQuantizeMatMul")
                .contains("smooth=0..1 (default 0.7)", "reduce-range=auto|true|false (default auto)", "min-size=N (default 1024)",
                        "ops=Op1+Op2 (default Attention+Gemm+MatMul)", "fuse=true|false (default true)");
        for (PassOption<?> option : DynamicInt8Settings.OPTIONS.options()) {
            assertThat(description).contains(option.key() + "=", option.doc());
        }
    }

    @Test
    void outOfRangeValuesFailTheSameWayFromTheBuilder() {
        assertThatThrownBy(() -> DynamicInt8Settings.builder().smoothing(1.5).build())
                .hasMessage("option smooth of pass quantize.int8 must be a number from 0.0 to 1.0, got '1.5'");
        assertThatThrownBy(() -> DynamicInt8Settings.from(Map.of("scale", "max")))
                .hasMessage("option scale of pass quantize.int8 must be one of minmax, mse, got 'max'");
    }
}
