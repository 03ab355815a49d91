package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.ProviderDecision;
import dev.lathe.core.runtime.ProviderPolicy;
import dev.lathe.core.runtime.ProviderSelector;
import dev.lathe.core.runtime.SessionSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
final class CompareCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "The reference .onnx file.")
    private Path modelA;

    @Parameters(index = "1", paramLabel = "B", description = "The .onnx file compared with A (same inputs).")
    private Path modelB;

    @Mixin
    private InputOptions inputs;

    @Mixin
    private ProviderOptions provider;

    @Mixin
    private MeasurementOptions measurement;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "10",
            description = "Generated input samples the outputs are compared on (default: ${DEFAULT-VALUE}); "
                    + "with --input, the given inputs are the one sample.")
    private int samples;

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
        OnnxModel a = OnnxModel.load(modelA);
        OnnxModel b = OnnxModel.load(modelB);
        requireSameInputs(a, b);
        List<Map<String, TensorData>> feeds = inputs.samples(a, samples);
        ProviderDecision decision = ProviderSelector.forThisMachine().select(policy, a, feeds.get(0));
        SessionSettings settings = SessionSettings.of(decision.selected());
        Fidelity fidelity;
        try (ModelSession sessionA = ModelSession.open(a, settings);
                ModelSession sessionB = ModelSession.open(b, settings)) {
            fidelity = FidelityMeter.compare(sessionA, sessionB, feeds);
        }
        BenchmarkResult resultA = Benchmark.run(a, settings, feeds.get(0), options);
        BenchmarkResult resultB = Benchmark.run(b, settings, feeds.get(0), options);
        Comparison comparison = new Comparison(modelA.toString(), modelB.toString(),
                InputOptions.shapesOf(feeds.get(0)), decision, options, fidelity, resultA, resultB);
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
}
