package dev.lathe.core.files;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;

/**
 * Writing files so that readers see the old content or the new, never a partial one: content goes to a
 * temporary file in the target's folder, which is then renamed over the target.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /**
     * A new empty temporary file in the folder of {@code target} (created if missing), named after it. It
     * gets the target's permissions when the target exists, else the usual ones for new files (the umask
     * applies), so that the renamed result is not private the way {@code Files.createTempFile} files are.
     */
    public static Path temporarySibling(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        removeStaleSiblings(absolute);
        for (int attempt = 0; ; attempt++) {
            Path temporary = absolute.resolveSibling("." + absolute.getFileName() + "." + Long.toUnsignedString(
                    RANDOM.nextLong(), 36) + ".tmp");
            try {
                Files.createFile(temporary);
            } catch (FileAlreadyExistsException e) {
                if (attempt < 100) {
                    continue;
                }
                throw e;
            }
            copyPermissions(absolute, temporary);
            return temporary;
        }
    }

    /** Deletes temporary siblings of {@code target} ({@code .NAME.<random>.tmp}) that a killed writer left behind. */
    static void removeStaleSiblings(Path target) {
        String prefix = "." + target.getFileName() + ".";
        StaleFiles.remove(target.getParent(), entry -> entry.getFileName().toString().startsWith(prefix)
                && entry.getFileName().toString().endsWith(".tmp"), "a temporary file");
    }

    /**
     * Checks, before any long work, that {@code target} can be written, without leaving anything behind: a
     * file can be created in its folder, or, when the folder does not exist yet, its nearest existing
     * ancestor is a writable directory.
     *
     * @throws IOException naming {@code target} and why it cannot be written
     */
    public static void requireWritable(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + ": is a directory; name a file to write");
        }
        Path folder = absolute.getParent();
        if (Files.isDirectory(folder)) {
            try {
                Files.deleteIfExists(temporarySibling(absolute));
            } catch (IOException e) {
                throw new IOException(target + ": cannot be written (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + ")", e);
            }
            return;
        }
        Path ancestor = folder;
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
            throw new IOException(target + ": cannot be written: " + (ancestor == null ? "no folder above it exists"
                    : ancestor + (Files.isDirectory(ancestor) ? " is not writable" : " is a file, not a folder")));
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        if (Files.exists(from) && Files.getFileStore(to).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        }
    }

    /** Renames {@code temporary} over {@code target}: atomically where the file system can, else by a plain move. */
    public static void replace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code bytes} to {@code target} atomically; no temporary file is left behind on failure. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path temporary = temporarySibling(target);
        try {
            Files.write(temporary, bytes);
            replace(temporary, target.toAbsolutePath().normalize());
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
