package dev.lathe.examples;

import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.PipelineResult;
import dev.lathe.core.report.ReportWriter;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.djl.DataFiles;
import dev.lathe.djl.text.TextSpec;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Java quick start of the pipeline: quantizes a model to int8, calibrated on three quarters of real
 * data and validated on the held-out quarter with the model's task metrics (the default gate), and writes
 * the optimized model and an HTML report. The data is any file {@link DataFiles} reads: text (with the
 * model's tokenizer.json), images, WAV audio or NumPy samples.
 *
 * <pre>
 * java dev.lathe.examples.OptimizeModel model.onnx model.int8.onnx report.html sentences.txt [tokenizer.json]
 * </pre>
 */
public final class OptimizeModel {
    private OptimizeModel() {
    }

    /** Arguments: input model, output model, report file (.html, .md or .json), data, optional tokenizer. */
    public static void main(String[] args) throws Exception {
        if (args.length < 4 || args.length > 5) {
            System.err.println("usage: OptimizeModel MODEL.onnx OUT.onnx REPORT.html DATA [TOKENIZER.json]");
            System.exit(2);
        }
        Path modelFile = Path.of(args[0]);
        OnnxModel model = OnnxModel.load(modelFile);
        DataFiles.Options options = new DataFiles.Options(Optional.ofNullable(args.length == 5 ? Path.of(args[4]) : null),
                TextSpec.defaults(), DataFiles.Options.defaults().image(), DataFiles.Options.defaults().audio());
        SampleSource data = DataFiles.open(Path.of(args[3]), model, modelFile, options);
        try {
            PassRegistry passes = PassRegistry.load();
            PipelineResult result = Pipeline.builder()
                    .add(passes.create("cleanup"))
                    .add(passes.create("quantize.int8"))
                    .data(data)
                    .provider(ProviderPolicy.auto())
                    .build()
                    .run(model, Path.of(args[1]));
            ReportWriter.write(result.report(), Path.of(args[2]));
            System.out.printf("%s: %.2f MB -> %.2f MB, p50 %.2f ms -> %.2f ms, %s %s on %s%n", result.output(),
                    result.report().before().sizeBytes() / 1e6, result.report().after().sizeBytes() / 1e6,
                    result.report().measuredBefore().latencyMs().p50(), result.report().measuredAfter().latencyMs().p50(),
                    result.report().validation().task(), result.report().validation().taskMetrics(),
                    result.report().data().validation().description());
        } finally {
            if (data instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }
}
