package dev.lathe.core.conversion;

import dev.lathe.core.InvalidModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The {@link ModelImporter}s on the class path, found with {@link ServiceLoader}. */
public final class ModelImporters {
    private ModelImporters() {
    }

    /** Every importer on the class path. */
    public static List<ModelImporter> all() {
        return ServiceLoader.load(ModelImporter.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** The importer that accepts {@code path}, if any. */
    public static Optional<ModelImporter> find(Path path) {
        return all().stream().filter(importer -> importer.accepts(path)).findFirst();
    }

    /**
     * Whether {@code path} should be imported rather than loaded as ONNX: an importer accepts it, or it is a
     * TensorFlow SavedModel directory (then {@link #importerFor} explains what to add).
     */
    public static boolean isForeign(Path path) {
        return find(path).isPresent() || Files.isRegularFile(path.resolve("saved_model.pb"));
    }

    /**
     * The importer for {@code path}.
     *
     * @throws InvalidModelException naming the module to add when no importer accepts it
     */
    public static ModelImporter importerFor(Path path) throws InvalidModelException {
        Optional<ModelImporter> importer = find(path);
        if (importer.isPresent()) {
            return importer.get();
        }
        if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
            throw new InvalidModelException(path + ": a TensorFlow SavedModel; add the dev.lathe:lathe-tensorflow "
                    + "dependency to read it");
        }
        throw new InvalidModelException(path + ": no importer reads it (importers on the class path: "
                + all().stream().map(ModelImporter::format).toList() + ")");
    }
}
