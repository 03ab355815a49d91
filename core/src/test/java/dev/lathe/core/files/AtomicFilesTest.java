package dev.lathe.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: whole content, no leftovers, permissions of an ordinary new file or of the replaced one. */
class AtomicFilesTest {

    @Test
    void newFilesAreNotPrivateAndNothingIsLeftBehind(@TempDir Path folder) throws Exception {
        Path target = folder.resolve("sub/report.json");

        AtomicFiles.write(target, "{}".getBytes());

        Path ordinary = Files.createFile(folder.resolve("ordinary"));
        assertThat(Files.readString(target)).isEqualTo("{}");
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(ordinary));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void replacedFilesKeepTheirPermissions(@TempDir Path folder) throws Exception {
        Path target = folder.resolve("model.onnx");
        Files.writeString(target, "old");
        Set<PosixFilePermission> custom = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(target, custom);

        AtomicFiles.write(target, "new".getBytes());

        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(custom);
    }

    @Test
    void temporaryFilesAKilledWriterLeftBehindAreRemovedOnTheNextWriteButFreshOnesAreNot(@TempDir Path folder)
            throws Exception {
        Path target = folder.resolve("out.onnx");
        Path stale = folder.resolve(".out.onnx.k1ll3d.tmp");
        Path fresh = folder.resolve(".out.onnx.wr1t1ng.tmp");
        Path unrelated = folder.resolve(".other.onnx.k1ll3d.tmp");
        for (Path file : List.of(stale, fresh, unrelated)) {
            Files.writeString(file, "partial");
        }
        FileTime old = FileTime.from(Instant.now().minus(StaleFiles.STALE_AFTER).minusSeconds(60));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(unrelated, old);

        AtomicFiles.write(target, new byte[] {1, 2, 3});

        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        assertThat(unrelated).exists();
        assertThat(target).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void anUnwritableTargetIsReportedByName(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("plain.txt");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> AtomicFiles.requireWritable(file.resolve("out.onnx")))
                .isInstanceOf(IOException.class).hasMessageContaining(file.resolve("out.onnx").toString());
        assertThatThrownBy(() -> AtomicFiles.requireWritable(folder))
                .isInstanceOf(IOException.class).hasMessageContaining("is a directory");
    }
}
