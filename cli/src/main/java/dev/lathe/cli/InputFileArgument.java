package dev.lathe.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --input}: {@code NAME=FILE} gives the model input NAME the array in FILE (a
 * {@code .npy}, or a {@code .npz} holding one array or one named NAME); a bare {@code FILE.npz} or
 * {@code FILE.npy} gives every array it holds to the input of the same name (a {@code .npy} is named
 * after its file).
 *
 * @param input the model input the file is for; empty when the file's array names say it
 * @param file  the NumPy file
 */
record InputFileArgument(Optional<String> input, Path file) {

    /** Parses {@code --input} values; the message names the value and the expected forms. */
    static final class Converter implements ITypeConverter<InputFileArgument> {
        @Override
        public InputFileArgument convert(String value) {
            int equals = value.indexOf('=');
            String file = equals < 0 ? value : value.substring(equals + 1);
            String lower = file.toLowerCase(Locale.ROOT);
            if (equals == 0 || !(lower.endsWith(".npy") || lower.endsWith(".npz"))) {
                throw new TypeConversionException("'" + value + "' is not NAME=FILE.npy, NAME=FILE.npz, FILE.npz "
                        + "or FILE.npy (for example input_ids=ids.npy)");
            }
            try {
                return new InputFileArgument(equals < 0 ? Optional.empty() : Optional.of(value.substring(0, equals)),
                        Path.of(file));
            } catch (InvalidPathException e) {
                throw new TypeConversionException("'" + value + "' names an invalid path: " + e.getMessage());
            }
        }
    }
}
