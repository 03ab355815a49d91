package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers unstructured pruning as {@code prune.magnitude} (its options are declared in {@link PruningSettings}). */
public final class MagnitudePruningFactory implements PassFactory {

    @Override
    public String name() {
        return "prune.magnitude";
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
