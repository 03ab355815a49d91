package dev.lathe.cli;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.conversion.ModelImporters;
import dev.lathe.core.data.NpyFiles;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DimensionDefaults;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.PipelineFile;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.Pricing;
import dev.lathe.core.report.ReportFormat;
import dev.lathe.core.selection.ProviderPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code lathe optimize MODEL -o OUT}: takes a model through optimization passes with the
 * {@link Pipeline}, validates the result against the original, measures both on the chosen provider, and
 * prints the before/after table (or the JSON report) and writes the optimized model and the report files.
 *
 * <p>The passes are those of the {@code --config} file, then those of {@code --pass}, {@code --prune} and
 * {@code --quantize} in command-line order ({@link PassArguments}); with none at all, {@code cleanup}.
 * The file's other settings are defaults: {@code --provider} replaces its provider, {@code --validate} its
 * validation, a {@code --shape} its shape of the same input and a {@code --bind} its value of the same
 * dimension.
 */
@Command(name = "optimize",
        description = "Optimize an ONNX model or TensorFlow SavedModel (clean-up, quantization, pruning), validate it against the original, "
                + "and show what it costs before and after.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the model was optimized and written",
            "1:the model, a pass, the runtime or a file failed",
            "2:invalid options",
            "3:the optimized model failed validation; nothing was written (the report says why)"})
