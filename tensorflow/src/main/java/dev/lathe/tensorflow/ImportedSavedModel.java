package dev.lathe.tensorflow;

import dev.lathe.core.LatheException;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.report.ConversionFidelity;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.tensorflow.convert.ConversionCheck;
import dev.lathe.tensorflow.convert.OnnxConverter;
import dev.lathe.tensorflow.runtime.SavedModelBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A SavedModel signature loaded in TensorFlow Java, converted to ONNX when first asked for (so that a model
 * with ops the converter lacks can still be inspected); see {@link SavedModelImporter}.
 */
final class ImportedSavedModel implements ImportedModel {
    private final SavedModel model;
    private final SignatureInfo signature;
    private OnnxModel onnx;

    private ImportedSavedModel(SavedModel model, SignatureInfo signature) {
        this.model = model;
        this.signature = signature;
    }

    /** Loads; {@code signatureKey} null for the serving signature. */
    static ImportedSavedModel open(Path directory, String signatureKey) throws LatheException {
        SavedModel model = SavedModel.load(directory);
        try {
            return new ImportedSavedModel(model, signatureKey == null ? model.signature() : model.signature(signatureKey));
        } catch (LatheException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public Path source() {
        return model.directory();
    }

    @Override
    public String format() {
        return "TensorFlow SavedModel (signature " + signature.key() + ")";
    }

    @Override
    public synchronized OnnxModel onnx() throws LatheException {
        if (onnx == null) {
            onnx = OnnxConverter.convert(model, signature);
        }
        return onnx;
    }

    @Override
    public List<String> details() {
        List<String> lines = new ArrayList<>();
        lines.add("tags " + model.tags() + "; signature " + signature.key() + " converts to ONNX opset " + OnnxConverter.OPSET);
        for (SignatureInfo s : model.signatures()) {
            lines.add("signature " + s.key() + ": inputs " + s.inputs() + ", outputs " + s.outputs());
        }
        return lines;
    }

    @Override
    public Footprint footprint(ShapeBinding shapes) throws LatheException {
        return SavedModelFootprint.analyze(model, signature, shapes);
    }

    @Override
    public BenchmarkResult benchmark(ProviderConfig provider, Map<String, TensorData> inputs, BenchmarkOptions options)
            throws LatheException {
        int threads = provider instanceof ProviderConfig.Cpu cpu ? cpu.intraOpThreads() : 0;
        return SavedModelBenchmark.run(model.directory(), signature.key(), threads, inputs, options);
    }

    @Override
    public ConversionFidelity check(List<Map<String, TensorData>> samples) throws LatheException {
        return ConversionCheck.measure(model, signature, onnx(), samples);
    }

    @Override
    public void close() {
        model.close();
    }
}
