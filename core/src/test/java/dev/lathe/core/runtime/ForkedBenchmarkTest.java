package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request folders of forked benchmarks killed with their parent are cleaned up by the next run. */
class ForkedBenchmarkTest {
    @Test
    void staleRequestFoldersAreRemovedButFreshOnesAndOthersStay(@TempDir Path temp) throws Exception {
        Path stale = Files.createDirectory(temp.resolve("lathe-bench1234"));
        Files.writeString(stale.resolve("request.properties"), "inputs=0");
        Files.writeString(stale.resolve("input-0.npy"), "x");
        Path fresh = Files.createDirectory(temp.resolve("lathe-bench5678"));
        Files.writeString(fresh.resolve("request.properties"), "inputs=0");
        Path notOurs = Files.createDirectory(temp.resolve("lathe-bench-notes"));
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(notOurs, old);

        ForkedBenchmark.removeStaleFolders(temp);

        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        assertThat(notOurs).exists();
    }
}
