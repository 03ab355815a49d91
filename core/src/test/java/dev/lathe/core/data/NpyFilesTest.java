package dev.lathe.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.TensorData;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy files, including ones laid out byte by byte as numpy.save writes them. */
class NpyFilesTest {

    /** The bytes numpy.save writes for np.array([[1, 2, 3]], dtype=np.int64) (format 1.0). */
    private static byte[] numpyInt64() {
        String header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 3), }";
        header = header + " ".repeat(128 - 10 - header.length() - 1) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(128 + 24).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        buffer.put(header.getBytes(StandardCharsets.US_ASCII)).putLong(1).putLong(2).putLong(3);
        return buffer.array();
    }

    @Test
    void readsWhatNumpyWrites(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("input_ids.npy");
        Files.write(file, numpyInt64());

        Map<String, TensorData> read = NpyFiles.read(file);

        assertThat(read).containsOnlyKeys("input_ids");
        assertThat(read.get("input_ids").shape()).containsExactly(1, 3);
        assertThat(read.get("input_ids").toLongArray()).containsExactly(1, 2, 3);
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path folder) throws Exception {
        TensorData[] tensors = {TensorData.ofFloats(new long[] {2, 2}, 1, -2, 3.5f, 0), TensorData.ofLongs(new long[] {3}, 7, 8, 9),
            TensorData.ofFloats(new long[0], 42), TensorData.ofBooleans(new long[] {2}, true, false)};
        for (int i = 0; i < tensors.length; i++) {
            Path file = folder.resolve("t" + i + ".npy");
            NpyFiles.write(tensors[i], file);
            assertThat(NpyFiles.read(file).get("t" + i)).isEqualTo(tensors[i]);
        }
    }

    @Test
    void readsNpzArchivesByEntryName(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("inputs.npz");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("input_ids.npy"));
            zip.write(numpyInt64());
            zip.putNextEntry(new ZipEntry("attention_mask.npy"));
            zip.write(numpyInt64());
        }
        Files.write(file, bytes.toByteArray());

        assertThat(NpyFiles.read(file)).containsOnlyKeys("input_ids", "attention_mask");
    }

    @Test
    void badFilesNameTheFileAndTheProblem(@TempDir Path folder) throws Exception {
        Path garbage = folder.resolve("garbage.npy");
        Files.writeString(garbage, "not numpy at all");
        assertThatThrownBy(() -> NpyFiles.read(garbage)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("garbage.npy").hasMessageContaining("magic");

        byte[] valid = numpyInt64();
        Path truncated = folder.resolve("truncated.npy");
        Files.write(truncated, java.util.Arrays.copyOf(valid, valid.length - 8));
        assertThatThrownBy(() -> NpyFiles.read(truncated)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("truncated.npy").hasMessageContaining("needs 24");

        Path fortran = folder.resolve("fortran.npy");
        Files.write(fortran, new String(valid, StandardCharsets.ISO_8859_1).replace("False", "True ")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> NpyFiles.read(fortran)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("Fortran");

        Path strings = folder.resolve("strings.npy");
        Files.write(strings, new String(valid, StandardCharsets.ISO_8859_1).replace("<i8", "<U8")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> NpyFiles.read(strings)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("'<U8'");
    }
}
