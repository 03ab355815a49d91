package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class ArgumentConvertersTest {

    @Test
    void shapeParsesNameAndDimensions() {
        InputShapeArgument shape = new InputShapeArgument.Converter().convert("input_ids=1x128");

        assertThat(shape.input()).isEqualTo("input_ids");
        assertThat(shape.shape()).containsExactly(1, 128);
    }

    @Test
    void shapeNameMayContainPunctuation() {
        assertThat(new InputShapeArgument.Converter().convert("serving:0=3").input()).isEqualTo("serving:0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "=1x2", "a=", "a=1x", "a=x1", "a=1xx2", "a=-1", "a=1,2", "a=1 x2",
            "a=99999999999999999999"})
    void malformedShapesAreRejectedWithTheValue(String value) {
        assertThatThrownBy(() -> new InputShapeArgument.Converter().convert(value))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + value + "'");
    }

    @Test
    void bindParsesDimensionAndValue() {
        DimensionArgument dimension = new DimensionArgument.Converter().convert("sequence_length=128");

        assertThat(dimension).isEqualTo(new DimensionArgument("sequence_length", 128));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "batch", "=1", "batch=", "batch=-1", "batch=1x2", "batch=one"})
    void malformedBindingsAreRejectedWithTheValue(String value) {
        assertThatThrownBy(() -> new DimensionArgument.Converter().convert(value))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + value + "'");
    }
}
