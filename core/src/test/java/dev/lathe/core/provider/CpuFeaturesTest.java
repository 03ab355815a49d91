package dev.lathe.core.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The int8 range decision from given architectures and CPU flags, against a table written by hand. */
class CpuFeaturesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "amd64|avx2 avx512f avx512_vnni|true",
        "x86_64|avx2 avx_vnni|true",
        "amd64|avx2 amx_int8|true",
        "amd64|avx2 avx512f fma|false",
        "amd64||false",
        "aarch64||true",
        "aarch64|asimd dotprod|true"})
    void fullRangeInt8NeedsAnInt8DotProductOnX86(String arch, String flags, boolean expected) {
        Set<String> set = flags == null ? Set.of() : Set.of(flags.split(" "));
        assertThat(CpuFeatures.fullRangeInt8(arch, set)).isEqualTo(expected);
    }

    @Test
    void theSummaryAgreesWithTheDecision() {
        String summary = CpuFeatures.int8Summary();
        assertThat(summary).contains(CpuFeatures.fullRangeInt8() ? "full-range" : "7-bit");
    }
}
