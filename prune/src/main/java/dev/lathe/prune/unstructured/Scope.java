package dev.lathe.prune.unstructured;

import java.util.Locale;

/** Which weights of unstructured pruning compete with each other for the target sparsity. */
public enum Scope {
    /**
     * Each output of each layer (a column of a [K, N] MatMul weight, an output channel of a Conv) reaches the
     * sparsity on its own, as in the Wanda paper: activation-scaled scores are comparable only among the
     * weights that feed the same output.
     */
    OUTPUT,
    /** Each weight tensor reaches the sparsity on its own. */
    LAYER,
    /** One threshold over all selected weights: layers with many small weights lose more of them. */
    GLOBAL;

    /** The option value naming this scope ({@code output}, {@code layer}, {@code global}). */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
