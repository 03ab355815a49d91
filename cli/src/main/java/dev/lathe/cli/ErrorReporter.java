package dev.lathe.cli;

import dev.lathe.core.InferenceFailureException;
import dev.lathe.core.LatheException;
import dev.lathe.core.model.DimensionDefaults;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Reports a failed command: an expected failure (a {@link LatheException}, an
 * {@link IllegalArgumentException} or an I/O error) as one line {@code lathe: <message>} on stderr, with the
 * stack trace only under {@code --verbose}; anything else as a bug, with its stack trace. Either way the
 * exit status is the command's exit code for execution errors (1). When ONNX Runtime failed to run the model
 * and the command guessed input sizes ({@link GuessesInputSizes}), the line says which, and how to give them.
 */
final class ErrorReporter implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        boolean expected = failure instanceof LatheException || failure instanceof IllegalArgumentException
                || failure instanceof IOException || failure instanceof UncheckedIOException;
        if (expected) {
            err.println("lathe: " + oneLine(message(failure)) + guessedSizesHint(failure, command));
        } else {
            err.println("lathe: unexpected error (a bug in Lathe): " + failure);
        }
        boolean verbose = ((LatheCommand) command.getCommandSpec().root().userObject()).verbose();
        if (verbose || !expected) {
            failure.printStackTrace(err);
        }
        err.flush();
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    /**
     * When ONNX Runtime failed to run the model on inputs of partly guessed sizes: which sizes were guessed
     * and how to give the real ones (a model with fixed-height images, such as a text-line recognizer, fails on
     * the square default). Empty otherwise.
     */
    private static String guessedSizesHint(Exception failure, CommandLine command) {
        if (!(command.getCommandSpec().userObject() instanceof GuessesInputSizes guessing)) {
            return "";
        }
        Throwable cause = failure;
        while (cause != null && !(cause instanceof InferenceFailureException)) {
            cause = cause.getCause();
        }
        Map<String, DimensionDefaults.Choice> guessed = guessing.guessedSizes();
        if (cause == null || guessed.isEmpty()) {
            return "";
        }
        return ". These input sizes were guessed, not given: " + DimensionDefaults.describe(guessed)
                + "; if the model takes other sizes, give them with " + guessing.sizeOptions();
    }

    private static String message(Throwable failure) {
        Throwable reported = failure instanceof UncheckedIOException ? failure.getCause() : failure;
        if (reported instanceof FileSystemException fileError && fileError.getReason() == null) {
            // NoSuchFileException and friends carry only the path as their message.
            String problem = reported instanceof NoSuchFileException ? "no such file"
                    : reported instanceof AccessDeniedException ? "access denied"
                    : reported.getClass().getSimpleName();
            return fileError.getFile() + ": " + problem;
        }
        return reported.getMessage() == null ? reported.toString() : reported.getMessage();
    }

    /** A message on one line: line breaks and the blanks around them become one space. */
    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
