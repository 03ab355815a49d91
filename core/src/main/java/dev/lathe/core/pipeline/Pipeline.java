package dev.lathe.core.pipeline;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.LatheVersion;
import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.data.DataSplit;
import dev.lathe.core.data.GeneratedSamples;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.files.AtomicFiles;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.report.ConversionFidelity;
import dev.lathe.core.report.Cost;
import dev.lathe.core.report.DataSources;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.Pricing;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.MachineMemory;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.selection.ProviderDecision;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.core.selection.ProviderSelector;
import dev.lathe.core.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes a model through optimization passes and reports, honestly, what it cost before and after:
 *
 * <pre>{@code
 * PipelineResult result = Pipeline.builder()
 *         .add(registry.create("quantize.int8"))
 *         .data(samples)                      // real inputs: 3/4 calibrate, 1/4 held out for validation
 *         .provider(ProviderPolicy.auto())
 *         .validation(ValidationGate.parse("min-overlap=0.95"))
 *         .build()
 *         .run(Path.of("model.onnx"), Path.of("model.opt.onnx"));
 * }</pre>
 *
 * <p>A run loads the model, checks that the machine has the memory ONNX Runtime needs for its weights
 * ({@link MachineMemory}: it fails before any work otherwise), takes its static footprint (at the shapes given, else those of a typical
 * sample of the data, else {@link dev.lathe.core.model.DimensionDefaults}), chooses the provider, applies
 * each pass (recording options, duration, status and the footprint after it) with the calibration data in
 * its {@link PassContext}, stamps provenance into the model's {@code metadata_props}, validates the result
 * against the original on the held-out samples (or generated ones, which the report says; where the samples
 * are a {@link ValidationService}, such as texts on a Spark cluster, it judges there) with the task's
 * metrics, measures both on the chosen provider (in the order original, optimized, optimized, original,
 * each model's two rounds averaged, so that drifting machine load favours neither), prices them, and only
 * then writes the model, atomically. The report says where calibration and validation samples came from.
 * When validation fails nothing is written (unless asked) and {@link ValidationFailedException} carries
 * the report. The input file is never overwritten unless {@link Builder#allowOverwrite} says so.
 */
public final class Pipeline {
    /** metadata_props key of the Lathe version that wrote a model ({@link Optimizer#VERSION_KEY}). */
    public static final String VERSION_KEY = Optimizer.VERSION_KEY;
    /** metadata_props key of the steps (passes and options, JSON) that made a model ({@link Optimizer#STEPS_KEY}). */
    public static final String STEPS_KEY = Optimizer.STEPS_KEY;
    private static final long SEED = 1234;
    private static final int TYPICAL_CANDIDATES = 64;
    /** Samples the conversion of an imported model is checked on. */
    private static final int CONVERSION_SAMPLES = 16;

    private final Optimizer optimizer;
    private final ProviderPolicy providerPolicy;
    private final ValidationGate gate;
    private final ShapeBinding binding;
    private final Optional<SampleSource> calibration;
    private final Optional<SampleSource> validationData;
    private final boolean calibrateOnGenerated;
    private final int calibrationSamples;
    private final int calibrationLimit;
    private final Optional<Task> task;
    private final BenchmarkOptions benchmark;
    private final Pricing pricing;
    private final ProgressListener progress;
    private final boolean writeOnValidationFailure;
    private final boolean allowOverwrite;
    private final SaveOptions saveOptions;
    private final ProviderSelector selector;

    private Pipeline(Builder builder) {
        Optimizer.Builder passes = Optimizer.builder();
        builder.passes.forEach(passes::add);
        this.optimizer = passes.build();
        this.providerPolicy = builder.providerPolicy;
        this.gate = builder.gate;
        this.binding = builder.binding;
        this.calibration = builder.calibration;
        this.validationData = builder.validationData;
        this.calibrateOnGenerated = builder.calibrateOnGenerated;
        this.calibrationSamples = builder.calibrationSamples;
        this.calibrationLimit = builder.calibrationLimit;
        this.task = builder.task;
        this.benchmark = builder.benchmark;
        this.pricing = builder.pricing;
        this.progress = builder.progress;
        this.writeOnValidationFailure = builder.writeOnValidationFailure;
        this.allowOverwrite = builder.allowOverwrite;
        this.saveOptions = builder.saveOptions;
        this.selector = builder.selector;
    }

    /** A builder with defaults: no passes, auto provider, measure-only validation, default benchmark. */
    public static Builder builder() {
        return new Builder();
    }

    /** The passes, in order. */
    public List<Pass> passes() {
        return optimizer.passes();
    }

    /**
     * Optimizes a model file and writes the result.
     *
     * @throws IllegalArgumentException  if {@code output} is the input file and overwriting was not allowed
     * @throws ValidationFailedException if the optimized model misses a validation threshold
     * @throws LatheException            if the model is invalid, a pass fails or the runtime fails
     */
    public PipelineResult run(Path input, Path output) throws LatheException, IOException {
        if (!allowOverwrite && Files.exists(output) && Files.exists(input) && Files.isSameFile(input, output)) {
            throw new IllegalArgumentException("refusing to overwrite the input model " + input
                    + "; choose another output or allow overwriting");
        }
        return run(OnnxModel.load(input), output);
    }

    /** Optimizes a loaded model and writes the result; see {@link #run(Path, Path)}. */
    public PipelineResult run(OnnxModel original, Path output) throws LatheException, IOException {
        if (!allowOverwrite && original.file().isPresent() && Files.exists(output)
                && Files.isSameFile(original.file().get(), output)) {
            throw new IllegalArgumentException("refusing to overwrite the input model " + output
                    + "; choose another output or allow overwriting");
        }
        return run(original, Optional.empty(), output);
    }

    /**
     * Optimizes a model converted from another framework and writes the result. The report's "before" is
     * the original: its footprint in its own terms and its speed measured in its own runtime, on the same
     * inputs as the optimized model; the conversion is checked against the original on the validation
     * samples (up to {@value #CONVERSION_SAMPLES}) before any pass runs, and validation fails when it misses
     * {@link ConversionFidelity#TOLERANCE}.
     *
     * @throws ValidationFailedException if the conversion or the optimized model misses a threshold
     * @throws LatheException            if the original cannot be converted, a pass fails or a runtime fails
     */
    public PipelineResult run(ImportedModel imported, Path output) throws LatheException, IOException {
        return run(imported.onnx(), Optional.of(imported), output);
    }

    private PipelineResult run(OnnxModel original, Optional<ImportedModel> imported, Path output)
            throws LatheException, IOException {
        guardOutput(original, output);
        MachineMemory.require(original.source() + ": validating and measuring run the original model in ONNX Runtime",
                original.tensorBytes(), "Optimize it without running it through the Java API (Optimizer, then "
                        + "OnnxModel.save: README, \"Models bigger than memory\"), or on a machine with more memory.");
        Optional<Map<String, TensorData>> typical = binding.isEmpty() ? typicalSample() : Optional.empty();
        ShapeBinding shapesUsed = typical.map(Pipeline::bindingOf).orElse(binding);
        Map<String, long[]> shapes = shapesUsed.resolve(original);
        for (Map.Entry<String, long[]> input : shapes.entrySet()) {
            if (java.util.Arrays.stream(input.getValue()).anyMatch(dim -> dim == 0)) {
                throw new IllegalArgumentException(original.source() + ": input '" + input.getKey() + "' would have shape "
                        + java.util.Arrays.toString(input.getValue()) + ", with no elements: nothing could be measured "
                        + "or validated; give every dimension a size of at least 1");
            }
        }
        Footprint before = imported.isPresent() ? imported.get().footprint(ShapeBinding.ofShapes(shapes))
                : FootprintAnalyzer.analyze(original, shapesUsed);
        Map<String, TensorData> benchmarkInputs = typical.orElseGet(() -> InputGenerator.generate(original, shapes,
                shapesUsed.inputValues(), SEED));
        ProviderDecision decision = selector.select(providerPolicy, original, benchmarkInputs);
        SessionSettings settings = SessionSettings.of(decision.selected());
        SampleSource validationInputs = validationSource(original, shapes);
        Optional<ConversionFidelity> conversion = Optional.empty();
        if (imported.isPresent()) {
            conversion = Optional.of(checkConversion(imported.get(), validationInputs));
        }

        Optional<SampleSource> calibrationInputs = calibration.isPresent() ? calibration : calibrateOnGenerated
                ? Optional.of(GeneratedSamples.of(original, shapes, shapesUsed.inputValues(), calibrationSamples, SEED + 100))
                : Optional.empty();
        PassContext context = new PassContext(shapesUsed, calibrationInputs, calibrationLimit,
                Optional.of(decision.selected()), gate, task, progress);
        Optimizer.Optimization optimization = optimizer.optimize(original, context);
        OnnxModel optimized = optimization.model();
        List<StepRecord> steps = optimization.steps();
        Footprint after = FootprintAnalyzer.analyze(optimized, shapesUsed);

        ValidationOutcome validation = validate(original, optimized, settings, validationInputs);
        if (conversion.isPresent()) {
            validation = withConversion(validation, conversion.get());
        }
        DataSources data = new DataSources(context.calibrationRead().map(count -> new DataSources.Source(
                calibrationInputs.get().description(), count, calibrationInputs.get().generated())),
                new DataSources.Source(validationInputs.description(), validation.fidelity().samples(),
                        validationInputs.generated()));
        // Original, optimized, optimized, original: a machine that gets busier or quieter while measuring
        // then favours neither model.
        BenchmarkResult firstBefore = measureOriginal(original, imported, settings, benchmarkInputs);
        BenchmarkResult firstAfter = measure("benchmark optimized", optimized, settings, benchmarkInputs);
        BenchmarkResult secondAfter = measure("benchmark optimized", optimized, settings, benchmarkInputs);
        BenchmarkResult secondBefore = measureOriginal(original, imported, settings, benchmarkInputs);
        BenchmarkResult measuredBefore = firstBefore.averagedWith(secondBefore);
        BenchmarkResult measuredAfter = firstAfter.averagedWith(secondAfter);
        double noise = Math.max(Cost.roundNoisePercent(firstBefore, secondBefore),
                Cost.roundNoisePercent(firstAfter, secondAfter));
        Cost cost = Cost.of(pricing, measuredBefore, measuredAfter, before, after, noise);
        OptimizationReport report = new OptimizationReport(LatheVersion.get(), original.source(), Optional.empty(), before,
                after, measuredBefore, measuredAfter, steps, decision, validation, data, cost, conversion);
        if (!validation.passed()) {
            if (!writeOnValidationFailure) {
                throw new ValidationFailedException(original.source() + ": the optimized model failed validation, nothing "
                        + "was written: " + String.join("; ", validation.failures()), report);
            }
            validation = validation.markWritten();
        }
        optimized.save(output, saveOptions);
        return new PipelineResult(output, optimized, report.written(output.toString(), validation));
    }

    /**
     * The sample of median size among the first {@value #TYPICAL_CANDIDATES} of the validation data (or the
     * calibration data): the shapes the footprint is stated at and the inputs benchmarks run, when data is
     * given and no shapes are ({@link SampleSource#typical}).
     */
    private Optional<Map<String, TensorData>> typicalSample() {
        Optional<SampleSource> source = validationData.isPresent() ? validationData : calibration;
        return source.flatMap(samples -> samples.typical(TYPICAL_CANDIDATES));
    }

    private static ShapeBinding bindingOf(Map<String, TensorData> sample) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        sample.forEach((input, value) -> shapes.put(input, value.shape()));
        return ShapeBinding.ofShapes(shapes);
    }

    /** The gate's inputs, else the validation data, else generated samples. */
    private SampleSource validationSource(OnnxModel original, Map<String, long[]> shapes) {
        if (!gate.inputs().isEmpty()) {
            return SampleSource.of("given in code (" + gate.inputs().size() + " samples)", gate.inputs());
        }
        if (validationData.isPresent()) {
            return validationData.get().limit(gate.samples(true));
        }
        return GeneratedSamples.of(original, shapes, binding.inputValues(), gate.samples(false), SEED + 1000);
    }

    private ValidationOutcome validate(OnnxModel original, OnnxModel optimized, SessionSettings settings,
            SampleSource samples) throws LatheException {
        progress.started("validation", samples.sizeHint().isPresent() ? (int) samples.sizeHint().getAsLong() : -1);
        Task modelTask = task.orElseGet(() -> Task.detect(original));
        try {
            if (gate.inputs().isEmpty() && validationData.isPresent() && validationData.get() instanceof ValidationService remote) {
                return remote.judge(gate, original, optimized, modelTask, gate.samples(true));
            }
            return gate.judge(original, optimized, settings, samples, modelTask);
        } finally {
            progress.finished("validation");
        }
    }

    /**
     * Before any work: the output (and its external data file) must not be a file the input model reads,
     * and its folder must be writable.
     */
    private void guardOutput(OnnxModel original, Path output) throws InvalidModelException, IOException {
        Path target = output.toAbsolutePath().normalize();
        Path dataFile = saveOptions.dataFileFor(target);
        boolean overwritingModel = original.file().isPresent()
                && original.file().get().toAbsolutePath().normalize().equals(target);
        for (Path read : original.externalDataFiles().keySet()) {
            Path normalized = read.toAbsolutePath().normalize();
            if (normalized.equals(target) || normalized.equals(dataFile) && !overwritingModel) {
                throw new IllegalArgumentException("refusing to write " + output + (normalized.equals(target) ? ""
                        : " with its external data in " + dataFile) + ": the input model " + original.source()
                        + " reads its weights from " + read + "; choose another output");
            }
        }
        AtomicFiles.requireWritable(output);
    }

    /** The original: in its own runtime when it was imported, else on the provider like the optimized model. */
    private BenchmarkResult measureOriginal(OnnxModel original, Optional<ImportedModel> imported, SessionSettings settings,
            Map<String, TensorData> inputs) throws LatheException {
        if (imported.isEmpty()) {
            return measure("benchmark original", original, settings, inputs);
        }
        progress.started("benchmark original", benchmark.warmupRuns() + benchmark.timedRuns());
        try {
            return imported.get().benchmark(settings.provider(), inputs, benchmark);
        } finally {
            progress.finished("benchmark original");
        }
    }

    /** The converted model against the original on the first validation samples. */
    private ConversionFidelity checkConversion(ImportedModel imported, SampleSource samples) throws LatheException {
        List<Map<String, TensorData>> firsts = new ArrayList<>();
        for (Map<String, TensorData> sample : samples) {
            firsts.add(sample);
            if (firsts.size() == CONVERSION_SAMPLES) {
                break;
            }
        }
        progress.started("check conversion", firsts.size());
        try {
            return imported.check(firsts);
        } finally {
            progress.finished("check conversion");
        }
    }

    /** The outcome, failed when the conversion missed its tolerance. */
    private static ValidationOutcome withConversion(ValidationOutcome validation, ConversionFidelity conversion) {
        if (conversion.withinTolerance()) {
            return validation;
        }
        List<String> failures = new ArrayList<>(validation.failures());
        failures.add("conversion from " + conversion.from() + ": relative error " + conversion.relativeError()
                + " exceeds " + ConversionFidelity.TOLERANCE);
        return new ValidationOutcome(true, false, validation.thresholds(), failures, validation.fidelity(),
                validation.task(), validation.taskMetrics(), validation.metrics(), validation.writtenDespiteFailure());
    }

    private BenchmarkResult measure(String task, OnnxModel model, SessionSettings settings, Map<String, TensorData> inputs)
            throws LatheException {
        progress.started(task, benchmark.warmupRuns() + benchmark.timedRuns());
        try {
            return Benchmark.run(model, settings, inputs, benchmark);
        } finally {
            progress.finished(task);
        }
    }

    /** Configures a {@link Pipeline}; {@code build()} may be called more than once. */
    public static final class Builder {
        private final List<Pass> passes = new ArrayList<>();
        private ProviderPolicy providerPolicy = ProviderPolicy.auto();
        private ValidationGate gate = ValidationGate.taskDefaults();
        private ShapeBinding binding = ShapeBinding.none();
        private Optional<SampleSource> calibration = Optional.empty();
        private Optional<SampleSource> validationData = Optional.empty();
        private boolean calibrateOnGenerated;
        private int calibrationSamples = 8;
        private int calibrationLimit = PassContext.DEFAULT_CALIBRATION_LIMIT;
        private Optional<Task> task = Optional.empty();
        private BenchmarkOptions benchmark = BenchmarkOptions.defaults();
        private Pricing pricing = Pricing.DEFAULT;
        private ProgressListener progress = ProgressListener.none();
        private boolean writeOnValidationFailure;
        private boolean allowOverwrite;
        private SaveOptions saveOptions = SaveOptions.defaults();
        private ProviderSelector selector = ProviderSelector.forThisMachine();

        private Builder() {
        }

        /** Appends a pass. */
        public Builder add(Pass pass) {
            passes.add(pass);
            return this;
        }

        /** How to choose the execution provider (default {@link ProviderPolicy#auto()}). */
        public Builder provider(ProviderPolicy policy) {
            this.providerPolicy = policy;
            return this;
        }

        /** Chooses providers with this selector (default: this machine's providers). */
        public Builder selector(ProviderSelector providerSelector) {
            this.selector = providerSelector;
            return this;
        }

        /** The validation gate (default {@link ValidationGate#taskDefaults()}: the thresholds of the model's task). */
        public Builder validation(ValidationGate validationGate) {
            this.gate = validationGate;
            return this;
        }

        /**
         * The input shapes to optimize and measure for. By default they come from the data (the sample of
         * median size among the first validation samples) when data is given, and otherwise from {@link
         * dev.lathe.core.model.DimensionDefaults} (batch 1, sequence 128, image 224x224, audio 512 samples).
         */
        public Builder shapes(ShapeBinding shapeBinding) {
            this.binding = shapeBinding;
            return this;
        }

        /**
         * Real data for the run, split by {@link DataSplit#of(SampleSource)}: data-aware passes calibrate
         * on one part and the optimized model is judged on the held-out rest.
         */
        public Builder data(SampleSource samples) {
            DataSplit split = DataSplit.of(samples);
            this.calibration = Optional.of(split.calibration());
            this.validationData = Optional.of(split.validation());
            return this;
        }

        /** Calibration samples for data-aware passes (default: none, or those of {@link #data}). */
        public Builder calibration(SampleSource samples) {
            this.calibration = Optional.of(samples);
            return this;
        }

        /** Calibration samples given in code; an empty list means none. */
        public Builder calibration(List<Map<String, TensorData>> samples) {
            this.calibration = samples.isEmpty() ? Optional.empty()
                    : Optional.of(SampleSource.of("given in code (" + samples.size() + " samples)", List.copyOf(samples)));
            return this;
        }

        /** Held-out samples to judge the optimized model on (default: none, or those of {@link #data}). */
        public Builder validationData(SampleSource samples) {
            this.validationData = Optional.of(samples);
            return this;
        }

        /**
         * Let data-aware passes calibrate on generated inputs when no calibration data is given (default
         * false: they use their data-free form or refuse). Generated inputs calibrate far worse than real
         * data; reports mark them.
         */
        public Builder calibrateOnGenerated(boolean allow) {
            this.calibrateOnGenerated = allow;
            return this;
        }

        /** How many samples to generate for {@link #calibrateOnGenerated} (default 8). */
        public Builder calibrationSamples(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("calibration needs at least one sample, got " + count);
            }
            this.calibrationSamples = count;
            return this;
        }

        /** The most calibration samples passes read (default {@value PassContext#DEFAULT_CALIBRATION_LIMIT}). */
        public Builder calibrationLimit(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("calibration limit must be >= 1, got " + count);
            }
            this.calibrationLimit = count;
            return this;
        }

        /** The model's task, which chooses the validation metrics (default: {@link Task#detect}). */
        public Builder task(Task modelTask) {
            this.task = Optional.of(modelTask);
            return this;
        }

        /** How to measure latency and memory (default {@link BenchmarkOptions#defaults()}). */
        public Builder benchmark(BenchmarkOptions options) {
            this.benchmark = options;
            return this;
        }

        /** The instance price for the cost figures (default {@link Pricing#DEFAULT}). */
        public Builder pricing(Pricing price) {
            this.pricing = price;
            return this;
        }

        /** Where to report progress. */
        public Builder progress(ProgressListener listener) {
            this.progress = listener;
            return this;
        }

        /** Write the model even when validation fails; the report marks it (default false). */
        public Builder writeOnValidationFailure(boolean write) {
            this.writeOnValidationFailure = write;
            return this;
        }

        /** Allow the output to replace the input file (default false). */
        public Builder allowOverwrite(boolean allow) {
            this.allowOverwrite = allow;
            return this;
        }

        /** How to lay out the written model (default {@link SaveOptions#defaults()}). */
        public Builder saveOptions(SaveOptions options) {
            this.saveOptions = options;
            return this;
        }

        /** The configured pipeline. */
        public Pipeline build() {
            return new Pipeline(this);
        }
    }
}
