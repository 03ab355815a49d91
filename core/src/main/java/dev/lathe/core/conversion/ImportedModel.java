package dev.lathe.core.conversion;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.report.ConversionFidelity;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model from another framework (a TensorFlow SavedModel, ...) converted to ONNX for the pipeline, whose
 * original stays open so that its footprint and speed are stated in its own terms: a pipeline run on it
 * reports "before" as the original measured in its own runtime, and the conversion's own fidelity.
 * Made by a {@link ModelImporter}; holds the original's runtime, so close it.
 */
public interface ImportedModel extends AutoCloseable {
    /** Where the original is (a file or directory). */
    Path source();

    /** What the original is, e.g. {@code TensorFlow SavedModel (signature serving_default)}. */
    String format();

    /**
     * The converted model; its inputs and outputs carry the original's names, so the same samples feed
     * both. Converted when first asked for.
     *
     * @throws LatheException if the original cannot be converted (an unsupported op names itself)
     */
    OnnxModel onnx() throws LatheException;

    /** Lines describing the original beyond its {@link #format()}, for inspection: tags, signatures, inputs, outputs. */
    List<String> details();

    /**
     * The original's static footprint at the given input shapes.
     *
     * @throws LatheException if the original cannot be analysed at these shapes
     */
    Footprint footprint(ShapeBinding shapes) throws LatheException;

    /**
     * The original measured in its own runtime on {@code inputs}, with the thread count of {@code provider}
     * where the runtime has one, in the same way ONNX models are measured.
     *
     * @throws LatheException if the original's runtime fails
     */
    BenchmarkResult benchmark(ProviderConfig provider, Map<String, TensorData> inputs, BenchmarkOptions options)
            throws LatheException;

    /**
     * Runs the original and the converted model on the same samples and compares their outputs.
     *
     * @throws LatheException if either runtime fails
     */
    ConversionFidelity check(List<Map<String, TensorData>> samples) throws LatheException;

    /** Releases the original's runtime. */
    @Override
    void close();
}
