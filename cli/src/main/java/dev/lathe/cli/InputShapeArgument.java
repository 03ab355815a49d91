package dev.lathe.cli;

import java.util.Arrays;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --shape NAME=D0xD1x...}: the full shape of one model input, such as
 * {@code input_ids=1x128}. Dimensions are non-negative integers separated by {@code x}.
 *
 * @param input the input's name
 * @param shape its dimensions
 */
record InputShapeArgument(String input, long[] shape) {
    private static final Pattern DIMENSIONS = Pattern.compile("[0-9]+(x[0-9]+)*");

    /** Copies the shape so that the argument stays immutable. */
    InputShapeArgument {
        shape = shape.clone();
    }

    /** The dimensions (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Parses {@code --shape} values strictly; the message names the value and the expected form. */
    static final class Converter implements ITypeConverter<InputShapeArgument> {
        @Override
        public InputShapeArgument convert(String value) {
            int equals = value.lastIndexOf('=');
            String dimensions = equals < 0 ? "" : value.substring(equals + 1);
            if (equals <= 0 || !DIMENSIONS.matcher(dimensions).matches()) {
                throw new TypeConversionException(
                        "'" + value + "' is not NAME=D0xD1x... (for example input_ids=1x128)");
            }
            try {
                long[] shape = Arrays.stream(dimensions.split("x")).mapToLong(Long::parseLong).toArray();
                return new InputShapeArgument(value.substring(0, equals), shape);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' has a dimension too large for a long");
            }
        }
    }
}
