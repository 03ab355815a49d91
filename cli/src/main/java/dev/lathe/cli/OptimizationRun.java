package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.ValidationFailedException;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.ReportJson;
import dev.lathe.core.report.ReportWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * One pipeline run as {@code lathe optimize} and {@code lathe demo} show it: runs the pipeline, writes each
 * report file in the format its extension names, prints the report on stdout (the
 * {@link OptimizationTable}, or {@link ReportJson} with {@code json}) and returns the exit status. When the validation gate
 * fails, the report is still printed and written, so that the user sees why, and the status is
 * {@link #VALIDATION_FAILED} with one line on stderr saying that nothing was written.
 */
final class OptimizationRun {
    /** The exit status when the optimized model failed validation and was not written. */
    static final int VALIDATION_FAILED = 3;

    private OptimizationRun() {
    }

    /**
     * Runs {@code pipeline} on {@code input} (or on {@code imported}, the model of another framework that
     * {@code input} was converted from), writing the optimized model to {@code output}, and reports.
     *
     * @param reports the report files to write (.json, .md or .html)
     * @param json    whether stdout gets the JSON report instead of the table
     * @param command the command line whose stdout and stderr are used
     * @return 0, or {@link #VALIDATION_FAILED}
     * @throws LatheException if the model is invalid, a pass fails or the runtime fails
     * @throws IOException    if the model or a report cannot be written
     */
    static int execute(Pipeline pipeline, OnnxModel input, Optional<ImportedModel> imported, Path output,
            List<Path> reports, boolean json, CommandLine command) throws LatheException, IOException {
        OptimizationReport report;
        String failure = null;
        try {
            report = (imported.isPresent() ? pipeline.run(imported.get(), output) : pipeline.run(input, output)).report();
        } catch (ValidationFailedException e) {
            report = e.report();
            failure = e.getMessage();
        }
        for (Path file : reports) {
            ReportWriter.write(report, file);
        }
        PrintWriter out = command.getOut();
        out.print(json ? ReportJson.render(report) : OptimizationTable.render(report, reports));
        out.flush();
        if (failure == null) {
            return 0;
        }
        PrintWriter err = command.getErr();
        err.println("lathe: " + ErrorReporter.oneLine(failure));
        err.flush();
        return VALIDATION_FAILED;
    }
}
