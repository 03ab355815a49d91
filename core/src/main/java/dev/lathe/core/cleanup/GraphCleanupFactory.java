package dev.lathe.core.cleanup;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptions;
import java.util.Map;
import java.util.Set;

/** Registers {@link GraphCleanup} as {@code cleanup}; option {@code fold=true|false} (default true). */
public final class GraphCleanupFactory implements PassFactory {

    @Override
    public String name() {
        return "cleanup";
    }

    @Override
    public String description() {
        return "removes unused nodes, bypasses Identity nodes and folds constants (option fold=true|false)";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new GraphCleanup(PassOptions.of(name(), options, Set.of("fold")).getBoolean("fold", true));
    }
}
