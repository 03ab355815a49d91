package dev.lathe.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary folders the runtime creates for ONNX Runtime (model copies, profiles, benchmark requests). */
final class TempFolders {
    private TempFolders() {
    }

    /** Deletes a folder and everything in it; a leftover temporary file is logged, not fatal. */
    static void delete(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(TempFolders.class).debug("cannot delete {}: {}", folder, e.getMessage());
        }
    }
}
