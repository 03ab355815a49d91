package dev.lathe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.LatheException;
import dev.lathe.core.data.DataSplit;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.djl.text.EnglishSentences;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The quantization comparison of issue 5: all-MiniLM-L6-v2 in fp32, the twin made by ONNX Runtime's Python
 * quantizer ({@code all-minilm-l6-v2-q}), and every Lathe recipe whose pass is on the class path
 * ({@code quantize.int8}, {@code quantize.int4}, {@code quantize.int8-weights}, {@code quantize.fp16}, each
 * after {@code cleanup}), measured on the sentences this module ships. It prints size, single-thread batch-1
 * latency, mean embedding cosine and nearest-neighbour overlap@10 against fp32, the time and heap of making
 * each Lathe model, the machine, and the targets with a verdict on each.
 */
@Command(name = "quantization-comparison", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compares Lathe's quantized all-MiniLM-L6-v2 models with fp32 and the reference quantizer's twin.")
public final class QuantizationComparison implements Callable<Integer> {
    /** The fp32 model, a class path resource of langchain4j's MiniLM artifact. */
    public static final String FP32_RESOURCE = "/all-minilm-l6-v2.onnx";
    /** The reference twin, a class path resource of langchain4j's quantized MiniLM artifact. */
    public static final String REFERENCE_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    /** The row name of the fp32 baseline. */
    public static final String FP32 = "fp32";
    /** The row name of the reference twin. */
    public static final String REFERENCE = "reference-q";

    /** The Lathe recipes measured by default, by row name. */
    public static final List<LatheRecipe> DEFAULT_RECIPES = List.of(new LatheRecipe("int8", "quantize.int8"),
            new LatheRecipe(Targets.INT8_WITHOUT_DATA, "quantize.int8", false), new LatheRecipe("static", "quantize.static"),
            new LatheRecipe("int4", "quantize.int4"), new LatheRecipe("int8-weights", "quantize.int8-weights"),
            new LatheRecipe("fp16", "quantize.fp16"), new LatheRecipe("fuse", "fuse"));

    @Option(names = "--sentences", paramLabel = "N", description = "Shipped sentences to use, from the start of the "
            + "file: every fourth is held out and measured, the others calibrate (default: ${DEFAULT-VALUE}).")
    int sentenceCount = 400;

    @Option(names = "--passes", paramLabel = "N", description = "Timed passes over all sentences after the warm-up "
            + "pass; a sentence's latency is the median of its passes (default: ${DEFAULT-VALUE}).")
    int passes = 3;

    @Option(names = "--only", split = ",", paramLabel = "NAME", description = "Measure only these models besides "
            + "fp32: reference-q, int8, int8-nodata, static, int4, int8-weights, fp16, fuse or a --recipe label.")
    List<String> only = List.of();

    @Option(names = "--recipe", paramLabel = "LABEL=SPEC", description = "An extra Lathe recipe, such as "
            + "int4-b32=quantize.int4:block=32,sym (repeatable).")
    List<String> extraRecipes = List.of();

    @Option(names = "--calibration", paramLabel = "N", description = "Calibration sentences for data-aware passes: "
            + "the first N of those not held out, never measured (default: ${DEFAULT-VALUE}).")
    int calibrationCount = 32;

    @Option(names = "--recipe-runs", paramLabel = "N", description = "Timed runs of each recipe after its warm-up "
            + "run; the median is reported (default: ${DEFAULT-VALUE}).")
    int recipeRuns = 3;

    @Option(names = "--model", paramLabel = "FILE", description = "Another fp32 sentence encoder (inputs input_ids, "
            + "attention_mask and optionally token_type_ids; output last_hidden_state) in place of the built-in "
            + "all-MiniLM-L6-v2; give --tokenizer too, and --reference for its int8 twin.")
    Path model;

    @Option(names = "--reference", paramLabel = "FILE", description = "The int8 twin of --model made by another tool, "
            + "measured as reference-q (default with --model: none).")
    Path reference;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "The tokenizer.json of --model (default: "
            + "all-MiniLM-L6-v2's).")
    Path tokenizerFile;

    @Option(names = "--batch", paramLabel = "BxL", description = "Also measure throughput on full batches of B rows of "
            + "L real tokens (e.g. 8x128), models taking turns in rounds.")
    String batchShape;

    @Option(names = "--batch-threads", paramLabel = "N", description = "Intra-op threads for --batch (default: "
            + "${DEFAULT-VALUE}).")
    int batchThreads = 2;

    @Option(names = "--batch-rounds", paramLabel = "N", description = "Rounds for --batch, each 10 timed batches per "
            + "model (default: ${DEFAULT-VALUE}).")
    int batchRounds = 5;

    @Option(names = "--out", paramLabel = "DIR", description = "Keep the models here, one folder each "
            + "(default: a temporary folder, deleted at the end).")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Spec
    CommandSpec spec;

    private final PrintStream stdout;
    private final PrintStream log;

    /** A comparison printing its report to standard output and its progress to standard error. */
    public QuantizationComparison() {
        this(System.out, System.err);
    }

    QuantizationComparison(PrintStream stdout, PrintStream log) {
        this.stdout = stdout;
        this.log = log;
    }

    /** Runs the comparison; exits with 0, 1 if a Lathe recipe failed or missed a target, 2 for bad options. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new QuantizationComparison()).execute(args));
    }

    /** Runs the comparison with the parsed options. */
    @Override
    public Integer call() throws Exception {
        checkCounts();
        if (batchShape != null) {
            batchShape();
        }
        List<LatheRecipe> recipes = selectedRecipes();
        if (reference != null && model == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reference needs --model");
        }
        for (Path given : Arrays.asList(model, reference, tokenizerFile)) {
            if (given != null && !Files.isRegularFile(given)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + given);
            }
        }
        boolean measureReference = (model == null || reference != null) && (only.isEmpty() || only.contains(REFERENCE));
        Machine machine = Machine.current();
        List<String> measured = new ArrayList<>();
        List<String> calibrating = new ArrayList<>();
        List<String> shipped = EnglishSentences.all().subList(0, sentenceCount);
        for (int i = 0; i < shipped.size(); i++) {
            (DataSplit.heldOut(i, DataSplit.DEFAULT_VALIDATION_FRACTION) ? measured : calibrating).add(shipped.get(i));
        }
        List<TokenizedSentence> tokenized;
        List<TokenizedSentence> calibrationSentences;
        try (SentenceTokenizer tokenizer = tokenizerFile == null ? SentenceTokenizer.miniLm()
                : SentenceTokenizer.fromFile(tokenizerFile)) {
            tokenized = tokenizer.encodeAll(measured);
            calibrationSentences = tokenizer.encodeAll(calibrating.subList(0, Math.min(calibrationCount, calibrating.size())));
        }
        int calibration = calibrationSentences.size();
        Path folder = out != null ? Files.createDirectories(out) : Files.createTempDirectory("lathe-bench");
        try {
            Path fp32 = model == null ? copyResource(FP32_RESOURCE, folder.resolve(FP32)) : model;
            Map<String, Path> files = new LinkedHashMap<>();
            files.put(FP32, fp32);
            if (measureReference) {
                files.put(REFERENCE, model == null ? copyResource(REFERENCE_RESOURCE, folder.resolve(REFERENCE))
                        : reference);
            }
            Map<String, LatheRecipe.Measurement> made = new LinkedHashMap<>();
            Map<String, String> problems = new LinkedHashMap<>();
            PassRegistry registry = PassRegistry.load();
            PassContext context = new PassContext(ShapeBinding.none(),
                    calibrationInputs(OnnxModel.load(fp32), calibrationSentences), ProgressListener.none());
            for (LatheRecipe recipe : recipes) {
                if (!recipe.isRegistered(registry)) {
                    problems.put(recipe.label(), "not registered: " + recipe.passName() + " is not on the class path");
                    continue;
                }
                log.printf("recipe %s (cleanup, %s): warm-up and %d timed runs%n", recipe.label(), recipe.spec(), recipeRuns);
                Path target = Files.createDirectories(folder.resolve(recipe.label())).resolve(
                        fp32.getFileName().toString().replaceFirst("\\.onnx$", "") + "-" + recipe.label() + ".onnx");
                try {
                    made.put(recipe.label(), recipe.measure(registry, fp32, target, recipe.calibrated() ? context
                            : new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none()), recipeRuns));
                    probe(target, tokenized.get(0));
                    files.put(recipe.label(), target);
                } catch (LatheException | IOException | RuntimeException e) {
                    made.remove(recipe.label());
                    problems.put(recipe.label(), "failed: " + e.getMessage());
                }
            }
            log.printf("measuring %s on %d sentences, %d timed passes%n", String.join(", ", files.keySet()),
                    tokenized.size(), passes);
            Map<String, EncoderRuns.Result> results = EncoderRuns.measure(files, tokenized, passes, log);

            List<ModelRow> rows = new ArrayList<>();
            rows.add(ModelRow.measured(FP32, ModelRow.Kind.BASELINE, Optional.empty(), sizeOnDisk(fp32), results.get(FP32),
                    Optional.empty()));
            if (measureReference) {
                rows.add(ModelRow.measured(REFERENCE, ModelRow.Kind.REFERENCE, Optional.empty(),
                        sizeOnDisk(files.get(REFERENCE)), results.get(REFERENCE), Optional.empty()));
            }
            for (LatheRecipe recipe : recipes) {
                if (problems.containsKey(recipe.label())) {
                    rows.add(ModelRow.missing(recipe.label(), recipe.spec(), problems.get(recipe.label())));
                } else {
                    rows.add(ModelRow.measured(recipe.label(), ModelRow.Kind.LATHE, Optional.of(recipe.spec()),
                            sizeOnDisk(files.get(recipe.label())), results.get(recipe.label()),
                            Optional.of(made.get(recipe.label()))));
                }
            }
            double meanTokens = tokenized.stream().mapToInt(TokenizedSentence::length).average().orElse(0);
            String modelName = model == null ? "all-MiniLM-L6-v2" : model.getFileName().toString();
            ComparisonReport report = new ComparisonReport(machine, new ComparisonReport.Settings(modelName,
                    tokenized.size(), meanTokens, passes, calibration, recipeRuns), rows);
            stdout.print(report.text());
            if (batchShape != null) {
                int[] shape = batchShape();
                log.printf("measuring throughput at batch %d×%d with %d threads%n", shape[0], shape[1], batchThreads);
                Map<String, BatchThroughput.Result> throughput = BatchThroughput.measure(files, tokenized, shape[0], shape[1],
                        batchThreads, batchRounds, 10, log);
                stdout.print(throughputText(throughput, shape));
            }
            if (json != null) {
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report.json());
                log.println("wrote " + json);
            }
            if (out != null) {
                log.println("models kept in " + out);
            }
            if (report.anyTargetFailed()) {
                log.println("a target FAILED (see the verdicts above)");
                return 1;
            }
            return 0;
        } finally {
            if (out == null) {
                deleteTree(folder);
            }
        }
    }

    /** Rejects counts out of range before any work starts. */
    private void checkCounts() {
        int shipped = EnglishSentences.all().size();
        if (sentenceCount < 44 || sentenceCount > shipped) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sentences must be between 44 (overlap@10 "
                    + "needs 11 held-out sentences) and " + shipped + ", got " + sentenceCount);
        }
        if (batchThreads < 1 || batchRounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch-threads and --batch-rounds must be >= 1, "
                    + "got " + batchThreads + " and " + batchRounds);
        }
        if (passes < 1 || recipeRuns < 1 || calibrationCount < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--passes and --recipe-runs must be >= 1 and "
                    + "--calibration >= 0, got " + passes + ", " + recipeRuns + " and " + calibrationCount);
        }
    }

    /** B and L of --batch BxL. */
    private int[] batchShape() {
        String[] parts = batchShape.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2 && Integer.parseInt(parts[0]) > 0 && Integer.parseInt(parts[1]) > 1) {
                return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--batch needs BxL with B >= 1 and L >= 2, such as "
                + "8x128, got '" + batchShape + "'");
    }

    /** The throughput table: per model the median batch time, rows per second, and ratios to fp32 and the reference. */
    private String throughputText(Map<String, BatchThroughput.Result> results, int[] shape) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%nThroughput: batch %d × %d real "
                + "tokens, %d intra-op threads, %d rounds of 10 timed batches (median of round medians)%n%n",
                shape[0], shape[1], batchThreads, batchRounds));
        text.append(String.format(Locale.ROOT, "%-14s %10s %10s %9s %12s%n", "model", "batch ms", "rows/s",
                "x fp32", "x reference"));
        BatchThroughput.Result base = results.get(FP32);
        BatchThroughput.Result twin = results.get(REFERENCE);
        results.forEach((name, r) -> text.append(String.format(Locale.ROOT, "%-14s %10.2f %10.1f %9.3f %12s%n",
                name, r.medianMillis(), r.sequencesPerSecond(), r.sequencesPerSecond() / base.sequencesPerSecond(),
                twin == null ? "-" : String.format(Locale.ROOT, "%.3f", r.sequencesPerSecond() / twin.sequencesPerSecond()))));
        return text.toString();
    }

    /** The default recipes plus --recipe ones, filtered by --only. */
    private List<LatheRecipe> selectedRecipes() {
        List<LatheRecipe> all = new ArrayList<>(DEFAULT_RECIPES);
        for (String extra : extraRecipes) {
            int equals = extra.indexOf('=');
            if (equals <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--recipe needs LABEL=SPEC, got '" + extra + "'");
            }
            all.add(new LatheRecipe(extra.substring(0, equals).strip(), extra.substring(equals + 1).strip()));
        }
        List<String> known = Stream.concat(Stream.of(FP32, REFERENCE), all.stream().map(LatheRecipe::label)).toList();
        for (String name : only) {
            if (!known.contains(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--only: unknown model '" + name
                        + "'; known: " + String.join(", ", known));
            }
        }
        for (int i = 0; i < known.size(); i++) {
            if (known.indexOf(known.get(i)) != i) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--recipe: the label '" + known.get(i)
                        + "' is taken");
            }
        }
        return all.stream().filter(r -> only.isEmpty() || only.contains(r.label())).toList();
    }

    /** Calibration samples: each sentence as the fp32 model's inputs. */
    private static List<Map<String, TensorData>> calibrationInputs(OnnxModel model, List<TokenizedSentence> sentences) {
        List<String> inputs = model.graph().inputs().stream().map(ValueInfoProto::getName).toList();
        return sentences.stream().map(s -> s.inputs(inputs)).toList();
    }

    /** Opens a produced model in ONNX Runtime and runs one sentence, so that a broken model fails alone. */
    private static void probe(Path model, TokenizedSentence sentence) throws LatheException {
        try (ModelSession session = ModelSession.open(OnnxModel.load(model), EncoderRuns.settings())) {
            session.run(sentence.inputs(session.inputNames()));
        }
    }

    /** Copies a model resource into its own folder and returns the file. */
    private static Path copyResource(String resource, Path folder) throws IOException {
        Path file = Files.createDirectories(folder).resolve(resource.substring(1));
        try (InputStream stream = QuantizationComparison.class.getResourceAsStream(resource)) {
            if (stream == null) {
                throw new IOException("class path resource " + resource + " is missing");
            }
            Files.copy(stream, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Bytes of a model file plus the external data files it refers to. */
    static long sizeOnDisk(Path model) throws IOException, LatheException {
        long bytes = Files.size(model);
        for (Path data : OnnxModel.load(model).externalDataFiles().keySet()) {
            bytes += Files.size(data);
        }
        return bytes;
    }

    private void deleteTree(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.println("cannot delete " + folder + ": " + e.getMessage());
        }
    }
}
