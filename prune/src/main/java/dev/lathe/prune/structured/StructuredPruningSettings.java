package dev.lathe.prune.structured;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import dev.lathe.core.weights.NodeFilter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The settings of {@link StructuredPruning} ({@code prune.structured}). Read them from text options with
 * {@link #from}, or build them: {@code StructuredPruningSettings.builder().fraction(0.3).refit(false).build()}.
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

    private static final Set<String> TARGET_KEYS = Set.of("ffn", "conv");

    static final PassOption<Double> FRACTION = PassOption.number("fraction", 0.25, 0, 0.9,
            "share of each pruned group's units removed; with allocation=sensitivity also the share of the MACs aimed for");
    static final PassOption<Double> SPARSITY = PassOption.number("sparsity", 0.25, 0, 0.9, "a synonym of fraction")
            .defaultDescribed("that of fraction");
    static final PassOption<Set<String>> TARGETS = PassOption.list("targets", TARGET_KEYS,
            "kinds of groups pruned: FFN neurons between matrix products, Conv output channels").written("ffn+conv")
            .requiringItems(target -> TARGET_KEYS.contains(target.toLowerCase(Locale.ROOT)), "ffn, conv or ffn+conv");
    static final PassOption<Importance> IMPORTANCE = PassOption.choice("importance", Importance.ACTIVATION,
            "how units are ranked; activation and reconstruction use calibration inputs");
    static final PassOption<Allocation> ALLOCATION = PassOption.choice("allocation", Allocation.SENSITIVITY,
            "sensitivity: the least sensitive groups until fraction of the MACs are gone; uniform: every group");
    static final PassOption<Boolean> REFIT = PassOption.bool("refit", true,
            "re-fit consumers by least squares on calibration activations");
    static final PassOption<Double> RIDGE = PassOption.number("ridge", DEFAULT_RIDGE, 0, 1e6,
            "pull of re-fitted weights towards the original ones");
    static final NodeFilter.Options FILTER = NodeFilter.options(DEFAULT_OPS, 0);

    /** The declared options of {@code prune.structured}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS, "structured pruning: removes whole FFN neurons and "
            + "Conv output channels (with tied BatchNorm, activations, depthwise convs, residual Adds, Concats, squeeze-excite), "
            + "shrinking tensors and MACs", FRACTION, SPARSITY, TARGETS, IMPORTANCE, ALLOCATION, REFIT, RIDGE).with(FILTER.all());

    /**
     * Reads the text options of {@code prune.structured}.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static StructuredPruningSettings from(Map<String, String> text) {
        PassOptionValues options = OPTIONS.read(text);
        if (options.has(FRACTION) && options.has(SPARSITY)) {
            throw new IllegalArgumentException("options fraction and sparsity of " + PASS + " are synonyms; give one");
        }
        Set<Target> targets = options.get(TARGETS).stream()
                .map(target -> Target.valueOf(target.toUpperCase(Locale.ROOT))).collect(Collectors.toSet());
        if (targets.isEmpty()) {
            throw options.invalid(TARGETS, "ffn, conv or both");
        }
        return new StructuredPruningSettings(options.find(SPARSITY).orElse(options.get(FRACTION)), targets,
                options.get(IMPORTANCE), options.get(ALLOCATION), options.get(REFIT), options.get(RIDGE), FILTER.read(options));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().fraction(fraction).targets(targets).importance(importance).allocation(allocation).refit(refit)
                .ridge(ridge).filter(filter).options();
    }

    /** Builds {@link StructuredPruningSettings}; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<StructuredPruningSettings, Builder> {
        private Builder() {
        }

        /** Share of each group's units removed, 0 to 0.9 (default 0.25). */
        public Builder fraction(double fraction) {
            return set(FRACTION, fraction);
        }

        /** Kinds of groups pruned (default both). */
        public Builder targets(Set<Target> targets) {
            return set(TARGETS, targets.stream().map(Target::key).collect(Collectors.toSet()));
        }

        /** How units are ranked (default {@link Importance#ACTIVATION}). */
        public Builder importance(Importance importance) {
            return set(IMPORTANCE, importance);
        }

        /** Which groups are pruned (default {@link Allocation#SENSITIVITY}). */
        public Builder allocation(Allocation allocation) {
            return set(ALLOCATION, allocation);
        }

        /** Re-fit consumers on calibration activations (default true). */
        public Builder refit(boolean refit) {
            return set(REFIT, refit);
        }

        /** Pull of re-fitted weights towards the original ones (default {@value StructuredPruningSettings#DEFAULT_RIDGE}). */
        public Builder ridge(double ridge) {
            return set(RIDGE, ridge);
        }

        /** Which producer nodes may be pruned (default: MatMul, Gemm, Conv, ConvTranspose of any size). */
        public Builder filter(NodeFilter filter) {
            FILTER.write(filter, this::option);
            return this;
        }

        @Override
        public StructuredPruningSettings build() {
            return from(options());
        }
    }
}
