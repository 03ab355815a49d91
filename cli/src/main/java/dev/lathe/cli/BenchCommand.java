package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.DimensionDefaults;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.selection.ProviderDecision;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.core.selection.ProviderSelector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lathe bench MODEL}: chooses an execution provider, then measures the model on it (session
 * creation, latency of timed runs after warm-up, throughput, peak memory, optionally the time by op type)
 * and prints the figures with the provider decision, as a table or as JSON.
 */
@Command(name = "bench",
        description = "Measure an ONNX model on an execution provider: session creation, latency, throughput, "
                + "peak memory.")
final class BenchCommand implements Callable<Integer>, GuessesInputSizes {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data is read from its folder).")
    private Path model;

    @Mixin
    private InputOptions inputs;

    @Mixin
    private ProviderOptions provider;

    @Mixin
    private MeasurementOptions measurement;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "100",
            description = "Timed runs (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--profile", description = "Profile every node with ONNX Runtime and report the time by op type.")
    private boolean profile;

    @Option(names = "--json", description = "Print a JSON object instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws LatheException, IOException {
        ProviderPolicy policy = provider.policy();
        BenchmarkOptions options = measurement.options(runs).withProfile(profile);
        OnnxModel loaded = OnnxModel.load(model);
        Map<String, TensorData> feed = inputs.inputs(loaded);
        ProviderDecision decision = ProviderSelector.forThisMachine().select(policy, loaded, feed);
        BenchmarkResult result = Benchmark.run(loaded, SessionSettings.of(decision.selected()), feed, options);
        BenchReport report = new BenchReport(model.toString(), InputOptions.shapesOf(feed), decision, options, result);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(BenchJson.render(report));
        } else {
            out.print(BenchTable.render(report));
        }
        out.flush();
        return 0;
    }

    @Override
    public Map<String, DimensionDefaults.Choice> guessedSizes() {
        return inputs.guessedSizes();
    }

    @Override
    public String sizeOptions() {
        return "--shape NAME=D0xD1x..., --bind DIM=VALUE or --input NAME=FILE.npy";
    }
}
