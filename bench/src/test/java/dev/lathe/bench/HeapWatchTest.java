package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapWatchTest {

    @Test
    void seesAnAllocationHeldDuringTheWatch() {
        HeapWatch.Peak peak;
        byte[][] held = new byte[64][];
        try (HeapWatch watch = HeapWatch.start()) {
            for (int i = 0; i < held.length; i++) {
                held[i] = new byte[1 << 20];
            }
            peak = watch.stop();
        }

        assertThat(held[63]).hasSize(1 << 20);
        assertThat(peak.usedAboveBaseline()).isGreaterThanOrEqualTo(64L << 20);
        assertThat(peak.peakUsedBytes()).isGreaterThanOrEqualTo(peak.peakAfterGcBytes());
        assertThat(peak.baselineBytes()).isPositive();
    }
}
