package dev.lathe.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --bind DIM=VALUE}: a size for a symbolic dimension name ({@code dim_param}) of the
 * model's inputs, such as {@code sequence_length=128}.
 *
 * @param dimension the symbolic dimension name
 * @param value     its size, a non-negative integer
 */
record DimensionArgument(String dimension, long value) {
    private static final Pattern VALUE = Pattern.compile("[0-9]+");

    /** Parses {@code --bind} values strictly; the message names the value and the expected form. */
    static final class Converter implements ITypeConverter<DimensionArgument> {
        @Override
        public DimensionArgument convert(String argument) {
            int equals = argument.lastIndexOf('=');
            String value = equals < 0 ? "" : argument.substring(equals + 1);
            if (equals <= 0 || !VALUE.matcher(value).matches()) {
                throw new TypeConversionException(
                        "'" + argument + "' is not DIM=VALUE (for example sequence_length=128)");
            }
            try {
                return new DimensionArgument(argument.substring(0, equals), Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + argument + "' has a value too large for a long");
            }
        }
    }
}
