package dev.lathe.core.selection;

import dev.lathe.core.LatheException;
import dev.lathe.core.ProviderUnavailableException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderAvailability;
import dev.lathe.core.provider.ProviderCatalog;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.SessionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Applies a {@link ProviderPolicy} against a {@link ProviderCatalog} and records a {@link ProviderDecision}
 * with the reason for every candidate. The "fastest" policy benchmarks each available candidate on the
 * model in this process (the same way Olive's session tuning does).
 */
public final class ProviderSelector {
    private final ProviderCatalog catalog;
    private final BenchmarkOptions trialOptions;

    /**
     * @param catalog      which providers are available
     * @param trialOptions runs per candidate of the "fastest" policy (memory is never measured for trials)
     */
    public ProviderSelector(ProviderCatalog catalog, BenchmarkOptions trialOptions) {
        this.catalog = catalog;
        this.trialOptions = trialOptions.withMemory(BenchmarkOptions.MemoryMeasurement.NONE).withProfile(false);
    }

    /** A selector over the system's providers, trying candidates with 3 warm-up and 20 timed runs. */
    public static ProviderSelector forThisMachine() {
        return new ProviderSelector(ProviderCatalog.system(), BenchmarkOptions.defaults().withRuns(3, 20));
    }

    /**
     * Chooses a provider for a model. {@code inputs} are only run by the "fastest" policy.
     *
     * @throws ProviderUnavailableException if a required provider, or every candidate, is unavailable
     * @throws RuntimeFailureException      if benchmarking a candidate fails
     */
    public ProviderDecision select(ProviderPolicy policy, OnnxModel model, Map<String, TensorData> inputs)
            throws LatheException {
        if (policy instanceof ProviderPolicy.Require require) {
            ProviderAvailability availability = catalog.availability(require.provider().provider());
            if (!availability.available()) {
                throw new ProviderUnavailableException("provider '" + availability.name() + "' is required but unavailable: "
                        + availability.reason());
            }
            return new ProviderDecision(require.provider(), policy.name(), List.of(new ProviderDecision.Candidate(
                    require.provider().describe(), true, true, "required", OptionalDouble.empty())));
        }
        if (policy instanceof ProviderPolicy.Prefer prefer) {
            return prefer(prefer);
        }
        return fastest((ProviderPolicy.Fastest) policy, model, inputs);
    }

    private ProviderDecision prefer(ProviderPolicy.Prefer prefer) throws ProviderUnavailableException {
        List<ProviderDecision.Candidate> candidates = new ArrayList<>();
        ProviderConfig chosen = null;
        for (ProviderConfig config : prefer.order()) {
            ProviderAvailability availability = catalog.availability(config.provider());
            if (chosen != null) {
                candidates.add(new ProviderDecision.Candidate(config.describe(), availability.available(), false,
                        "not needed: " + chosen.provider().cliName() + " comes first", OptionalDouble.empty()));
            } else if (availability.available()) {
                chosen = config;
                String why = candidates.isEmpty() ? "first choice, available" : "first available (fallback)";
                candidates.add(new ProviderDecision.Candidate(config.describe(), true, true, why, OptionalDouble.empty()));
            } else {
                candidates.add(new ProviderDecision.Candidate(config.describe(), false, false,
                        "unavailable: " + availability.reason(), OptionalDouble.empty()));
            }
        }
        if (chosen == null) {
            throw new ProviderUnavailableException("no provider of " + prefer.order().stream().map(ProviderConfig::describe)
                    .toList() + " is available: " + candidates.stream().map(ProviderDecision.Candidate::reason).toList());
        }
        return new ProviderDecision(chosen, prefer.name(), candidates);
    }

    private ProviderDecision fastest(ProviderPolicy.Fastest fastest, OnnxModel model, Map<String, TensorData> inputs)
            throws LatheException {
        List<ProviderConfig> trials = new ArrayList<>();
        List<ProviderDecision.Candidate> unavailable = new ArrayList<>();
        for (ProviderConfig config : fastest.candidates()) {
            ProviderAvailability availability = catalog.availability(config.provider());
            if (!availability.available()) {
                unavailable.add(new ProviderDecision.Candidate(config.describe(), false, false,
                        "unavailable: " + availability.reason(), OptionalDouble.empty()));
            } else if (config instanceof ProviderConfig.Cpu cpu && !fastest.cpuThreadCounts().isEmpty()) {
                fastest.cpuThreadCounts().forEach(n -> trials.add(cpu.withIntraOpThreads(n)));
            } else {
                trials.add(config);
            }
        }
        if (trials.isEmpty()) {
            throw new ProviderUnavailableException("no candidate provider is available: "
                    + unavailable.stream().map(c -> c.provider() + " " + c.reason()).toList());
        }
        double[] medians = new double[trials.size()];
        int best = 0;
        for (int i = 0; i < trials.size(); i++) {
            medians[i] = Benchmark.run(model, SessionSettings.of(trials.get(i)), inputs, trialOptions)
                    .latencyMs().p50();
            if (medians[i] < medians[best]) {
                best = i;
            }
        }
        List<ProviderDecision.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            String reason = i == best ? "lowest median latency" : String.format(Locale.ROOT,
                    "%.2fx the median latency of %s", medians[i] / medians[best], trials.get(best).describe());
            candidates.add(new ProviderDecision.Candidate(trials.get(i).describe(), true, i == best, reason,
                    OptionalDouble.of(medians[i])));
        }
        candidates.addAll(unavailable);
        return new ProviderDecision(trials.get(best), fastest.name(), candidates);
    }
}
