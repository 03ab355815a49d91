package dev.lathe.cli;

import dev.lathe.core.LatheException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Reports a failed command: an expected failure (a {@link LatheException}, an
 * {@link IllegalArgumentException} or an I/O error) as one line {@code lathe: <message>} on stderr, with the
 * stack trace only under {@code --verbose}; anything else as a bug, with its stack trace. Either way the
 * exit status is the command's exit code for execution errors (1).
 */
final class ErrorReporter implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        boolean expected = failure instanceof LatheException || failure instanceof IllegalArgumentException
                || failure instanceof IOException || failure instanceof UncheckedIOException;
        if (expected) {
            err.println("lathe: " + oneLine(message(failure)));
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
