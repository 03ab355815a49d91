package dev.lathe.cli;

import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.provider.ProviderSpecs;
import dev.lathe.core.selection.ProviderPolicy;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The options that choose where a model runs, shared by the commands that run models: {@code --provider}
 * (a policy, or one provider required) and {@code --threads} (CPU intra-op threads).
 */
final class ProviderOptions {
    private static final String AUTO = "auto";
    private static final String FASTEST = "fastest";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--provider", paramLabel = "PROVIDER", defaultValue = AUTO, converter = PolicyConverter.class,
            description = "Where the model runs: " + AUTO + " (the first available of tensorrt, cuda, cpu), "
                    + FASTEST + " (benchmark every available provider and CPU thread count, keep the fastest), or "
                    + "a provider that is required: cpu, cuda, tensorrt, ..., with options such as cpu:threads=2 "
                    + "(default: ${DEFAULT-VALUE}).")
    private ProviderPolicy policy;

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU intra-op threads (default: ONNX Runtime's choice, one per core); with "
                    + FASTEST + ", the only CPU thread count tried.")
    private Integer threads;

    /**
     * The policy the options give, with {@code --threads} applied to its CPU configuration.
     *
     * @throws ParameterException if {@code --threads} is below 1, or contradicts {@code --provider}
     */
    ProviderPolicy policy() {
        return withThreads(policy);
    }

    /**
     * The policy the options give or, when {@code --provider} is not on the command line, the policy that
     * {@code configured} names (a pipeline file's provider setting); {@code --threads} applies either way.
     *
     * @param configured the provider setting that applies unless {@code --provider} is given
     * @param origin     where {@code configured} comes from, for messages (such as the file)
     * @throws IllegalArgumentException naming {@code origin} when {@code configured} is not a valid setting
     * @throws ParameterException       if {@code --threads} is below 1, or contradicts the provider
     */
    ProviderPolicy policy(Optional<String> configured, String origin) {
        if (configured.isEmpty() || spec.commandLine().getParseResult().hasMatchedOption("--provider")) {
            return policy();
        }
        ProviderPolicy base;
        try {
            base = new PolicyConverter().convert(configured.get());
        } catch (TypeConversionException e) {
            throw new IllegalArgumentException(origin + ": provider " + e.getMessage());
        }
        return withThreads(base);
    }

    private ProviderPolicy withThreads(ProviderPolicy policy) {
        if (threads == null) {
            return policy;
        }
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--threads': " + threads
                    + " is not a thread count (1 or more)");
        }
        if (policy instanceof ProviderPolicy.Prefer prefer) {
            return new ProviderPolicy.Prefer(prefer.order().stream().map(this::cpuWithThreads).toList());
        }
        if (policy instanceof ProviderPolicy.Fastest fastest) {
            return new ProviderPolicy.Fastest(fastest.candidates(), List.of(threads));
        }
        ProviderConfig required = ((ProviderPolicy.Require) policy).provider();
        if (!(required instanceof ProviderConfig.Cpu cpu)) {
            throw new ParameterException(spec.commandLine(), "Option '--threads' sets CPU threads, but --provider "
                    + required.provider().cliName() + " is required");
        }
        if (cpu.intraOpThreads() != 0 && cpu.intraOpThreads() != threads) {
            throw new ParameterException(spec.commandLine(), "Option '--threads " + threads + "' contradicts threads="
                    + cpu.intraOpThreads() + " in --provider");
        }
        return ProviderPolicy.require(cpu.withIntraOpThreads(threads));
    }

    private ProviderConfig cpuWithThreads(ProviderConfig config) {
        return config instanceof ProviderConfig.Cpu cpu ? cpu.withIntraOpThreads(threads) : config;
    }

    /**
     * Parses {@code --provider}: {@code auto}, {@code fastest}, or a provider specification (see
     * {@link ProviderSpecs}) that is then required. The message of a wrong name lists the valid ones.
     */
    static final class PolicyConverter implements ITypeConverter<ProviderPolicy> {
        @Override
        public ProviderPolicy convert(String value) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case AUTO:
                    return ProviderPolicy.auto();
                case FASTEST:
                    return ProviderPolicy.fastest(ProviderPolicy.threadCountsForThisMachine());
                default:
                    try {
                        return ProviderPolicy.require(ProviderSpecs.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new TypeConversionException(e.getMessage() + "; or a policy: " + AUTO + ", " + FASTEST);
                    }
            }
        }
    }
}
