package dev.lathe.core.conversion;

import dev.lathe.core.LatheException;
import java.nio.file.Path;

/**
 * Opens models of another framework as {@link ImportedModel}s. Implementations live in the modules that
 * carry the framework (e.g. {@code lathe-tensorflow}) and are found with {@link java.util.ServiceLoader}
 * through {@link ModelImporters}, so {@code lathe-core} needs none of their dependencies.
 */
public interface ModelImporter {
    /** The format this importer reads, e.g. {@code TensorFlow SavedModel}. */
    String format();

    /** Whether {@code path} is a model of this format (a cheap check of names, not a full load). */
    boolean accepts(Path path);

    /**
     * Loads and converts the model.
     *
     * @throws LatheException if it cannot be loaded or converted (an unsupported op names itself)
     */
    ImportedModel open(Path path) throws LatheException;

    /**
     * Loads and converts the part of the model named {@code entryPoint} (for a SavedModel, a signature key);
     * an empty name opens the default one. Importers of formats without entry points refuse any other name.
     *
     * @throws LatheException if there is no such entry point (the message lists them), or as {@link #open(Path)}
     */
    default ImportedModel open(Path path, String entryPoint) throws LatheException {
        if (!entryPoint.isEmpty()) {
            throw new dev.lathe.core.InvalidModelException(path + ": a " + format() + " has no entry point '"
                    + entryPoint + "' to choose");
        }
        return open(path);
    }
}
