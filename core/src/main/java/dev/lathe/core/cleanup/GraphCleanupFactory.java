package dev.lathe.core.cleanup;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
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
        for (String key : options.keySet()) {
            if (!Set.of("fold").contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' of pass cleanup; valid: fold");
            }
        }
        String fold = options.getOrDefault("fold", "true");
        if (!fold.equals("true") && !fold.equals("false")) {
            throw new IllegalArgumentException("option fold of pass cleanup must be true or false, got '" + fold + "'");
        }
        return new GraphCleanup(Boolean.parseBoolean(fold));
    }
}
