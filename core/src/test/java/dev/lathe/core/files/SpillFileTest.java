package dev.lathe.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regions of a spill file: written and read through their mapping, left nothing behind. */
class SpillFileTest {
    @TempDir
    Path folder;

    @Test
    void regionsHoldWhatWasWrittenAfterTheFileIsClosedAndLeaveNoFile() throws Exception {
        ByteBuffer first;
        ByteBuffer second;
        try (SpillFile spill = SpillFile.create(folder, "test weights")) {
            first = spill.allocate(12);
            second = spill.allocate(5000);
            first.putFloat(0, 1.5f).putFloat(4, -2f).putInt(8, 7);
            for (int i = 0; i < 5000; i++) {
                second.put(i, (byte) i);
            }
            assertThat(spill.size()).isEqualTo(5012);
            assertThat(first.limit()).isEqualTo(12);
        }
        assertThat(first.getFloat(0)).isEqualTo(1.5f);
        assertThat(first.getFloat(4)).isEqualTo(-2f);
        assertThat(first.getInt(8)).isEqualTo(7);
        for (int i = 0; i < 5000; i++) {
            assertThat(second.get(i)).isEqualTo((byte) i);
        }
        try (Stream<Path> left = Files.list(folder)) {
            assertThat(left).as("an unlinked spill file").isEmpty();
        }
    }

    @Test
    void regionsOverOneMappingsLimitAreRefused() throws Exception {
        try (SpillFile spill = SpillFile.create(folder, "big")) {
            assertThatThrownBy(() -> spill.allocate(3L << 30)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2 GiB");
            assertThat(spill.allocate(0).limit()).isZero();
        }
    }
}
