package dev.lathe.core.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fuzz suite's oracle and failure files.
 *
 * <p>Oracle: an input may be rejected only with the exception types the API under test declares for bad
 * input; any other {@link Throwable} (NullPointerException, an index out of bounds, a negative array size,
 * OutOfMemoryError from a giant claimed size, StackOverflowError, a protobuf runtime exception...) is a
 * failure. The failing input is written to {@code target/fuzz-failures/<target>-<stage>-<sha256 prefix>.<ext>}
 * first, and the failure message names that file; {@link #savedInputs} finds such files again to replay them.
 */
final class Fuzz {
    private Fuzz() {
    }

    /** Code under test; may throw anything. */
    @FunctionalInterface
    interface Action {
        void run() throws Throwable;
    }

    /**
     * Runs {@code action} on a mutant. Returns normally if it completes or throws one of {@code allowed};
     * otherwise saves the mutant's bytes and throws an AssertionError naming the file, with the unexpected
     * throwable as its cause.
     *
     * @return the allowed exception thrown, or null if the action completed
     */
    static Throwable expectOnly(Mutant mutant, String stage, Action action, List<Class<? extends Throwable>> allowed) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            for (Class<? extends Throwable> type : allowed) {
                if (type.isInstance(t)) {
                    return t;
                }
            }
            Path saved = save(mutant, stage);
            throw new AssertionError(mutant.target() + " (" + stage + "): unexpected " + t.getClass().getName()
                    + " on " + mutant + "; input saved to " + saved, t);
        }
    }

    /**
     * Writes the mutant's bytes to target/fuzz-failures/, named by target, stage and content hash: a
     * {@code model.onnx} mutant failing in the footprint is saved as {@code model-footprint-<hash>.onnx}.
     */
    static Path save(Mutant mutant, String stage) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(mutant.bytes());
            String hash = HexFormat.of().formatHex(digest, 0, 8);
            Path folder = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("fuzz-failures");
            Files.createDirectories(folder);
            String target = mutant.target();
            int dot = target.lastIndexOf('.');
            Path file = folder.resolve(target.substring(0, dot) + "-" + stage + "-" + hash + target.substring(dot));
            Files.write(file, mutant.bytes());
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the failing input of " + mutant.target(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The inputs saved for {@code target} at {@code path}: the file itself or, for a folder such as
     * {@code target/fuzz-failures}, the files in it, in name order; only names that {@link #save} gives
     * inputs of that target ({@code model-*.onnx} for {@code model.onnx}).
     */
    static List<Path> savedInputs(String target, Path path) throws IOException {
        int dot = target.lastIndexOf('.');
        String prefix = target.substring(0, dot) + "-";
        String extension = target.substring(dot);
        try (Stream<Path> files = Files.isDirectory(path) ? Files.list(path) : Stream.of(path)) {
            return files.filter(file -> {
                String name = file.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(extension) && Files.isRegularFile(file);
            }).sorted().toList();
        }
    }
}
