package dev.lathe.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Watches the Java heap while a piece of work runs. The heap only grows between collections, so its peak
 * is reached just before a collection or at the end: the watch adds up the heap pools' usage before every
 * collection (from the garbage collectors' notifications), samples the heap every millisecond as a second
 * source, and reads it once more when closed. It also records the most heap still used after a
 * collection, a figure closer to the live data (and a lower bound on the true live peak).
 *
 * <p>Opening a watch runs {@link System#gc()} first, so that the baseline holds little garbage; figures are
 * reported both in total and above that baseline.
 */
public final class HeapWatch implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private final long baseline;
    private final long collectionsBefore;
    private final long startUptimeMillis;
    private final Thread sampler;
    private volatile boolean running = true;
    private boolean closed;

    private HeapWatch() {
        System.gc();
        baseline = memory.getHeapMemoryUsage().getUsed();
        peakUsed.set(baseline);
        peakAfterGc.set(baseline);
        collectionsBefore = collectionCount();
        startUptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        sampler = new Thread(this::sample, "heap-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Collects garbage, records the baseline and starts watching. */
    public static HeapWatch start() {
        return new HeapWatch();
    }

    private void sample() {
        while (running) {
            peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void onNotification(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        if (info.getGcInfo().getStartTime() < startUptimeMillis) {
            return; // the collection that opened the watch, reported late
        }
        collections.incrementAndGet();
        peakUsed.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
        peakAfterGc.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
    }

    /** The bytes used in heap pools (code cache and metaspace, which GC notifications also list, are left out). */
    private static long heapUsed(Map<String, MemoryUsage> pools) {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pools.containsKey(pool.getName())) {
                used += pools.get(pool.getName()).getUsed();
            }
        }
        return used;
    }

    /** Collections counted by the collectors since the JVM started. */
    private static long collectionCount() {
        long count = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, collector.getCollectionCount());
        }
        return count;
    }

    /** Notifications arrive on another thread: waits up to 200 ms for those of the collections counted so far. */
    private void awaitNotifications() throws InterruptedException {
        long expected = collectionCount() - collectionsBefore;
        for (int i = 0; i < 200 && collections.get() < expected; i++) {
            Thread.sleep(1);
        }
    }

    /** Stops watching and returns the figures. Closing twice returns figures of the first close. */
    public Peak stop() {
        close();
        return new Peak(baseline, peakUsed.get(), peakAfterGc.get(), collections.get());
    }

    /** Stops the sampler and unregisters from the collectors; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        running = false;
        try {
            sampler.join();
            awaitNotifications();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // Registered in the constructor; nothing to undo if the collector forgot it.
            }
        }
    }

    /**
     * What a watch saw.
     *
     * @param baselineBytes heap used after the collection that opened the watch
     * @param peakUsedBytes most heap used at any time (garbage not yet collected included)
     * @param peakAfterGcBytes most heap still used right after a collection
     * @param collections   collections during the watch
     */
    public record Peak(long baselineBytes, long peakUsedBytes, long peakAfterGcBytes, long collections) {

        /** Peak heap used above the baseline. */
        public long usedAboveBaseline() {
            return peakUsedBytes - baselineBytes;
        }

        /** Peak heap used after a collection, above the baseline. */
        public long afterGcAboveBaseline() {
            return Math.max(0, peakAfterGcBytes - baselineBytes);
        }
    }
}
