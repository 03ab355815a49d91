package dev.lathe.prune.structured;

import dev.lathe.core.pipeline.PassOptions;
import dev.lathe.core.weights.NodeFilter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings of {@link StructuredPruning}.
 *
 * @param fraction   share of the units (channels, neurons) removed from each pruned group, in [0, 0.9]; with
 *                   {@link Allocation#SENSITIVITY} also the share of the model's MACs the pruning aims to remove
 * @param targets    which kinds of groups to prune
 * @param importance how units are ranked
 * @param allocation which of the groups that may shrink are pruned
 * @param refit      whether consumers are re-fitted on calibration activations after the removal
 * @param ridge      strength of the pull of re-fitted weights towards the original ones, relative to the
 *                   mean squared activation of the kept units (see {@link LeastSquaresRefit})
 * @param filter     which producer nodes may be pruned (op types, include list, exclude list, minimum weight
 *                   size); a group is also left alone when any node that would change is excluded by name
 */
public record StructuredPruningSettings(double fraction, Set<Target> targets, Importance importance, Allocation allocation,
        boolean refit, double ridge, NodeFilter filter) {

    /** The pass name, for options and messages. */
    static final String PASS = "prune.structured";
    /** Producer op types considered by default. */
    static final Set<String> DEFAULT_OPS = Set.of("MatMul", "Gemm", "Conv", "ConvTranspose");
    /**
     * Default {@link #ridge}. On all-MiniLM-L6-v2 at {@code fraction=0.25}, calibrated on 100 real sentences,
     * the mean embedding cosine against fp32 on 300 other sentences was 0.953 at ridge 0.005, 0.961 at 0.02,
     * 0.964 at 0.05, 0.966 at 0.1 to 0.2 and 0.964 at 1; calibrated on 16 generated inputs it was 0.891 at
     * 0.05 and 0.1 and 0.890 at 0.2. The PP-OCRv3 detector barely moves between 0.01 and 0.2.
     */
    public static final double DEFAULT_RIDGE = 0.1;

    /** Option keys of {@code prune.structured}; {@code sparsity} is accepted as a synonym of {@code fraction}. */
    public static final Set<String> KEYS;

    static {
        Set<String> keys = new HashSet<>(NodeFilter.KEYS);
        keys.addAll(Set.of("fraction", "sparsity", "targets", "importance", "allocation", "refit", "ridge"));
        KEYS = Set.copyOf(keys);
    }

    /** Kinds of unit groups. */
    public enum Target {
        /** Neurons between two matrix products (transformer feed-forward layers, MLPs): MatMul/Gemm producers. */
        FFN,
        /** Output channels of convolutions (Conv/ConvTranspose producers). */
        CONV;

        /** The option spelling. */
        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How units are ranked before the least important are removed. */
    public enum Importance {
        /**
         * For each consumer, the L2 norm of the unit's activation over all calibration samples and
         * positions times the L2 norm of the consumer's weights on that unit, summed over consumers.
         */
        ACTIVATION,
        /** The L2 norm of the producers' weights of the unit times that of the consumers' weights on it. */
        MAGNITUDE,
        /**
         * Units removed one at a time by the output loss a least-squares re-fit of the consumers cannot absorb
         * (Optimal Brain Surgeon saliency on the consumers' input Gram matrices); needs calibration inputs.
         */
        RECONSTRUCTION
    }

    /** Which groups are pruned. */
    public enum Allocation {
        /**
         * Groups are pruned from the least sensitive (output change per MAC saved, measured on calibration
         * inputs) until {@code fraction} of the model's MACs are removed; see {@link GroupAllocation}.
         */
        SENSITIVITY,
        /** Every group that may shrink is pruned. */
        UNIFORM
    }

    /** Validates the settings. */
    public StructuredPruningSettings {
        if (!(fraction >= 0 && fraction <= 0.9)) {
            throw new IllegalArgumentException("fraction of " + PASS + " must be from 0 to 0.9, got " + fraction);
        }
        targets = Set.copyOf(targets);
    }

    /** Reads the options of {@code prune.structured}, with the defaults documented on the factory. */
    public static StructuredPruningSettings from(Map<String, String> text) {
        PassOptions options = PassOptions.of(PASS, text, KEYS);
        if (text.containsKey("fraction") && text.containsKey("sparsity")) {
            throw new IllegalArgumentException("options fraction and sparsity of " + PASS + " are synonyms; give one");
        }
        double fraction = options.getDouble(text.containsKey("sparsity") ? "sparsity" : "fraction", 0.25, 0, 0.9);
        Set<Target> targets = new HashSet<>();
        for (String target : options.getList("targets", Set.of("ffn", "conv"))) {
            targets.add(switch (target.toLowerCase(Locale.ROOT)) {
                case "ffn" -> Target.FFN;
                case "conv" -> Target.CONV;
                default -> throw new IllegalArgumentException("option targets of pass " + PASS
                        + " must be ffn, conv or ffn+conv, got '" + target + "'");
            });
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("option targets of pass " + PASS + " must name ffn, conv or both");
        }
        Importance importance = Importance.valueOf(options.getChoice("importance", "activation", "activation", "magnitude",
                "reconstruction").toUpperCase(Locale.ROOT));
        Allocation allocation = options.getChoice("allocation", "sensitivity", "sensitivity", "uniform").equals("sensitivity")
                ? Allocation.SENSITIVITY : Allocation.UNIFORM;
        return new StructuredPruningSettings(fraction, targets, importance, allocation, options.getBoolean("refit", true),
                options.getDouble("ridge", DEFAULT_RIDGE, 0, 1e6), NodeFilter.from(options, DEFAULT_OPS, 0));
    }
}
