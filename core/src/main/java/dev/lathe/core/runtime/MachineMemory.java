package dev.lathe.core.runtime;

import dev.lathe.core.RuntimeFailureException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The machine's physical memory, checked before ONNX Runtime is asked to load a model whose weights could
 * not fit: a session holds every weight in memory, so loading a 27 GB model on a 23 GB machine ends with
 * the system killing the process (or thrashing), long after the work started. The check says what is
 * needed and what there is, before anything expensive runs.
 */
public final class MachineMemory {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private MachineMemory() {
    }

    /**
     * Bytes the system can give to a new allocation without swapping: {@code MemAvailable} on Linux, else
     * the free physical memory the JVM reports; empty when neither is known.
     */
    public static OptionalLong available() {
        try {
            if (Files.isReadable(MEMINFO)) {
                List<String> lines = Files.readAllLines(MEMINFO);
                for (String line : lines) {
                    if (line.startsWith("MemAvailable:")) {
                        String[] parts = line.trim().split("\\s+");
                        return OptionalLong.of(Long.parseLong(parts[1]) * 1024);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall back to the JVM's figure below
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return OptionalLong.of(os.getFreeMemorySize());
        }
        return OptionalLong.empty();
    }

    /**
     * Checks that {@code bytes} of memory are available for what {@code purpose} describes.
     *
     * @param purpose what needs the memory, naming the model (e.g. "model.onnx: validating it runs the
     *                original in ONNX Runtime")
     * @param advice  what the user can do instead, appended to the message
     * @throws RuntimeFailureException saying what is needed and what is available, when it does not fit
     */
    public static void require(String purpose, long bytes, String advice) throws RuntimeFailureException {
        OptionalLong available = available();
        if (available.isPresent() && bytes > available.getAsLong()) {
            throw new RuntimeFailureException(purpose + ", which needs at least " + gigabytes(bytes)
                    + " of memory for the weights alone; this machine has " + gigabytes(available.getAsLong())
                    + " available. " + advice, null);
        }
    }

    private static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
