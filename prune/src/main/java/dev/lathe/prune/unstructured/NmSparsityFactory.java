package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers N:M semi-structured sparsity as {@code prune.nm} (its options are declared in {@link PruningSettings}). */
public final class NmSparsityFactory implements PassFactory {

    @Override
    public String name() {
        return "prune.nm";
    }

    @Override
    public PassOptionSet options() {
        return PruningSettings.options(name());
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new SparsityPruning(name(), options, PruningSettings.from(name(), options));
    }
}
