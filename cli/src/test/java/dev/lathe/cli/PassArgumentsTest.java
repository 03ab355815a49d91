package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.pipeline.Pass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.TypeConversionException;

class PassArgumentsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "int8|quantize.int8",
        "int4:block=32,sym|quantize.int4:block=32,sym",
        " fp16 |quantize.fp16"})
    void quantizeNamesTheQuantizePass(String mode, String spec) {
        assertThat(PassArguments.quantizeSpec(mode)).isEqualTo(spec);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "magnitude|prune.magnitude",
        "magnitude:|prune.magnitude",
        "magnitude:0.5|prune.magnitude:sparsity=0.5",
        "magnitude:-1|prune.magnitude:sparsity=-1",
        "wanda:.5,global|prune.wanda:sparsity=.5,global",
        "structured:0.25,exclude=head|prune.structured:sparsity=0.25,exclude=head",
        "magnitude:sparsity=0.7|prune.magnitude:sparsity=0.7",
        "2:4|prune.nm:n=2,m=4",
        "2:4,wanda|prune.nm:n=2,m=4,wanda"})
    void pruneNamesThePrunePassWithABareNumberAsTheSparsity(String argument, String spec) {
        assertThat(PassArguments.pruneSpec(argument)).isEqualTo(spec);
    }

    @Test
    void passConverterCreatesARegisteredPassWithItsOptions() {
        Pass pass = new PassArguments.PassConverter().convert("cleanup:fold=false");

        assertThat(pass.name()).isEqualTo("cleanup");
        assertThat(pass.options()).containsEntry("fold", "false");
    }

    @Test
    void badOptionsOfAKnownPassAreRejectedWithTheRegistryMessage() {
        assertThatThrownBy(() -> new PassArguments.PassConverter().convert("cleanup:speed=11"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("unknown option 'speed' of pass cleanup");
    }

    @Test
    void aNegativeSparsityIsJudgedAsASparsityNotAsAnUnknownOption() {
        assertThatThrownBy(() -> new PassArguments.PruneConverter().convert("magnitude:-1"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("sparsity")
                .hasMessageNotContaining("unknown option");
    }
}
