package dev.lathe.core.fuzz;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.model.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link NpyFiles#read} on {@code .npy} files written by {@link NpyFiles#write} (every supported
 * dtype, scalars, empty and multi-dimensional shapes; one also in format version 2.0) and on {@code .npz} archives of them, mutated at the
 * byte level, in the header length, in the header text (dtype, shape, fortran_order, punctuation, numbers that overflow) and, for
 * archives, in their entries (mutated arrays, odd entry names, stored or deflated).
 *
 * <p>Oracle: {@link NpyFiles#read} may fail only with {@link InvalidModelException} or {@link IOException}
 * (a corrupt zip is a {@link java.util.zip.ZipException}). Anything else fails the test, and the input
 * is saved as {@code core/target/fuzz-failures/array-read-<hash>.npy} or {@code archive-read-<hash>.npz};
 * replay it with {@code NpyFiles.read(file)} or {@code -Dlathe.fuzz.replay=FILE}.
 *
 * <p>Budget: a fixed seed and a short run; {@code -Dlathe.fuzz.tries=100000} for a long one (see {@link Campaign}).
 */
class NpyFilesFuzzTest {
    private static final List<Class<? extends Throwable>> ALLOWED = List.of(InvalidModelException.class, IOException.class);
    private static final Map<String, byte[]> ARRAYS = arrays();
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2020, 1, 1, 0, 0);
    private static final List<String> HEADER_TOKENS = List.of("'<f4'", "'>f4'", "'<f8'", "'|b1'", "'|O'", "'<U5'",
            "'<c8'", "''", "True", "False", "None", "(", ")", ",", "()", "(1,)", "(-1,)", "(0,)", "(,)", "(1,,2)",
            "(99999999999999999999,)", "(2147483647, 2147483647)", "(4611686018427387904, 4)", "(1e3,)", "(0x10,)",
            "'shape'", "'descr'", "'fortran_order'", "{", "}", ":", "'", "", " ", "\n", "\u00e9");
    private static final List<String> ENTRY_NAMES = List.of("x.npy", "y.npy", ".npy", "x", "dir/x.npy", "../x.npy",
            "x.NPY", "\u00e9.npy", "a b.npy");

    private static Map<String, byte[]> arrays() {
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("float32[2,3]", npy(TensorData.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6)));
        arrays.put("float64[2]", npy(TensorData.ofDoubles(new long[] {2}, 0.5, -1)));
        arrays.put("float16[3]", npy(TensorData.ofFloat16(new long[] {3}, 1, 2, 3)));
        arrays.put("int64[1,4]", npy(TensorData.ofLongs(new long[] {1, 4}, 1, 2, 3, Long.MAX_VALUE)));
        arrays.put("int32[]", npy(TensorData.ofInts(new long[0], 7)));
        arrays.put("bool[2,1,2]", npy(TensorData.ofBooleans(new long[] {2, 1, 2}, true, false, true, true)));
        arrays.put("float32[0,3]", npy(TensorData.ofFloats(new long[] {0, 3})));
        arrays.put("int8[5]", npy(TensorData.ofSmallValues(dev.lathe.core.model.DataType.INT8, new long[] {5}, 1, -2, 3, -4, 5)));
        arrays.put("uint8[2,2]", npy(TensorData.ofSmallValues(dev.lathe.core.model.DataType.UINT8, new long[] {2, 2}, 0, 255, 1, 2)));
        arrays.put("int16[3]", npy(TensorData.ofSmallValues(dev.lathe.core.model.DataType.INT16, new long[] {3}, -1, 0, 1)));
        arrays.put("float32[2,3] v2.0", version2(arrays.get("float32[2,3]")));
        return arrays;
    }

    /**
     * The same array in format version 2.0, whose header length is 4 bytes instead of 2 (NumPy writes it
     * when a header outgrows 65535 bytes).
     */
    private static byte[] version2(byte[] version1) {
        int headerLength = (version1[8] & 0xff) | (version1[9] & 0xff) << 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(version1, 0, 6);
        out.write(new byte[] {2, 0, (byte) headerLength, (byte) (headerLength >> 8), 0, 0}, 0, 6);
        out.write(version1, 10, version1.length - 10);
        return out.toByteArray();
    }

    private static byte[] npy(TensorData tensor) {
        try {
            Path file = Files.createTempFile("lathe-fuzz-seed", ".npy");
            try {
                NpyFiles.write(tensor, file);
                return Files.readAllBytes(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A zip of the given entries, each stored (uncompressed) or deflated, with a fixed modification time so that
     * the same seed gives the same bytes.
     */
    private static byte[] zip(List<String> names, List<byte[]> contents, boolean stored) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            java.util.Set<String> written = new java.util.HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                if (!written.add(names.get(i))) {
                    continue;
                }
                ZipEntry entry = new ZipEntry(names.get(i));
                entry.setTimeLocal(ENTRY_TIME);
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(contents.get(i));
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(contents.get(i).length);
                    entry.setCompressedSize(contents.get(i).length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(contents.get(i));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Gen<Mutation> npyMutation() {
        return Gen.weighted(4, Mutations.bytes(), 4, Mutations.text(HEADER_TOKENS),
                1, Mutations.interestingLong().map(Mutation.NpyHeaderLength::new));
    }

    /**
     * Archives: 1 to 3 entries, each a seed array with 0 to 2 mutations, under names that may be odd; stored
     * or deflated; then 0 to 2 byte-level mutations of the zip itself.
     */
    private static Gen<Mutant> archives() {
        Gen<Mutant> entry = Mutations.mutants("array.npy", ARRAYS, npyMutation(), 2);
        Gen<Mutant> unchanged = Gen.of(List.copyOf(ARRAYS.keySet()))
                .map(seed -> Mutant.of("array.npy", seed, ARRAYS.get(seed), List.of()));
        Gen<List<Mutant>> entries = Gen.weighted(1, entry, 1, unchanged).list(1, 3);
        Gen<List<String>> names = Gen.of(ENTRY_NAMES).list(3, 3);
        Gen<Boolean> stored = Gen.of(List.of(true, false));
        Gen<List<Mutation>> zipMutations = Mutations.bytes().list(0, 2);
        return r -> {
            List<Mutant> arrays = entries.next(r);
            List<String> entryNames = names.next(r).subList(0, arrays.size());
            boolean isStored = stored.next(r);
            byte[] zip = zip(entryNames, arrays.stream().map(Mutant::bytes).toList(), isStored);
            String seed = (isStored ? "stored" : "deflated") + " zip of " + arrays + " named " + entryNames;
            return Mutant.of("archive.npz", seed, zip, zipMutations.next(r));
        };
    }

    @Test
    void mutatedNpyFilesReadOrFailWithInvalidModelException() throws IOException {
        new Campaign("array.npy", 1307, 15_000).run(Mutations.mutants("array.npy", ARRAYS, npyMutation(), 3),
                mutant -> check(mutant, ".npy"));
    }

    @Test
    void mutatedNpzArchivesReadOrFailWithInvalidModelException() throws IOException {
        new Campaign("archive.npz", 1308, 12_000).run(archives(), mutant -> check(mutant, ".npz"));
    }

    /** Reads the mutant from a file; the outcome is "reads" or the exception's simple name. */
    private static String check(Mutant mutant, String suffix) throws IOException {
        Path file = Files.createTempFile("lathe-fuzz", suffix);
        try {
            Files.write(file, mutant.bytes());
            Throwable rejected = Fuzz.expectOnly(mutant, "read", () -> NpyFiles.read(file), ALLOWED);
            return rejected == null ? "reads" : rejected.getClass().getSimpleName();
        } finally {
            Files.delete(file);
        }
    }
}
