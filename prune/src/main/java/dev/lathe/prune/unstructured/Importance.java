package dev.lathe.prune.unstructured;

import java.util.Locale;

/** How a pruning pass ranks weights: the lowest-scoring ones are zeroed. */
public enum Importance {
    /** Score |W|: small weights go first. */
    MAGNITUDE,
    /**
     * Wanda's score |W_kj|·‖X_k‖₂ (Sun et al., 2023), where ‖X_k‖₂ is the L2 norm of input channel k over
     * every position of every calibration sample: a small weight on a channel that carries large activations
     * is kept, a larger weight on a channel that is nearly always quiet is pruned.
     */
    WANDA;

    /** The option value naming this importance ({@code magnitude}, {@code wanda}). */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
