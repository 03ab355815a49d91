package dev.lathe.core.runtime;

import dev.lathe.core.provider.ProviderConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How to open a {@link ModelSession}: the execution provider and its configuration, whether ONNX
 * Runtime applies its graph optimizations, and whether it profiles every node.
 *
 * @param provider        the execution provider (CPU is always the fallback for nodes it cannot run)
 * @param optimize        all of ONNX Runtime's graph optimizations (true) or none (false)
 * @param profilingPrefix when present, ONNX Runtime writes a per-node profile with this file prefix
 */
public record SessionSettings(ProviderConfig provider, boolean optimize, Optional<Path> profilingPrefix) {

    /** CPU with default settings and all graph optimizations. */
    public static SessionSettings cpu() {
        return new SessionSettings(ProviderConfig.Cpu.defaults(), true, Optional.empty());
    }

    /** The given provider with all graph optimizations, no profiling. */
    public static SessionSettings of(ProviderConfig provider) {
        return new SessionSettings(provider, true, Optional.empty());
    }

    /** These settings with graph optimizations on or off. */
    public SessionSettings withOptimization(boolean on) {
        return new SessionSettings(provider, on, profilingPrefix);
    }

    /** These settings with profiling into files starting with {@code prefix}. */
    public SessionSettings withProfiling(Path prefix) {
        return new SessionSettings(provider, optimize, Optional.of(prefix));
    }
}
