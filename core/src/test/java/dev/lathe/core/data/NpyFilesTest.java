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

    /** numpyInt64() with its shape text replaced (the header stays the same length). */
    private static byte[] withShape(String shape) {
        String text = new String(numpyInt64(), StandardCharsets.ISO_8859_1);
        String replaced = text.replace("(1, 3), }", "(" + shape + "), }");
        int padding = text.length() - replaced.length();
        int newline = replaced.indexOf('\n');
        replaced = padding >= 0 ? replaced.substring(0, newline) + " ".repeat(padding) + replaced.substring(newline)
                : replaced.substring(0, newline + padding) + replaced.substring(newline);
        return replaced.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shapesThatAreNotNonNegativeIntegersAreInvalid(@TempDir Path folder) throws Exception {
        // Found by NpyFilesFuzzTest: these threw NumberFormatException, IllegalArgumentException and
        // ArithmeticException out of read().
        for (String shape : new String[] {"1, 3\u00ff", "0x3,", "99999999999999999999,", "-1, -3",
            "4611686018427387904, 4"}) {
            Path file = folder.resolve("shape.npy");
            Files.write(file, withShape(shape));
            assertThatThrownBy(() -> NpyFiles.read(file)).as(shape).isInstanceOf(InvalidModelException.class)
                    .hasMessageStartingWith(file + ": .npy shape (");
        }
    }

    @Test
    void aShapeLargerThanTheDataIsInvalidWithoutOverflow(@TempDir Path folder) throws Exception {
        // 2^61 int64 elements need 2^64 bytes: the byte count wrapped around to 0, so the message said
        // "needs 0" and a file without data was read as an array of 2^61 elements backed by no bytes.
        Path file = folder.resolve("huge.npy");
        Files.write(file, withShape("2305843009213693952,"));
        assertThatThrownBy(() -> NpyFiles.read(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("huge.npy").hasMessageContaining("24 bytes")
                .hasMessageContaining("needs at least 2305843009213693952");
        Path empty = folder.resolve("empty.npy");
        Files.write(empty, java.util.Arrays.copyOf(withShape("2305843009213693952,"), 128));
        assertThatThrownBy(() -> NpyFiles.read(empty)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("empty.npy").hasMessageContaining("0 bytes");
    }

    @Test
    void aVersion2HeaderLengthNearTheIntLimitIsTruncatedNotAnIndexError(@TempDir Path folder) throws Exception {
        // Found by NpyFilesFuzzTest: 12 + 0x7fffffff overflowed the bounds check, then new String(...) threw
        // StringIndexOutOfBoundsException.
        byte[] bytes = new byte[64];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f},
                0, bytes, 0, 12);
        Path file = folder.resolve("v2.npy");
        Files.write(file, bytes);
        assertThatThrownBy(() -> NpyFiles.read(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("v2.npy").hasMessageContaining("truncated .npy header");
    }

    @Test
    void anNpzEntryNameThatIsNotUtf8IsInvalid(@TempDir Path folder) throws Exception {
        // Found by NpyFilesFuzzTest: ZipInputStream threw IllegalArgumentException ("malformed input").
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("x.npy"));
            zip.write(numpyInt64());
        }
        byte[] archive = bytes.toByteArray();
        archive[30] = (byte) 0xff; // the first byte of the name in the local file header
        Path file = folder.resolve("names.npz");
        Files.write(file, archive);
        assertThatThrownBy(() -> NpyFiles.read(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith(file + ": not a valid .npz archive");
    }
}
