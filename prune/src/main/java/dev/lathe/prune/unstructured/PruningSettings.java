package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.PassOptions;
import dev.lathe.core.weights.NodeFilter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings of a sparsity pass, read from its text options.
 *
 * @param pattern    which weights are zeroed
 * @param importance how weights are ranked
 * @param filter     which nodes' weights are pruned
 */
public record PruningSettings(SparsityPattern pattern, Importance importance, NodeFilter filter) {
    /** The op types whose weights can be pruned, and the default of option {@code ops}. */
    public static final Set<String> PRUNABLE_OPS = Set.of("MatMul", "Gemm", "Conv");
    /** Default of option {@code sparsity}. */
    public static final double DEFAULT_SPARSITY = 0.5;
    /** Default of option {@code min-size}: every weight is pruned, however small. */
    public static final long DEFAULT_MIN_SIZE = 0;

    /**
     * Options of {@code prune.magnitude}: {@code sparsity} (0..1, default 0.5), {@code scope}
     * (output|layer|global; default layer, or output with Wanda importance), {@code importance}
     * (magnitude|wanda, default magnitude), and the node filter's {@code ops} (default MatMul+Gemm+Conv),
     * {@code include}, {@code exclude}, {@code min-size} (default 0).
     *
     * @throws IllegalArgumentException naming the option when one is unknown or malformed
     */
    public static PruningSettings magnitude(Map<String, String> text) {
        PassOptions options = PassOptions.of("prune.magnitude", text, keys("sparsity", "scope", "importance"));
        return unstructured("prune.magnitude", options, importance(options));
    }

    /**
     * Options of {@code prune.wanda}: those of {@link #magnitude} without {@code importance}, which is
     * Wanda's; the scope defaults to {@code output}.
     *
     * @throws IllegalArgumentException naming the option when one is unknown or malformed
     */
    public static PruningSettings wanda(Map<String, String> text) {
        PassOptions options = PassOptions.of("prune.wanda", text, keys("sparsity", "scope"));
        return unstructured("prune.wanda", options, Importance.WANDA);
    }

    /**
     * Options of {@code prune.nm}: {@code n} (kept per group, default 2), {@code m} (group size, default 4;
     * n must be below m), {@code importance} (magnitude|wanda, default magnitude), and the node filter's
     * options as for {@link #magnitude}.
     *
     * @throws IllegalArgumentException naming the option when one is unknown or malformed
     */
    public static PruningSettings nm(Map<String, String> text) {
        PassOptions options = PassOptions.of("prune.nm", text, keys("n", "m", "importance"));
        int m = (int) options.getLong("m", 4, 2, 1 << 16);
        int n = (int) options.getLong("n", Math.min(2, m - 1), 1, m - 1);
        return new PruningSettings(new SparsityPattern.SemiStructured(n, m), importance(options), filter("prune.nm", options));
    }

    private static PruningSettings unstructured(String pass, PassOptions options, Importance importance) {
        Scope defaultScope = importance == Importance.WANDA ? Scope.OUTPUT : Scope.LAYER;
        String scope = options.getChoice("scope", defaultScope.optionValue(), Scope.OUTPUT.optionValue(),
                Scope.LAYER.optionValue(), Scope.GLOBAL.optionValue());
        SparsityPattern pattern = new SparsityPattern.Unstructured(options.getDouble("sparsity", DEFAULT_SPARSITY, 0, 1),
                Scope.valueOf(scope.toUpperCase(Locale.ROOT)));
        return new PruningSettings(pattern, importance, filter(pass, options));
    }

    private static Importance importance(PassOptions options) {
        String value = options.getChoice("importance", Importance.MAGNITUDE.optionValue(),
                Importance.MAGNITUDE.optionValue(), Importance.WANDA.optionValue());
        return Importance.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private static NodeFilter filter(String pass, PassOptions options) {
        NodeFilter filter = NodeFilter.from(options, PRUNABLE_OPS, DEFAULT_MIN_SIZE);
        filter.opTypes().stream().filter(op -> !PRUNABLE_OPS.contains(op)).sorted().findFirst().ifPresent(op -> {
            throw new IllegalArgumentException("option ops of pass " + pass + " must list op types from Conv, Gemm, MatMul, got '"
                    + op + "'");
        });
        return filter;
    }

    private static Set<String> keys(String... own) {
        Set<String> keys = new HashSet<>(NodeFilter.KEYS);
        keys.addAll(Set.of(own));
        return keys;
    }
}
