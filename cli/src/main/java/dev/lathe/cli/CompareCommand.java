package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DimensionDefaults;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.selection.ProviderDecision;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.core.selection.ProviderSelector;
import dev.lathe.core.task.Task;
import dev.lathe.core.task.TaskMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lathe compare A B}: runs model B against the reference model A on the same input samples and
 * reports how closely B's outputs follow A's (cosine similarity, absolute errors, top-1 agreement), then
 * measures both the way {@code lathe bench} does, side by side. Both run on the provider chosen for A.
 */
@Command(name = "compare",
        description = "Compare model B against model A on the same inputs: output fidelity, then latency, "
                + "throughput and peak memory of both.")
final class CompareCommand implements Callable<Integer>, GuessesInputSizes {
    /** Generated samples compared when no --data is given and --samples does not say. */
    private static final int GENERATED_SAMPLES = 10;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "The reference .onnx file.")
    private Path modelA;

    @Parameters(index = "1", paramLabel = "B", description = "The .onnx file compared with A (same inputs).")
    private Path modelB;

    @Mixin
    private InputOptions inputs;

    @Mixin
    private DataOptions data;

    @Mixin
    private ProviderOptions provider;

    @Mixin
    private MeasurementOptions measurement;

    @Option(names = "--samples", paramLabel = "N",
            description = "Input samples the outputs are compared on: generated ones (default: 10), or the first N of "
                    + "--data (default: 200); with --input, the given inputs are the one sample.")
    private Integer samples;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "50",
            description = "Timed runs of each model (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--json", description = "Print a JSON object instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws LatheException, IOException {
        ProviderPolicy policy = provider.policy();
        BenchmarkOptions options = measurement.options(runs);
        if (inputs.given() && spec.commandLine().getParseResult().hasMatchedOption("--samples")) {
            throw new ParameterException(spec.commandLine(),
                    "Options '--samples' and '--input' exclude each other: the given inputs are the one sample");
        }
        if (samples != null && samples < 1) {
            throw new ParameterException(spec.commandLine(), "--samples must be at least 1, got " + samples);
        }
        OnnxModel a = OnnxModel.load(modelA);
        OnnxModel b = OnnxModel.load(modelB);
        requireSameInputs(a, b);
        if (inputs.given() && data.location().isPresent()) {
            throw new ParameterException(spec.commandLine(), "Options '--data' and '--input' exclude each other");
        }
        Optional<SampleSource> real = data.open(a, modelA, Optional.empty());
        try {
            int generated = samples == null ? GENERATED_SAMPLES : samples;
            SampleSource compared = real.isPresent()
                    ? real.get().limit(samples == null ? ValidationGate.DEFAULT_REAL_SAMPLES : samples)
                    : SampleSource.of(inputs.given() ? "given inputs" : "generated (" + generated + " random samples)",
                            inputs.samples(a, generated));
            List<Map<String, TensorData>> first = compared.take(1);
            if (first.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--data holds no samples");
            }
            ProviderDecision decision = ProviderSelector.forThisMachine().select(policy, a, first.get(0));
            SessionSettings settings = SessionSettings.of(decision.selected());
            Task task = Task.detect(a);
            TaskMetrics metrics = TaskMetrics.of(task);
            Fidelity fidelity;
            try (ModelSession sessionA = ModelSession.open(a, settings);
                    ModelSession sessionB = ModelSession.open(b, settings)) {
                fidelity = FidelityMeter.compare(sessionA, sessionB, compared, metrics::add);
            }
            return report(a, b, first.get(0), decision, settings, options, fidelity, compared.description(), task,
                    metrics.results());
        } finally {
            if (real.isPresent() && real.get() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // Closing a tokenizer frees native memory; nothing to report.
                }
            }
        }
    }

    private int report(OnnxModel a, OnnxModel b, Map<String, TensorData> feed, ProviderDecision decision,
            SessionSettings settings, BenchmarkOptions options, Fidelity fidelity, String source, Task task,
            Map<String, Double> taskMetrics) throws LatheException, IOException {
        BenchmarkResult resultA = Benchmark.run(a, settings, feed, options);
        BenchmarkResult resultB = Benchmark.run(b, settings, feed, options);
        Comparison comparison = new Comparison(modelA.toString(), modelB.toString(), InputOptions.shapesOf(feed), decision,
                options, fidelity, source, task.name(), taskMetrics, resultA, resultB);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ComparisonJson.render(comparison));
        } else {
            out.print(ComparisonTable.render(comparison));
        }
        out.flush();
        return 0;
    }

    private static void requireSameInputs(OnnxModel a, OnnxModel b) {
        Set<String> inputsA = inputNames(a);
        Set<String> inputsB = inputNames(b);
        if (!inputsA.equals(inputsB)) {
            throw new IllegalArgumentException(b.source() + " has the inputs " + inputsB + ", but " + a.source()
                    + " has " + inputsA + "; compare needs models with the same inputs");
        }
    }

    private static Set<String> inputNames(OnnxModel model) {
        return model.graph().inputs().stream().map(ValueInfoProto::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Override
    public Map<String, DimensionDefaults.Choice> guessedSizes() {
        return inputs.guessedSizes();
    }

    @Override
    public String sizeOptions() {
        return "--shape NAME=D0xD1x..., --bind DIM=VALUE, --input NAME=FILE.npy or --data";
    }
}
