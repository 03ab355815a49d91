package dev.lathe.quantize.dynamic;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import dev.lathe.core.provider.CpuFeatures;
import dev.lathe.core.weights.NodeFilter;
import dev.lathe.quantize.WeightQuantizer;
import java.util.Map;
import java.util.Set;

/**
 * The settings of {@link DynamicInt8Quantization} ({@code quantize.int8}). Read them from text options with
 * {@link #from}, or build them: {@code DynamicInt8Settings.builder().perChannel(false).smoothing(0.5).build()}.
 *
 * @param perChannel  one weight scale per output column (true) or per tensor
 * @param symmetric   symmetric weight range (no zero point for int8)
 * @param signed      int8 weights (true) or uint8
 * @param reduceRange 7-bit weights, for CPUs whose u8s8 kernels saturate (x86 without VNNI); the default
 *                    {@code auto} turns it on exactly there ({@link CpuFeatures#fullRangeInt8()})
 * @param mseClipping choose each scale to minimise squared error rather than from the plain min/max
 * @param foldBias    fold a following Add of a constant bias into the quantized node
 * @param gather      quantize Gather embedding tables to 8 bits per row
 * @param smoothing   SmoothQuant migration strength alpha in [0, 1]; 0 turns it off (needs calibration inputs)
 * @param fuse        run the {@code fuse} pass first, so that transformer attention is quantized too and residual
 *                    layer norms become {@code SkipLayerNormalization}
 * @param attention   how a fused attention is quantized: {@code QAttention} (one op), or the packed projection as
 *                    {@code DynamicQuantizeMatMul} followed by a float {@code MultiHeadAttention}
 * @param filter      which nodes to quantize
 */