final class OptimizeCommand implements Callable<Integer>, GuessesInputSizes {
    /** The pass that runs when no pass is named. */
    static final String DEFAULT_PASS = "cleanup";
    private static final List<String> PASS_OPTIONS = List.of("--pass", "--prune", "--quantize");
    /** The start of a note on stderr (silenced by --quiet). */
    static final String NOTE = "lathe: note: ";

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder), or a "
            + "TensorFlow SavedModel directory (converted to ONNX; \"before\" is measured in TensorFlow Java).")
    private Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "Where to write the optimized model (atomically; external data goes next to it).")
    private Path output;

    @Option(names = "--signature", paramLabel = "KEY", defaultValue = "",
            description = "For a TensorFlow SavedModel: the signature to convert (default: serving_default, or the only one).")
    private String signature;

    @Option(names = "--pass", paramLabel = "SPEC", converter = PassArguments.PassConverter.class,
            description = "A pass by name with options, e.g. cleanup or cleanup:fold=false. Repeatable; passes run "
                    + "in command-line order, after those of --config. Without any pass: " + DEFAULT_PASS + ".")
    private List<Pass> passes = new ArrayList<>();

    @Option(names = "--prune", paramLabel = "METHOD[:OPTIONS]", converter = PassArguments.PruneConverter.class,
            description = "Prune: the pass prune.METHOD with OPTIONS; a bare number is the sparsity "
                    + "(magnitude:0.5 is prune.magnitude:sparsity=0.5) and N:M is prune.nm:n=N,m=M. Repeatable.")
    private List<Pass> prunes = new ArrayList<>();

    @Option(names = "--quantize", paramLabel = "MODE[:OPTIONS]", converter = PassArguments.QuantizeConverter.class,
            description = "Quantize: the pass quantize.MODE with OPTIONS, e.g. int8 or int4:block=32,sym "
                    + "(quantize.int4:block=32,sym). Repeatable.")
    private List<Pass> quantizations = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE.yaml|FILE.json",
            description = "A pipeline file (passes, provider, shapes, bind, validate, data). Its passes run first; its "
                    + "other settings are defaults that --provider, --validate, --shape, --bind and --data override.")
    private Path config;

    @Mixin
    private ProviderOptions provider;

    @Mixin
    private ShapeOptions shapes;

    @Option(names = "--validate", paramLabel = "THRESHOLDS", converter = GateConverter.class,
            description = "Thresholds the optimized model must meet against the original, e.g. min-overlap=0.95,"
                    + "min-embedding-cosine=0.995, min-top1=0.99, min-iou=0.9, min-cosine=0.99,max-abs-error=0.05,samples=16 "
                    + "(per output: min-cosine:OUTPUT=0.995); none checks nothing. Default: the thresholds of the model's "
                    + "task (sentence embeddings min-embedding-cosine=0.98,min-overlap=0.8; classifiers min-top1=0.95; "
                    + "dense maps min-iou=0.8; sequences min-decode-agreement=0.9; others min-cosine=0.98).")
    private ValidationGate gate;

    @Option(names = "--write-on-failure",
            description = "Write the model even when it fails validation; the report marks it.")
    private boolean writeOnFailure;

    @Option(names = "--force", description = "Allow OUT to be MODEL itself (overwrite the input).")
    private boolean force;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFileConverter.class,
            description = "Write the report to FILE, in the format its extension names: .json, .md or .html. "
                    + "Repeatable.")
    private List<Path> reports = new ArrayList<>();

    @Mixin
    private MeasurementOptions measurement;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "100",
            description = "Timed runs of each model (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--price-per-hour", paramLabel = "USD", converter = PricingConverter.class,
            description = "Price of an instance-hour for the cost figures (default: the AWS on-demand list price "
                    + "of a c7i.xlarge, which the report names).")
    private Pricing pricing;

    @Option(names = "--json", description = "Print the JSON report instead of a table.")
    private boolean json;

    @Option(names = "--calibration", paramLabel = "FILE.npz",
            description = "A calibration sample for data-aware passes (SmoothQuant in quantize.int8, GPTQ, Wanda, "
                    + "structured pruning): an .npz holding one array per model input; repeatable; replaces the "
                    + "calibration part of --data.")
    private List<Path> calibration = new ArrayList<>();

    @Mixin
    private DataOptions data;

    @Option(names = "--calibrate-on-generated",
            description = "Without --data, let data-aware passes (SmoothQuant, GPTQ, Wanda, structured pruning) calibrate "
                    + "on generated inputs instead of using their data-free form or refusing; generated inputs "
                    + "calibrate far worse than real data.")
    private boolean calibrateOnGenerated;

    @Option(names = "--calibration-samples", paramLabel = "N",
            description = "The most calibration samples a data-aware pass reads (default: ${DEFAULT-VALUE}); "
                    + "quantize.static streams them, so its memory does not grow with N.")
    private int calibrationLimit = PassContext.DEFAULT_CALIBRATION_LIMIT;

    @Mixin
    private ProgressOptions progress;

    /** The sizes guessed for generated inputs, once the model is loaded; see {@link GuessesInputSizes}. */
    private Map<String, DimensionDefaults.Choice> guessed = Map.of();

    @Override
    public Integer call() throws LatheException, IOException {
        PassRegistry registry = PassRegistry.load();
        Optional<PipelineFile> recipe = config == null ? Optional.empty()
                : Optional.of(PipelineFile.read(config, registry));
        String origin = String.valueOf(config);
        List<Pass> all = new ArrayList<>(recipe.map(PipelineFile::passes).orElse(List.of()));
        all.addAll(commandLinePasses());
        if (all.isEmpty()) {
            all.add(registry.create(DEFAULT_PASS));
        }
        ProviderPolicy policy = provider.policy(recipe.flatMap(PipelineFile::provider), origin);
        ShapeBinding binding = shapes.binding(recipe.map(PipelineFile::binding).orElse(ShapeBinding.none()));
        ValidationGate validation = gate != null ? gate
                : recipe.flatMap(PipelineFile::validate).map(text -> configuredGate(text, origin))
                        .orElse(ValidationGate.taskDefaults());
        if (!force && Files.exists(output) && Files.exists(model) && Files.isSameFile(model, output)) {
            throw new ParameterException(spec.commandLine(), "Option '-o' names the input model " + model
                    + "; choose another file, or add --force to overwrite it");
        }
        Pipeline.Builder pipeline = Pipeline.builder().provider(policy).shapes(binding).validation(validation)
                .benchmark(measurement.options(runs)).pricing(pricing == null ? Pricing.DEFAULT : pricing)
                .writeOnValidationFailure(writeOnFailure).allowOverwrite(force)
                .calibrateOnGenerated(calibrateOnGenerated);
        if (calibrationLimit < 1) {
            throw new ParameterException(spec.commandLine(), "Option '--calibration-samples' must be at least 1, got "
                    + calibrationLimit);
        }
        pipeline.calibrationLimit(calibrationLimit);
        all.forEach(pipeline::add);
        Optional<ImportedModel> imported = ModelImporters.isForeign(model)
                ? Optional.of(ModelImporters.importerFor(model).open(model, signature)) : Optional.empty();
        if (imported.isEmpty() && !signature.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Option '--signature' is for TensorFlow SavedModels; "
                    + model + " is an ONNX model");
        }
        OnnxModel loaded = imported.isPresent() ? imported.get().onnx() : OnnxModel.load(model);
        Optional<SampleSource> samples = Optional.empty();
        try {
            samples = data.open(loaded, model, recipe.flatMap(PipelineFile::data));
            samples.ifPresent(pipeline::data);
            if (!calibration.isEmpty()) {
                pipeline.calibration(calibrationSamples(loaded));
            }
            if (samples.isEmpty()) {
                guessed = binding.defaults(loaded);
                if (!progress.quiet()) {
                    noteGenerated(guessed);
                }
            }
            try (ProgressPrinter printer = progress.printer()) {
                return OptimizationRun.execute(pipeline.progress(printer).build(), loaded, imported, output, reports, json,
                        spec.commandLine());
            }
        } finally {
            imported.ifPresent(ImportedModel::close);
            if (samples.isPresent() && samples.get() instanceof AutoCloseable closeable) {
                closeQuietly(closeable);
            }
        }
    }

    /** Says on stderr that without --data the inputs are generated, and at which default sizes. */
    private void noteGenerated(Map<String, DimensionDefaults.Choice> defaults) {
        StringBuilder text = new StringBuilder(NOTE + "no --data given: validation runs on generated inputs, not real "
                + "data");
        if (!defaults.isEmpty()) {
            text.append("; unbound dimensions sized by kind: ");
            text.append(DimensionDefaults.describe(defaults));
        }
        spec.commandLine().getErr().println(text.append(". Pass --data FILE for honest fidelity figures."));
        spec.commandLine().getErr().flush();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing a tokenizer frees native memory; nothing to report to the user.
        }
    }

    /** One sample per --calibration file, each holding exactly the model's inputs. */
    private List<Map<String, TensorData>> calibrationSamples(OnnxModel loaded) throws IOException, InvalidModelException {
        Set<String> inputs = new TreeSet<>();
        loaded.graph().inputs().forEach(input -> inputs.add(input.getName()));
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (Path file : calibration) {
            Map<String, TensorData> sample = NpyFiles.read(file);
            if (!sample.keySet().equals(inputs)) {
                throw new IllegalArgumentException(file + ": a calibration sample must hold one array per model input "
                        + inputs + ", but it holds " + new TreeSet<>(sample.keySet()));
            }
            samples.add(sample);
        }
        return samples;
    }

    /** The passes of --pass, --prune and --quantize, in the order they were given. */
    private List<Pass> commandLinePasses() {
        Map<String, List<Pass>> byOption = Map.of("--pass", passes, "--prune", prunes, "--quantize", quantizations);
        Map<String, Integer> used = new HashMap<>();
        List<Pass> ordered = new ArrayList<>();
        for (ArgSpec arg : spec.commandLine().getParseResult().matchedArgs()) {
            if (arg instanceof OptionSpec option && PASS_OPTIONS.contains(option.longestName())) {
                int index = used.merge(option.longestName(), 1, Integer::sum) - 1;
                ordered.add(byOption.get(option.longestName()).get(index));
            }
        }
        return ordered;
    }

    private static ValidationGate configuredGate(String text, String origin) {
        try {
            return ValidationGate.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": validate: " + e.getMessage(), e);
        }
    }

    /** Parses {@code --validate} with {@link ValidationGate#parse}; the message names the valid keys. */
    static final class GateConverter implements ITypeConverter<ValidationGate> {
        @Override
        public ValidationGate convert(String value) {
            try {
                return ValidationGate.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Accepts a {@code --report} file only with an extension that names a report format. */
    static final class ReportFileConverter implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path file = Path.of(value);
            try {
                ReportFormat.of(file);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return file;
        }
    }

    /** Parses {@code --price-per-hour} into a user-given {@link Pricing}. */
    static final class PricingConverter implements ITypeConverter<Pricing> {
        @Override
        public Pricing convert(String value) {
            try {
                return Pricing.perHour(Double.parseDouble(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a positive price in USD");
            }
        }
    }

    @Override
    public Map<String, DimensionDefaults.Choice> guessedSizes() {
        return guessed;
    }

    @Override
    public String sizeOptions() {
        return "--shape NAME=D0xD1x..., --bind DIM=VALUE, or real inputs with --data";
    }
}
