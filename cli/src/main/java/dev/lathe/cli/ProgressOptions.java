package dev.lathe.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The option of the commands that show progress on stderr while they work ({@code --quiet} silences it),
 * and the {@link ProgressPrinter} it gives.
 */
final class ProgressOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Show no progress or notes on stderr (errors are still reported).")
    private boolean quiet;

    /** Whether progress and notes are silenced. */
    boolean quiet() {
        return quiet;
    }

    /** A progress printer on the command's stderr; close it when the work is done. */
    ProgressPrinter printer() {
        return ProgressPrinter.forStderr(spec.commandLine().getErr(), quiet);
    }
}
