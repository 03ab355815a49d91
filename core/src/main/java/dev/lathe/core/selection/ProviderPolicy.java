package dev.lathe.core.selection;

import dev.lathe.core.provider.ProviderConfig;
import java.util.List;

/** How to choose the execution provider a model runs on; {@link ProviderSelector} applies it. */
public sealed interface ProviderPolicy {

    /** A short name for reports: "prefer", "require" or "fastest". */
    String name();

    /** TensorRT, then CUDA, then CPU: the first available wins. */
    static ProviderPolicy auto() {
        return new Prefer(List.of(ProviderConfig.TensorRt.defaults(), ProviderConfig.Cuda.defaults(),
                ProviderConfig.Cpu.defaults()));
    }

    /** Exactly this provider, or an error saying why it cannot be used. */
    static ProviderPolicy require(ProviderConfig provider) {
        return new Require(provider);
    }

    /**
     * Every available provider of TensorRT, CUDA and CPU (CPU with each of the thread counts) is
     * benchmarked on the model; the lowest median latency wins.
     */
    static ProviderPolicy fastest(List<Integer> cpuThreadCounts) {
        return new Fastest(List.of(ProviderConfig.TensorRt.defaults(), ProviderConfig.Cuda.defaults(),
                ProviderConfig.Cpu.defaults()), cpuThreadCounts);
    }

    /** Thread counts worth trying on this machine: 1, 2, 4, ... up to the number of cores, and the cores. */
    static List<Integer> threadCountsForThisMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        java.util.TreeSet<Integer> counts = new java.util.TreeSet<>();
        for (int n = 1; n <= cores; n *= 2) {
            counts.add(n);
        }
        counts.add(cores);
        return List.copyOf(counts);
    }

    /** The first available provider in the given order. */
    record Prefer(List<ProviderConfig> order) implements ProviderPolicy {
        /** Copies the list; it must not be empty. */
        public Prefer {
            order = List.copyOf(order);
            if (order.isEmpty()) {
                throw new IllegalArgumentException("a preference order needs at least one provider");
            }
        }

        @Override
        public String name() {
            return "prefer";
        }
    }

    /** One provider, no fallback. */
    record Require(ProviderConfig provider) implements ProviderPolicy {
        @Override
        public String name() {
            return "require";
        }
    }

    /** The available candidate with the lowest median latency on the model. */
    record Fastest(List<ProviderConfig> candidates, List<Integer> cpuThreadCounts) implements ProviderPolicy {
        /** Copies the lists. */
        public Fastest {
            candidates = List.copyOf(candidates);
            cpuThreadCounts = List.copyOf(cpuThreadCounts);
            if (cpuThreadCounts.stream().anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException("CPU thread counts must be >= 1: " + cpuThreadCounts);
            }
        }

        @Override
        public String name() {
            return "fastest";
        }
    }
}