public record DynamicInt8Settings(boolean perChannel, boolean symmetric, boolean signed, boolean reduceRange,
        boolean mseClipping, boolean foldBias, boolean gather, double smoothing, boolean fuse, AttentionForm attention,
        NodeFilter filter) {

    /** How a fused {@code Attention} is quantized. */
    public enum AttentionForm {
        /** ONNX Runtime's {@code QAttention}: the projection per head in int8, then attention in float. */
        QATTENTION,
        /**
         * The packed query/key/value projection as one {@code DynamicQuantizeMatMul}, split, then
         * {@code MultiHeadAttention} in float: one large int8 product instead of one small one per head.
         */
        MATMUL
    }

    /** The registered pass name. */
    public static final String PASS = "quantize.int8";

    /**
     * Default SmoothQuant strength: on all-MiniLM-L6-v2 (20 generated samples of 20 tokens) mean output cosine
     * against fp32 was 0.9876 without smoothing, 0.9877 at 0.5, 0.9962 at 0.65, 0.9967 at 0.7, 0.9964 at
     * 0.75, 0.9951 at 0.8 and 0.9862 at 1.0, for about 2 % more latency.
     */
    public static final double DEFAULT_SMOOTHING = 0.7;

    static final PassOption<Boolean> PER_CHANNEL = PassOption.bool("per-channel", true,
            "one weight scale per output column (false: one per tensor)");
    static final PassOption<Boolean> SYM = PassOption.bool("sym", true, "symmetric weight range (no zero point for int8)");
    static final PassOption<String> WEIGHT_TYPE = PassOption.choice("weight-type", "int8", "weight element type",
            "int8", "uint8");
    static final PassOption<String> REDUCE_RANGE = PassOption.choice("reduce-range", "auto",
            "7-bit weights; auto: on for x86 CPUs without VNNI, whose u8s8 kernels saturate", "auto", "true", "false");
    static final PassOption<String> SCALE = PassOption.choice("scale", "minmax",
            "each scale from the plain min/max, or chosen to minimise squared error", "minmax", "mse");
    static final PassOption<Boolean> FOLD_BIAS = PassOption.bool("fold-bias", true,
            "fold a following Add of a constant bias into the quantized node");
    static final PassOption<Boolean> GATHER = PassOption.bool("gather", true, "quantize Gather embedding tables to 8 bits per row");
    static final PassOption<Double> SMOOTH = PassOption.number("smooth", DEFAULT_SMOOTHING, 0, 1,
            "SmoothQuant alpha, 0 = off; uses calibration inputs");
    static final PassOption<Boolean> FUSE = PassOption.bool("fuse", true,
            "fuse transformer attention and residual layer norms first (the fuse pass), so attention runs as QAttention");
    static final PassOption<AttentionForm> ATTENTION = PassOption.choice("attention", AttentionForm.QATTENTION,
            "how a fused attention is quantized: qattention (one QAttention op) or matmul (DynamicQuantizeMatMul on the "
                    + "packed projection, then MultiHeadAttention)");
    static final NodeFilter.Options FILTER = NodeFilter.options(Set.of("MatMul", "Gemm", "Attention"), 1024);

    /** The declared options of {@code quantize.int8}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS,
            "dynamic int8: MatMul/Gemm to DynamicQuantizeMatMul, fused attention to QAttention, embedding tables to 8 bits per row",
            PER_CHANNEL, SYM, WEIGHT_TYPE, REDUCE_RANGE, SCALE, FOLD_BIAS, GATHER, SMOOTH, FUSE, ATTENTION).with(FILTER.all());

    /**
     * Reads the text options of {@code quantize.int8}.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static DynamicInt8Settings from(Map<String, String> text) {
        PassOptionValues options = OPTIONS.read(text);
        String reduceRange = options.get(REDUCE_RANGE);
        return new DynamicInt8Settings(options.get(PER_CHANNEL), options.get(SYM), options.get(WEIGHT_TYPE).equals("int8"),
                reduceRange.equals("auto") ? !CpuFeatures.fullRangeInt8() : Boolean.parseBoolean(reduceRange),
                options.get(SCALE).equals("mse"), options.get(FOLD_BIAS), options.get(GATHER), options.get(SMOOTH),
                options.get(FUSE), options.get(ATTENTION), FILTER.read(options));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().perChannel(perChannel).symmetric(symmetric).signed(signed).reduceRange(reduceRange)
                .mseClipping(mseClipping).foldBias(foldBias).gather(gather).smoothing(smoothing).fuse(fuse).attention(attention).filter(filter)
                .options();
    }

    /** The weight quantizer these settings describe. */
    public WeightQuantizer quantizer() {
        return new WeightQuantizer(signed, symmetric, reduceRange, mseClipping);
    }

    /** Builds {@link DynamicInt8Settings}; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<DynamicInt8Settings, Builder> {
        private Builder() {
        }

        /** One weight scale per output column (default) or per tensor. */
        public Builder perChannel(boolean perChannel) {
            return set(PER_CHANNEL, perChannel);
        }

        /** Symmetric weight range (default true). */
        public Builder symmetric(boolean symmetric) {
            return set(SYM, symmetric);
        }

        /** int8 weights (default) or uint8. */
        public Builder signed(boolean signed) {
            return set(WEIGHT_TYPE, signed ? "int8" : "uint8");
        }

        /** 7-bit weights on or off (default: on exactly for x86 CPUs without VNNI). */
        public Builder reduceRange(boolean reduceRange) {
            return set(REDUCE_RANGE, Boolean.toString(reduceRange));
        }

        /** Scales that minimise squared error instead of plain min/max ones (default false). */
        public Builder mseClipping(boolean mseClipping) {
            return set(SCALE, mseClipping ? "mse" : "minmax");
        }

        /** Fold a following bias Add into the quantized node (default true). */
        public Builder foldBias(boolean foldBias) {
            return set(FOLD_BIAS, foldBias);
        }

        /** Quantize Gather embedding tables (default true). */
        public Builder gather(boolean gather) {
            return set(GATHER, gather);
        }

        /** SmoothQuant alpha in [0, 1], 0 = off (default {@value DynamicInt8Settings#DEFAULT_SMOOTHING}). */
        public Builder smoothing(double alpha) {
            return set(SMOOTH, alpha);
        }

        /** Fuse transformer attention and residual layer norms first (default true). */
        public Builder fuse(boolean fuse) {
            return set(FUSE, fuse);
        }

        /** How a fused attention is quantized (default {@link AttentionForm#QATTENTION}). */
        public Builder attention(AttentionForm form) {
            return set(ATTENTION, form);
        }

        /** Which nodes to quantize (default: MatMul and Gemm with weights of 1024 elements or more). */
        public Builder filter(NodeFilter filter) {
            FILTER.write(filter, this::option);
            return this;
        }

        @Override
        public DynamicInt8Settings build() {
            return from(options());
        }
    }
}
