package dev.lathe.spark.executor;

import dev.lathe.core.LatheException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open resources of this JVM (ONNX Runtime sessions, mostly), by key, shared by every task an executor
 * runs: the first task to need a model opens its session, later tasks reuse it, concurrently (sessions are
 * thread-safe). A resource in use is never closed; of those not in use, the least recently used are closed
 * when more than {@value #KEPT} are open (a pipeline asks for statistics of a new model at each pass).
 */
public final class ExecutorResources {
    /** Resources kept open at most, when not in use. */
    public static final int KEPT = 4;
    private static final Map<String, Entry> OPEN = new LinkedHashMap<>(16, 0.75f, true);

    private ExecutorResources() {
    }

    /** Opens a resource on first use. */
    @FunctionalInterface
    public interface Opener<T extends AutoCloseable> {
        /** Opens it. */
        T open() throws LatheException;
    }

    /** A resource in use; closing the lease releases it (the resource stays open for the next task). */
    public static final class Lease<T> implements AutoCloseable {
        private final String key;
        private final T resource;
        private boolean released;

        private Lease(String key, T resource) {
            this.key = key;
            this.resource = resource;
        }

        /** The resource. */
        public T get() {
            return resource;
        }

        /** Releases the resource. */
        @Override
        public void close() {
            if (!released) {
                released = true;
                release(key);
            }
        }
    }

    private static final class Entry {
        final AutoCloseable resource;
        int leases;

        Entry(AutoCloseable resource) {
            this.resource = resource;
        }
    }

    /**
     * The resource under {@code key}, opened by {@code opener} if this JVM has none yet.
     *
     * @throws LatheException what the opener throws
     */
    @SuppressWarnings("unchecked")
    public static synchronized <T extends AutoCloseable> Lease<T> acquire(String key, Opener<T> opener) throws LatheException {
        Entry entry = OPEN.get(key);
        if (entry == null) {
            entry = new Entry(opener.open());
            OPEN.put(key, entry);
        }
        entry.leases++;
        closeIdle();
        return new Lease<>(key, (T) entry.resource);
    }

    /** How many resources are open in this JVM. */
    public static synchronized int open() {
        return OPEN.size();
    }

    private static synchronized void release(String key) {
        Entry entry = OPEN.get(key);
        if (entry != null) {
            entry.leases--;
        }
        closeIdle();
    }

    private static void closeIdle() {
        Iterator<Entry> entries = OPEN.values().iterator();
        while (OPEN.size() > KEPT && entries.hasNext()) {
            Entry entry = entries.next();
            if (entry.leases == 0) {
                entries.remove();
                try {
                    entry.resource.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing an executor's ONNX Runtime session failed: " + e.getMessage(), e);
                }
            }
        }
    }
}
