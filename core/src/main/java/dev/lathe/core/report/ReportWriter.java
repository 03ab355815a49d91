package dev.lathe.core.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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
        byte[] bytes = format.render(report).getBytes(StandardCharsets.UTF_8);
        Path target = file.toAbsolutePath().normalize();
        Path folder = target.getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
