package dev.lathe.cli;

import dev.lathe.core.model.DimensionDefaults;
import java.util.Map;

/**
 * A command that may run a model on inputs whose sizes it partly guessed ({@link DimensionDefaults}): when
 * ONNX Runtime then fails to run the model, {@link ErrorReporter} says which sizes were guessed and which of
 * the command's options give the real ones.
 */
interface GuessesInputSizes {
    /**
     * The sizes the command guessed, keyed as {@code --bind} names the dimensions; empty when every size was
     * given or came from real data.
     */
    Map<String, DimensionDefaults.Choice> guessedSizes();

    /** The command's options that give sizes or real inputs, as the hint lists them. */
    String sizeOptions();
}
