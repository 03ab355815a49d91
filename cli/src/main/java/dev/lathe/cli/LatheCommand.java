package dev.lathe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code lathe} command: the entry point of the CLI, holding the subcommands ({@code inspect},
 * {@code providers}, {@code bench}, {@code compare}, {@code optimize}, {@code demo}) and the options every subcommand shares.
 * Create it with {@link #newCommandLine()}, which installs Lathe's error reporting.
 */
@Command(name = "lathe",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = LatheCommand.ManifestVersion.class,
        description = "Makes ONNX models cheaper to run, and shows their compute footprint.",
        subcommands = {InspectCommand.class, ProvidersCommand.class, BenchCommand.class, CompareCommand.class,
                OptimizeCommand.class, DemoCommand.class})
public final class LatheCommand {

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print the stack trace of an error, not just its message.")
    private boolean verbose;

    /** Creates the command; use {@link #newCommandLine()} to run it. */
    public LatheCommand() {
        // Instantiated by picocli and by newCommandLine().
    }

    /** Whether the user asked for stack traces with {@code --verbose}. */
    public boolean verbose() {
        return verbose;
    }

    /**
     * A command line for {@code lathe} with its error handlers installed: usage errors exit with 2,
     * failures of a command exit with 1 and print one line ({@code lathe: <message>}) to stderr.
     */
    public static CommandLine newCommandLine() {
        return new CommandLine(new LatheCommand())
                .setParameterExceptionHandler(new UsageErrorReporter())
                .setExecutionExceptionHandler(new ErrorReporter());
    }

    /** Runs {@code lathe} with the given arguments and exits with its status. */
    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** Reads the version from the jar manifest (empty when run from classes, as in tests). */
    static final class ManifestVersion implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = LatheCommand.class.getPackage().getImplementationVersion();
            return new String[] {"lathe " + (version == null ? "(development build)" : version)};
        }
    }
}
