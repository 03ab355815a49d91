package dev.lathe.core.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Peak resident set size of this process, from Linux's /proc (unavailable elsewhere): reset before a
 * measurement, read after it. Any runtime's benchmark uses it, so figures are comparable.
 */
public final class PeakMemory {
    private PeakMemory() {
    }

    /** Resets the kernel's peak-RSS counter to the current RSS; false where that is not possible. */
    public static boolean reset() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** VmHWM of /proc/self/status in bytes; -1 where unavailable. */
    public static long peakBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII);
            for (String line : lines) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
