package dev.lathe.prune.structured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link StructuredPruning} as {@code prune.structured}; its options are declared in {@link StructuredPruningSettings}. */
public final class StructuredPruningFactory implements PassFactory {

    @Override
    public String name() {
        return StructuredPruningSettings.PASS;
    }

    @Override
    public PassOptionSet options() {
        return StructuredPruningSettings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new StructuredPruning(options, StructuredPruningSettings.from(options));
    }
}
