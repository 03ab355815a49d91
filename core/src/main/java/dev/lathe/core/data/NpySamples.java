package dev.lathe.core.data;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Samples saved with NumPy: a {@code .npz} file is one sample (one array per model input, named after
 * the input), a {@code .npy} file is one sample of a single-input model (the input named after the file),
 * and a folder holds one sample per {@code .npz} file and per sub-folder of {@code NAME.npy} files, in
 * the order of their names. Files are read only when a sample is reached, one at a time.
 */
public final class NpySamples implements SampleSource {
    private final Path location;
    private final List<Path> entries;

    private NpySamples(Path location, List<Path> entries) {
        this.location = location;
        this.entries = entries;
    }

    /**
     * The samples of an {@code .npz}/{@code .npy} file or of a folder of them.
     *
     * @throws IOException              if the location cannot be listed
     * @throws IllegalArgumentException if it does not exist, is neither kind of file, or is a folder with
     *                                  no samples (the message names it)
     */
    public static NpySamples open(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            List<Path> entries;
            try (Stream<Path> children = Files.list(location)) {
                entries = children.filter(child -> isArrayFile(child) || Files.isDirectory(child) && holdsNpy(child))
                        .sorted().toList();
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException(location + ": the folder holds no .npz or .npy samples");
            }
            return new NpySamples(location, entries);
        }
        if (!Files.exists(location)) {
            throw new IllegalArgumentException(location + ": no such file or folder");
        }
        if (!isArrayFile(location)) {
            throw new IllegalArgumentException(location + ": not a NumPy sample (.npz, .npy or a folder of them)");
        }
        return new NpySamples(location, List.of(location));
    }

    /** Whether a path names a {@code .npz} or {@code .npy} file. */
    public static boolean isArrayFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path) && (name.endsWith(".npz") || name.endsWith(".npy"));
    }

    private static boolean holdsNpy(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.anyMatch(NpySamples::isArrayFile);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String description() {
        return location + " (" + entries.size() + (entries.size() == 1 ? " sample)" : " samples)");
    }

    @Override
    public OptionalLong sizeHint() {
        return OptionalLong.of(entries.size());
    }

    /**
     * Reads the samples one by one.
     *
     * @throws UncheckedIOException          from {@code next()} when a file cannot be read
     * @throws IllegalArgumentException      from {@code next()} when a file is not a valid array (wrapping
     *                                       the {@link InvalidModelException} that names it)
     */
    @Override
    public Iterator<Map<String, TensorData>> iterator() {
        Iterator<Path> files = entries.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return files.hasNext();
            }

            @Override
            public Map<String, TensorData> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return read(files.next());
            }
        };
    }

    private static Map<String, TensorData> read(Path entry) {
        try {
            if (!Files.isDirectory(entry)) {
                return NpyFiles.read(entry);
            }
            Map<String, TensorData> sample = new LinkedHashMap<>();
            try (Stream<Path> children = Files.list(entry)) {
                for (Path file : children.filter(NpySamples::isArrayFile).sorted().toList()) {
                    sample.putAll(NpyFiles.read(file));
                }
            }
            return sample;
        } catch (IOException e) {
            throw new UncheckedIOException(entry + ": " + e.getMessage(), e);
        } catch (InvalidModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
