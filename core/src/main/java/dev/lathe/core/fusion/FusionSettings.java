package dev.lathe.core.fusion;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import java.util.Map;

/**
 * The settings of {@link TransformerFusion} ({@code fuse}).
 *
 * @param attention      whether to fuse multi-head self-attention into {@code Attention}
 * @param skipLayerNorm  whether to fuse residual Add + layer norm (+ the sublayer's bias) into
 *                       {@code SkipLayerNormalization}
 * @param embedLayerNorm whether to fuse the embedding lookups and their layer norm into
 *                       {@code EmbedLayerNormalization}
 * @param fastGelu       whether to replace the exact (erf) Gelu by ONNX Runtime's tanh approximation {@code FastGelu}
 * @param tolerance      the largest error a fused value may show against the unfused model on the check samples,
 *                       relative to the value's largest magnitude; fusions beyond it are undone
 * @param checkSamples   how many samples the check runs (calibration samples when there are some)
 */
public record FusionSettings(boolean attention, boolean skipLayerNorm, boolean embedLayerNorm, boolean fastGelu,
        double tolerance, int checkSamples) {
    /** The registered pass name. */
    public static final String PASS = "fuse";

    static final PassOption<Boolean> ATTENTION = PassOption.bool("attention", true,
            "fuse multi-head self-attention into com.microsoft.Attention");
    static final PassOption<Boolean> SKIP_LAYER_NORM = PassOption.bool("skip-layer-norm", true,
            "fuse residual Add + layer norm (and the sublayer's bias) into com.microsoft.SkipLayerNormalization");
    static final PassOption<Boolean> EMBED_LAYER_NORM = PassOption.bool("embed-layer-norm", true,
            "fuse the word, position and segment lookups and their layer norm into com.microsoft.EmbedLayerNormalization");
    static final PassOption<String> GELU = PassOption.choice("gelu", "exact", "exact: leave the erf Gelu to ONNX Runtime, "
            + "which fuses it with its bias when it loads the model; fast: replace it by com.microsoft.FastGelu, the tanh "
            + "approximation (within 5e-4 of it, faster)", "exact", "fast");
    static final PassOption<Double> TOLERANCE = PassOption.number("tolerance", 1e-3, 0, 1,
            "largest error of a fused value against the unfused model, relative to the value's largest magnitude");
    static final PassOption<Long> CHECK_SAMPLES = PassOption.integer("check-samples", 8, 1, 1024,
            "samples the fused values are checked on (calibration data when given, else generated inputs)");

    /** The declared options of {@code fuse}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS,
            "fuses transformer subgraphs into ONNX Runtime's contrib ops (Attention, SkipLayerNormalization, "
                    + "EmbedLayerNormalization, FastGelu on request), checking each fused value against the unfused model",
            ATTENTION, SKIP_LAYER_NORM, EMBED_LAYER_NORM, GELU, TOLERANCE, CHECK_SAMPLES);

    /**
     * Reads text options.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static FusionSettings from(Map<String, String> options) {
        var values = OPTIONS.read(options);
        return new FusionSettings(values.get(ATTENTION), values.get(SKIP_LAYER_NORM), values.get(EMBED_LAYER_NORM),
                values.get(GELU).equals("fast"), values.get(TOLERANCE), values.get(CHECK_SAMPLES).intValue());
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().attention(attention).skipLayerNorm(skipLayerNorm).embedLayerNorm(embedLayerNorm)
                .fastGelu(fastGelu).tolerance(tolerance).checkSamples(checkSamples).options();
    }

    /** Builds {@link FusionSettings}. */
    public static final class Builder extends PassSettingsBuilder<FusionSettings, Builder> {
        private Builder() {
        }

        /** Whether to fuse attention (default true). */
        public Builder attention(boolean on) {
            return set(ATTENTION, on);
        }

        /** Whether to fuse residual layer norms (default true). */
        public Builder skipLayerNorm(boolean on) {
            return set(SKIP_LAYER_NORM, on);
        }

        /** Whether to fuse the embedding layer (default true). */
        public Builder embedLayerNorm(boolean on) {
            return set(EMBED_LAYER_NORM, on);
        }

        /** Whether to replace the erf Gelu by the tanh approximation {@code FastGelu} (default false). */
        public Builder fastGelu(boolean on) {
            return set(GELU, on ? "fast" : "exact");
        }

        /** The check's relative tolerance (default 1e-3). */
        public Builder tolerance(double tolerance) {
            return set(TOLERANCE, tolerance);
        }

        /** How many samples the check runs (default 8). */
        public Builder checkSamples(int samples) {
            return set(CHECK_SAMPLES, (long) samples);
        }

        @Override
        public FusionSettings build() {
            return from(options());
        }
    }
}
