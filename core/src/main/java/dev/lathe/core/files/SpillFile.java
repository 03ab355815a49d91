package dev.lathe.core.files;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Scratch space off the Java heap for results too large to hold there (the quantized weights of a model
 * with billions of parameters): regions of a temporary file, memory-mapped for writing and then read
 * through the same mapping. The file is unlinked as soon as it is created where the system allows it
 * (Linux, macOS), so nothing is left behind even if the process dies; its disk space is freed when the
 * last region is garbage-collected. Elsewhere it is deleted when the JVM exits. Regions stay valid after
 * {@link #close()}, which only releases the file handle. Not thread-safe.
 */
public final class SpillFile implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final boolean unlinked;
    private long end;

    private SpillFile(Path file, FileChannel channel, boolean unlinked) {
        this.file = file;
        this.channel = channel;
        this.unlinked = unlinked;
    }

    /**
     * A new spill file in {@code folder} (the system's temporary folder when null), named after
     * {@code purpose}.
     *
     * @throws IOException if the file cannot be created
     */
    public static SpillFile create(Path folder, String purpose) throws IOException {
        String prefix = "lathe-" + purpose.replaceAll("[^A-Za-z0-9.-]", "_") + "-";
        Path file = folder == null ? Files.createTempFile(prefix, ".spill") : Files.createTempFile(folder, prefix, ".spill");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        boolean unlinked;
        try {
            Files.delete(file);
            unlinked = true;
        } catch (IOException e) {
            // Windows cannot delete an open file: delete it when the JVM exits instead.
            file.toFile().deleteOnExit();
            unlinked = false;
        }
        return new SpillFile(file, channel, unlinked);
    }

    /**
     * A new zero-filled region of {@code bytes} bytes, little-endian, positioned at 0, mapped for reading
     * and writing.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative or over 2 GiB (one mapping's limit)
     * @throws IOException              if the disk is full or the mapping fails; the message names the file
     *                                  and the size asked for
     */
    public MappedByteBuffer allocate(long bytes) throws IOException {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a spill region holds 0 to 2 GiB, not " + bytes + " bytes");
        }
        long start = end;
        try {
            MappedByteBuffer region = channel.map(FileChannel.MapMode.READ_WRITE, start, Math.max(1, bytes));
            end = start + bytes;
            region.limit((int) bytes);
            region.order(ByteOrder.LITTLE_ENDIAN);
            return region;
        } catch (IOException e) {
            throw new IOException("cannot spill " + bytes + " bytes to " + file + (unlinked ? " (unlinked)" : "")
                    + " after " + end + " bytes: " + e.getMessage(), e);
        }
    }

    /** Bytes allocated so far. */
    public long size() {
        return end;
    }

    /** Releases the file handle; regions handed out stay readable and writable. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
