package dev.lathe.core.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
}
