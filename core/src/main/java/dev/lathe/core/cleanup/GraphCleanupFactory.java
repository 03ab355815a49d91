package dev.lathe.core.cleanup;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link GraphCleanup} as {@code cleanup}; its options are declared in {@link GraphCleanupSettings}. */
public final class GraphCleanupFactory implements PassFactory {

    @Override
    public String name() {
        return GraphCleanupSettings.PASS;
    }

    @Override
    public PassOptionSet options() {
        return GraphCleanupSettings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new GraphCleanup(options, GraphCleanupSettings.from(options));
    }
}
