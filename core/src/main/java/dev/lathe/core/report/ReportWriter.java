package dev.lathe.core.report;

import dev.lathe.core.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a report to a file in the format its extension names ({@link ReportFormat#of}), as UTF-8.
 * The file appears whole or not at all: the text goes to a temporary file in the same folder, which is
 * then renamed over the target (atomically where the file system can). Missing parent folders are created.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    /**
     * Writes {@code report} to {@code file}, replacing it if it exists.
     *
     * @throws IllegalArgumentException if the file's extension names no supported format
     * @throws IOException              if the folder or file cannot be written; no temporary file is left
     */
    public static void write(OptimizationReport report, Path file) throws IOException {
        ReportFormat format = ReportFormat.of(file);
        AtomicFiles.write(file, format.render(report).getBytes(StandardCharsets.UTF_8));
    }
}
