package dev.lathe.examples;

import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.PipelineResult;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ReportWriter;
import dev.lathe.core.runtime.ProviderPolicy;
import java.nio.file.Path;

/**
 * The Java quick start of the pipeline: quantizes a transformer encoder to int8, validates it against the
 * original, and writes the optimized model and an HTML report.
 *
 * <pre>
 * java dev.lathe.examples.OptimizeModel model.onnx model.int8.onnx report.html
 * </pre>
 */
public final class OptimizeModel {
    private OptimizeModel() {
    }

    /** Arguments: input model, output model, report file (.html, .md or .json). */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OptimizeModel MODEL.onnx OUT.onnx REPORT.html");
            System.exit(2);
        }
        PassRegistry passes = PassRegistry.load();
        PipelineResult result = Pipeline.builder()
                .add(passes.create("cleanup"))
                .add(passes.create("quantize.int8"))
                .shapes(ShapeBinding.none().withDimension("batch_size", 1).withDimension("sequence_length", 128))
                .provider(ProviderPolicy.auto())
                .validation(ValidationGate.parse("min-cosine=0.99"))
                .build()
                .run(Path.of(args[0]), Path.of(args[1]));
        ReportWriter.write(result.report(), Path.of(args[2]));
        System.out.printf("%s: %.2f MB -> %.2f MB, p50 %.2f ms -> %.2f ms, cosine %.4f%n", result.output(),
                result.report().before().sizeBytes() / 1e6, result.report().after().sizeBytes() / 1e6,
                result.report().measuredBefore().latencyMs().p50(), result.report().measuredAfter().latencyMs().p50(),
                result.report().validation().fidelity().cosineMean());
    }
}
