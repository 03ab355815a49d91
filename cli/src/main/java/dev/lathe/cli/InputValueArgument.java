package dev.lathe.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --value NAME=V[,V...]}: the values of a small integer input, such as a sample rate
 * ({@code sr=16000}), so that what depends on them is known statically and generated inputs hold them.
 *
 * @param input  the input name
 * @param values its values, in row-major order
 */
record InputValueArgument(String input, long[] values) {
    private static final Pattern VALUES = Pattern.compile("-?[0-9]+(,-?[0-9]+)*");

    /** Parses {@code --value} strictly; the message names the argument and the expected form. */
    static final class Converter implements ITypeConverter<InputValueArgument> {
        @Override
        public InputValueArgument convert(String argument) {
            int equals = argument.indexOf('=');
            String values = equals < 0 ? "" : argument.substring(equals + 1);
            if (equals <= 0 || !VALUES.matcher(values).matches()) {
                throw new TypeConversionException("'" + argument + "' is not NAME=V[,V...] (for example sr=16000)");
            }
            try {
                String[] parts = values.split(",");
                long[] parsed = new long[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    parsed[i] = Long.parseLong(parts[i]);
                }
                return new InputValueArgument(argument.substring(0, equals), parsed);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + argument + "' has a value too large for a long");
            }
        }
    }
}
