package dev.lathe.core.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.LatheException;
import dev.lathe.core.LatheVersion;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.report.Cost;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.Pricing;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.InputGenerator;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.ProviderDecision;
import dev.lathe.core.runtime.ProviderPolicy;
import dev.lathe.core.runtime.ProviderSelector;
import dev.lathe.core.runtime.SessionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes a model through optimization passes and reports, honestly, what it cost before and after:
 *
 * <pre>{@code
 * PipelineResult result = Pipeline.builder()
 *         .add(registry.create("cleanup"))
 *         .shapes(ShapeBinding.none().withDimension("sequence_length", 128))
 *         .provider(ProviderPolicy.auto())
 *         .validation(ValidationGate.parse("min-cosine=0.99"))
 *         .build()
 *         .run(Path.of("model.onnx"), Path.of("model.opt.onnx"));
 * }</pre>
 *
 * <p>A run loads the model, takes its static footprint, chooses the provider, applies each pass (recording
 * options, duration, status and the footprint after it), stamps provenance into the model's
 * {@code metadata_props}, validates the result against the original on the same inputs, measures both on
 * the chosen provider (in the order original, optimized, optimized, original, each model's two rounds
 * averaged, so that drifting machine load favours neither), prices them, and only then writes the model,
 * atomically. When validation fails nothing is written (unless asked) and
 * {@link ValidationFailedException} carries the report. The input file is never overwritten unless
 * {@link Builder#allowOverwrite} says so.
 */
public final class Pipeline {
    /** metadata_props key of the Lathe version that wrote a model. */
    public static final String VERSION_KEY = "lathe.version";
    /** metadata_props key of the steps (passes and options, JSON) that made a model. */
    public static final String STEPS_KEY = "lathe.pipeline";
    private static final long SEED = 1234;

    private final List<Pass> passes;
    private final ProviderPolicy providerPolicy;
    private final ValidationGate gate;
    private final ShapeBinding binding;
    private final List<Map<String, TensorData>> calibration;
    private final int calibrationSamples;
    private final BenchmarkOptions benchmark;
    private final Pricing pricing;
    private final ProgressListener progress;
    private final boolean writeOnValidationFailure;
    private final boolean allowOverwrite;
    private final SaveOptions saveOptions;
    private final ProviderSelector selector;

    private Pipeline(Builder builder) {
        this.passes = List.copyOf(builder.passes);
        this.providerPolicy = builder.providerPolicy;
        this.gate = builder.gate;
        this.binding = builder.binding;
        this.calibration = builder.calibration;
        this.calibrationSamples = builder.calibrationSamples;
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
        return passes;
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
        Map<String, long[]> shapes = binding.resolve(original);
        Footprint before = FootprintAnalyzer.analyze(original, binding);
        Map<String, TensorData> benchmarkInputs = InputGenerator.generate(original, shapes, SEED);
        ProviderDecision decision = selector.select(providerPolicy, original, benchmarkInputs);
        SessionSettings settings = SessionSettings.of(decision.selected());

        List<Map<String, TensorData>> calibrationInputs = calibration.isEmpty()
                ? InputGenerator.samples(original, shapes, calibrationSamples, SEED + 100) : calibration;
        PassContext context = new PassContext(binding, calibrationInputs, progress);
        List<StepRecord> steps = new ArrayList<>();
        OnnxModel current = original;
        for (Pass pass : passes) {
            current = applyStep(pass, current, context, steps);
        }
        OnnxModel optimized = withProvenance(current);
        Footprint after = FootprintAnalyzer.analyze(optimized, binding);

        ValidationOutcome validation = validate(original, optimized, settings, shapes);
        // Original, optimized, optimized, original: a machine that gets busier or quieter while measuring
        // then favours neither model.
        BenchmarkResult firstBefore = measure("benchmark original", original, settings, benchmarkInputs);
        BenchmarkResult firstAfter = measure("benchmark optimized", optimized, settings, benchmarkInputs);
        BenchmarkResult measuredAfter = firstAfter.averagedWith(measure("benchmark optimized", optimized, settings,
                benchmarkInputs));
        BenchmarkResult measuredBefore = firstBefore.averagedWith(measure("benchmark original", original, settings,
                benchmarkInputs));
        Cost cost = Cost.of(pricing, measuredBefore, measuredAfter, before, after);
        OptimizationReport report = new OptimizationReport(LatheVersion.get(), original.source(), Optional.empty(), before,
                after, measuredBefore, measuredAfter, steps, decision, validation, cost);
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

    private OnnxModel applyStep(Pass pass, OnnxModel model, PassContext context, List<StepRecord> steps)
            throws LatheException {
        String task = "step " + pass.name();
        progress.started(task, -1);
        long start = System.nanoTime();
        try {
            PassResult result = pass.apply(model, context);
            Footprint footprint = FootprintAnalyzer.analyze(result.model(), binding);
            steps.add(new StepRecord(pass.name(), pass.options(), (System.nanoTime() - start) / 1e6, StepRecord.Status.OK,
                    result.details(), footprint));
            return result.model();
        } catch (LatheException | RuntimeException e) {
            steps.add(new StepRecord(pass.name(), pass.options(), (System.nanoTime() - start) / 1e6,
                    StepRecord.Status.FAILED, Map.of("error", String.valueOf(e.getMessage())), null));
            if (e instanceof PassFailedException failed) {
                throw failed;
            }
            throw new PassFailedException("pass " + pass.name() + " failed on " + model.source() + ": " + e.getMessage(), e);
        } finally {
            progress.finished(task);
        }
    }

    private OnnxModel withProvenance(OnnxModel model) throws LatheException {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode steps = mapper.createArrayNode();
        for (Pass pass : passes) {
            ObjectNode step = steps.addObject();
            step.put("pass", pass.name());
            step.set("options", mapper.valueToTree(new LinkedHashMap<>(pass.options())));
        }
        return model.edit().putMetadata(VERSION_KEY, LatheVersion.get()).putMetadata(STEPS_KEY, steps.toString()).build();
    }

    private ValidationOutcome validate(OnnxModel original, OnnxModel optimized, SessionSettings settings,
            Map<String, long[]> shapes) throws LatheException {
        progress.started("validation", gate.inputs().isEmpty() ? gate.samples() : gate.inputs().size());
        try (ModelSession reference = ModelSession.open(original, settings);
                ModelSession candidate = ModelSession.open(optimized, settings)) {
            List<Map<String, TensorData>> samples = gate.inputs().isEmpty()
                    ? InputGenerator.samples(original, shapes, gate.samples(), SEED + 1000) : gate.inputs();
            Fidelity fidelity = FidelityMeter.compare(reference, candidate, samples);
            Map<String, double[]> metrics = new LinkedHashMap<>();
            for (ValidationGate.EvaluatorCheck check : gate.evaluators()) {
                metrics.put(check.evaluator().name(), new double[] {check.evaluator().evaluate(reference),
                    check.evaluator().evaluate(candidate)});
            }
            return gate.check(fidelity, metrics);
        } finally {
            progress.finished("validation");
        }
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
        private ValidationGate gate = ValidationGate.measureOnly();
        private ShapeBinding binding = ShapeBinding.none();
        private List<Map<String, TensorData>> calibration = List.of();
        private int calibrationSamples = 8;
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

        /** The validation gate (default: measure fidelity only). */
        public Builder validation(ValidationGate validationGate) {
            this.gate = validationGate;
            return this;
        }

        /** The input shapes to optimize and measure for (default: symbolic dimensions 1). */
        public Builder shapes(ShapeBinding shapeBinding) {
            this.binding = shapeBinding;
            return this;
        }

        /** Calibration inputs for data-aware passes (default: {@code 8} generated samples). */
        public Builder calibration(List<Map<String, TensorData>> samples) {
            this.calibration = List.copyOf(samples);
            return this;
        }

        /** How many calibration samples to generate when none are given. */
        public Builder calibrationSamples(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("calibration needs at least one sample, got " + count);
            }
            this.calibrationSamples = count;
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
