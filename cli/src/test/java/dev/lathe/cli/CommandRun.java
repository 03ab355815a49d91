package dev.lathe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One in-process run of {@code lathe} with its exit status and captured output.
 *
 * @param exitCode the exit status
 * @param out      what it printed to stdout
 * @param err      what it printed to stderr
 */
record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code lathe} with the given arguments, as {@link LatheCommand#main} would. */
    static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = LatheCommand.newCommandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
