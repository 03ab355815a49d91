package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/**
 * Registers activation-aware unstructured pruning as {@code prune.wanda}: {@code prune.magnitude} with
 * Wanda importance (its options are declared in {@link PruningSettings}).
 */
public final class WandaPruningFactory implements PassFactory {

    @Override
    public String name() {
        return "prune.wanda";
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
