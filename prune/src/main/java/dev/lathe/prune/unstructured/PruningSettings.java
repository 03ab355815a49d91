package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import dev.lathe.core.weights.NodeFilter;
import dev.lathe.prune.unstructured.SparsityPattern.SemiStructured;
import dev.lathe.prune.unstructured.SparsityPattern.Unstructured;
import java.util.Map;
import java.util.Set;

/**
 * The settings of the sparsity passes {@code prune.magnitude}, {@code prune.wanda} and {@code prune.nm}. Read
 * them from a pass's text options with {@link #from}, or build them:
 * {@code PruningSettings.builder("prune.nm").n(2).m(4).importance(Importance.WANDA).build()}.
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

    private static final String DENSE = " Zeros are stored densely: no speed-up on ONNX Runtime CPU.";
    private static final String SCOPE_DOC = "which weights compete for the sparsity: those of each output, of each layer, "
            + "or all";

    static final PassOption<Double> SPARSITY = PassOption.number("sparsity", DEFAULT_SPARSITY, 0, 1,
            "share of the selected weights that is zeroed");
    static final PassOption<Scope> SCOPE = PassOption.choice("scope", Scope.LAYER, SCOPE_DOC)
            .defaultDescribed("layer; output with importance=wanda");
    static final PassOption<Scope> WANDA_SCOPE = PassOption.choice("scope", Scope.OUTPUT, SCOPE_DOC);
    static final PassOption<Importance> IMPORTANCE = PassOption.choice("importance", Importance.MAGNITUDE,
            "how weights are ranked: |w|, or |w| times the norm of its input channel on the calibration inputs");
    static final PassOption<Long> M = PassOption.integer("m", 4, 2, 1 << 16, "group size along the reduction dimension");
    static final PassOption<Long> N = PassOption.integer("n", 2, 1, (1 << 16) - 1, "weights kept in every group, fewer than m")
            .defaultDescribed("2; 1 when m=2");
    static final NodeFilter.Options FILTER = NodeFilter.options(PRUNABLE_OPS, PRUNABLE_OPS, DEFAULT_MIN_SIZE);

    private static final PassOptionSet MAGNITUDE = PassOptionSet.of("prune.magnitude",
            "unstructured pruning: zeroes the lowest-|w| weights of MatMul/Gemm/Conv." + DENSE,
            SPARSITY, SCOPE, IMPORTANCE).with(FILTER.all());
    private static final PassOptionSet WANDA = PassOptionSet.of("prune.wanda",
            "Wanda pruning: zeroes the weights of MatMul/Gemm/Conv with the lowest |w|·‖input channel‖ on the calibration "
                    + "inputs." + DENSE, SPARSITY, WANDA_SCOPE).with(FILTER.all());
    private static final PassOptionSet NM = PassOptionSet.of("prune.nm",
            "N:M sparsity: keeps the n largest of every m weights along the reduction dimension of MatMul/Gemm/Conv (the "
                    + "2:4 layout of sparse tensor cores and TensorRT)." + DENSE, N, M, IMPORTANCE).with(FILTER.all());

    /**
     * The declared options of {@code prune.magnitude}, {@code prune.wanda} or {@code prune.nm}.
     *
     * @throws IllegalArgumentException for another pass name
     */
    public static PassOptionSet options(String pass) {
        return switch (pass) {
            case "prune.magnitude" -> MAGNITUDE;
            case "prune.wanda" -> WANDA;
            case "prune.nm" -> NM;
            default -> throw new IllegalArgumentException("not a sparsity pass: " + pass
                    + "; sparsity passes: prune.magnitude, prune.nm, prune.wanda");
        };
    }

    /**
     * Reads the text options of a sparsity pass.
     *
     * @param pass {@code prune.magnitude}, {@code prune.wanda} or {@code prune.nm}
     * @throws IllegalArgumentException naming the option when one is unknown or malformed
     */
    public static PruningSettings from(String pass, Map<String, String> text) {
        PassOptionValues options = options(pass).read(text);
        Importance importance = pass.equals("prune.wanda") ? Importance.WANDA : options.get(IMPORTANCE);
        if (pass.equals("prune.nm")) {
            int m = Math.toIntExact(options.get(M));
            int n = Math.toIntExact(options.find(N).orElse((long) Math.min(2, m - 1)));
            if (n > m - 1) {
                throw options.invalid(N, "an integer from 1 to " + (m - 1));
            }
            return new PruningSettings(new SemiStructured(n, m), importance, FILTER.read(options));
        }
        Scope scope = options.find(SCOPE).orElse(importance == Importance.WANDA ? Scope.OUTPUT : Scope.LAYER);
        return new PruningSettings(new Unstructured(options.get(SPARSITY), scope), importance, FILTER.read(options));
    }

    /**
     * A builder for a sparsity pass, starting from its defaults; setting an option the pass does not take is
     * an error at {@link Builder#build()}.
     *
     * @param pass {@code prune.magnitude}, {@code prune.wanda} or {@code prune.nm}
     */
    public static Builder builder(String pass) {
        options(pass);
        return new Builder(pass);
    }

    /**
     * The pass these settings belong to: {@code prune.nm} for an N:M pattern, {@code prune.wanda} for
     * unstructured pruning with Wanda importance, {@code prune.magnitude} otherwise.
     */
    public String pass() {
        if (pattern instanceof SemiStructured) {
            return "prune.nm";
        }
        return importance == Importance.WANDA ? "prune.wanda" : "prune.magnitude";
    }

    /** Every setting as option text of {@link #pass()}, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        Builder builder = builder(pass());
        if (pattern instanceof SemiStructured nm) {
            builder.n(nm.n()).m(nm.m()).importance(importance);
        } else if (pattern instanceof Unstructured unstructured) {
            builder.sparsity(unstructured.sparsity()).scope(unstructured.scope());
            if (importance != Importance.WANDA) {
                builder.importance(importance);
            }
        }
        return builder.filter(filter).options();
    }

    /** Builds {@link PruningSettings} for one sparsity pass; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<PruningSettings, Builder> {
        private final String pass;

        private Builder(String pass) {
            this.pass = pass;
        }

        /** Share of the weights zeroed, 0 to 1 (magnitude, wanda; default {@value PruningSettings#DEFAULT_SPARSITY}). */
        public Builder sparsity(double sparsity) {
            return set(SPARSITY, sparsity);
        }

        /** Which weights compete for the sparsity (magnitude, wanda). */
        public Builder scope(Scope scope) {
            return set(SCOPE, scope);
        }

        /** How weights are ranked (magnitude, nm; default magnitude). */
        public Builder importance(Importance importance) {
            return set(IMPORTANCE, importance);
        }

        /** Weights kept per group (nm; default 2, 1 when m=2). */
        public Builder n(int n) {
            return set(N, (long) n);
        }

        /** Group size (nm; default 4). */
        public Builder m(int m) {
            return set(M, (long) m);
        }

        /** Which nodes' weights are pruned (default: every MatMul, Gemm and Conv). */
        public Builder filter(NodeFilter filter) {
            FILTER.write(filter, this::option);
            return this;
        }

        @Override
        public PruningSettings build() {
            return from(pass, options());
        }
    }
}
