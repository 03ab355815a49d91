package dev.lathe.core.pipeline;

import dev.lathe.core.PassFailedException;
import java.util.Locale;

/**
 * The Java heap a step may use, checked before the step's expensive work starts, so that a model too big
 * for the JVM's limit ({@code -Xmx}) gets a clear error saying how much is needed instead of an
 * {@link OutOfMemoryError} halfway through.
 */
public final class HeapBudget {
    private HeapBudget() {
    }

    /** Heap the JVM may still use: its limit minus what is in use now. */
    public static long available() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    }

    /**
     * Checks that {@code bytes} of heap are available for {@code step} (collecting garbage once before
     * giving up).
     *
     * @throws PassFailedException naming the step, what it needs and what the JVM has
     */
    public static void require(String step, long bytes) throws PassFailedException {
        if (bytes <= available()) {
            return;
        }
        System.gc();
        long available = available();
        if (bytes > available) {
            throw new PassFailedException(step + " needs about " + megabytes(bytes) + " of Java heap and "
                    + megabytes(available) + " of the JVM's " + megabytes(Runtime.getRuntime().maxMemory())
                    + " are free: raise the limit (-Xmx, e.g. JAVA_OPTS=-Xmx" + suggestedGigabytes(bytes) + "g for lathe)");
        }
    }

    /**
     * The error for a step that ran out of heap anyway: what the JVM's limit was and how to raise it.
     */
    static PassFailedException exhausted(String step, OutOfMemoryError error) {
        return new PassFailedException(step + " ran out of Java heap (" + error.getMessage() + "; the JVM's limit is "
                + megabytes(Runtime.getRuntime().maxMemory()) + "): raise it with -Xmx (JAVA_OPTS for lathe)", error);
    }

    /** Bytes as mebibytes, for messages. */
    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes >> 20);
    }

    private static long suggestedGigabytes(long bytes) {
        long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        return Math.max(1, (bytes + used + (1L << 30) - 1) >> 30);
    }
}
