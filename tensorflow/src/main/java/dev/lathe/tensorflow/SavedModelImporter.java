package dev.lathe.tensorflow;

import dev.lathe.core.LatheException;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.conversion.ModelImporter;
import java.nio.file.Path;

/**
 * Opens TensorFlow SavedModel directories as {@link ImportedModel}s: loaded in TensorFlow Java and
 * converted to ONNX ({@link dev.lathe.tensorflow.convert.OnnxConverter}). Registered for
 * {@link java.util.ServiceLoader}, so {@code lathe optimize saved_model_dir ...} and
 * {@link dev.lathe.core.conversion.ModelImporters} find it when this module is on the class path.
 */
public final class SavedModelImporter implements ModelImporter {
    /** The importer ServiceLoader creates. */
    public SavedModelImporter() {
    }

    @Override
    public String format() {
        return "TensorFlow SavedModel";
    }

    @Override
    public boolean accepts(Path path) {
        return SavedModel.isSavedModel(path);
    }

    /** Opens the serving signature ({@value SavedModel#DEFAULT_SIGNATURE}, or the only one). */
    @Override
    public ImportedModel open(Path path) throws LatheException {
        return ImportedSavedModel.open(path, null);
    }

    /**
     * Opens the signature with this key (the serving one when empty).
     *
     * @throws LatheException if there is no such signature (the message lists the keys), or the model cannot
     *                        be loaded
     */
    @Override
    public ImportedModel open(Path path, String signatureKey) throws LatheException {
        return ImportedSavedModel.open(path, signatureKey.isEmpty() ? null : signatureKey);
    }
}
