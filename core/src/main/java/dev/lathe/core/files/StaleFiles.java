package dev.lathe.core.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a run killed mid-way (kill -9, power loss) left behind: temporary files and folders Lathe
 * names recognisably, once they are old enough that no run in progress can still own them.
 */
public final class StaleFiles {
    /** An entry older than this is left over from a killed run, not one in progress. */
    public static final Duration STALE_AFTER = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(StaleFiles.class);

    private StaleFiles() {
    }

    /**
     * Deletes the entries of {@code folder} that {@code ours} accepts and that were last modified more than
     * {@link #STALE_AFTER} ago (folders with their contents), logging each as {@code what} at WARN. A folder
     * that cannot be listed is logged at DEBUG and left alone: cleaning up never fails the caller.
     */
    public static void remove(Path folder, DirectoryStream.Filter<Path> ours, String what) {
        Instant cutoff = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ours)) {
            for (Path entry : entries) {
                if (Files.getLastModifiedTime(entry).toInstant().isBefore(cutoff)) {
                    deleteTree(entry);
                    LOG.warn("removed {}, {} an interrupted run left behind", entry, what);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not look for stale {}s in {}: {}", what, folder, e.toString());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
