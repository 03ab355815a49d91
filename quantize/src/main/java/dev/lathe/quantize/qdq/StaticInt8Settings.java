package dev.lathe.quantize.qdq;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import dev.lathe.core.provider.CpuFeatures;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.weights.NodeFilter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of {@link StaticInt8Quantization} ({@code quantize.static}). Read them from text options with
 * {@link #from}, or build them: {@code StaticInt8Settings.builder().calibration(Calibration.ENTROPY).build()}.
 *
 * @param calibration   how an activation's range is chosen from its histogram
 * @param percentile    the share of elements the {@code percentile} method keeps, in percent
 * @param activationType uint8 (asymmetric, ONNX Runtime's fast x86 path) or int8 activations
 * @param perChannel    one weight scale per output channel (true) or per tensor
 * @param reduceRange   7-bit weights, for x86 CPUs whose u8s8 kernels saturate (no VNNI); the default
 *                      {@code auto} turns it on exactly there ({@link CpuFeatures#fullRangeInt8()})
 * @param placement     where Q/DQ pairs go (ONNX Runtime's or TensorRT's layout)
 * @param weightRounding how convolution weights are rounded to their int8 steps ({@link ConvRounding})
 * @param biasCorrection correct each convolution's bias, in graph order, for the shift quantization gives its
 *                      output channels' means on the calibration samples ({@link BiasCorrection})
 * @param fallback      return the most sensitive nodes to float until the validation gate holds on the
 *                      calibration samples
 * @param filter        which nodes to quantize ({@code min-size} applies to Conv, MatMul and Gemm weights)
 */
public record StaticInt8Settings(Calibration calibration, double percentile, ActivationType activationType,
        boolean perChannel, boolean reduceRange, Placement placement, WeightRounding weightRounding,
        boolean biasCorrection, boolean fallback, NodeFilter filter) {

    /** The registered pass name. */
    public static final String PASS = "quantize.static";

    /** How an activation's range comes from its calibration histogram. */
    public enum Calibration {
        /** The smallest and largest value seen. */
        MINMAX,
        /** The range that keeps {@code percentile} percent of the values. */
        PERCENTILE,
        /** The clipping threshold that loses the least information (KL divergence). */
        ENTROPY
    }

    /** The element type of quantized activations. */
    public enum ActivationType {
        /** Unsigned, zero point anywhere in 0..255. */
        UINT8,
        /** Signed, zero point anywhere in -128..127. */
        INT8,
        /** Signed with zero point 0 (a symmetric range), as TensorRT requires. */
        INT8_SYMMETRIC
    }

    /** Where Q/DQ pairs go. */
    public enum Placement {
        /** TensorRT's placement when the selected provider is TensorRT, else ONNX Runtime's. */
        AUTO,
        /** Around every node ONNX Runtime's CPU provider fuses into an integer kernel (inputs and output). */
        ONNXRUNTIME,
        /**
         * TensorRT's explicit quantization: symmetric int8 on the inputs of Conv, MatMul and Gemm only, float
         * biases and outputs (TensorRT fuses the rest itself).
         */
        TENSORRT
    }

    /** How weights are rounded to their int8 steps. */
    public enum WeightRounding {
        /** Each weight to its nearest step. */
        NEAREST,
        /**
         * Convolution weights by GPTQ on the calibration samples: the steps that move the convolution's output
         * least, kept where the quantized model then scores at least as well on the calibration samples as
         * with nearest rounding (else nearest); MatMul and Gemm weights to nearest.
         */
        GPTQ
    }

    /** Op types quantized by default. */
    public static final Set<String> DEFAULT_OPS = Set.of("Conv", "MatMul", "Gemm", "Add", "Mul", "Concat",
            "GlobalAveragePool", "AveragePool", "MaxPool", "Sigmoid", "Relu", "Clip", "Reshape", "Transpose",
            "Flatten", "Squeeze", "Unsqueeze");

    /**
     * Default calibration, measured on PP-OCRv3 detection (map IoU against float on held-out rendered pages):
     * with 128 calibration pages (the default limit) and 200 held out, 0.906 at the 99.99th percentile against
     * 0.878 with min/max (and 0.815 with min/max over 1,000 pages: the extremes only widen); with 30 pages and
     * 10 held out min/max led (0.913 against 0.881, 0.858 at the 99.999th, 0.867 entropy).
     */
    static final PassOption<Calibration> CALIBRATION = PassOption.choice("calibration", Calibration.PERCENTILE,
            "activation ranges from min/max, a percentile of the values, or the least KL divergence");
    static final PassOption<Double> PERCENTILE = PassOption.number("percentile", 99.99, 50, 100,
            "share of activation values kept by calibration=percentile, in percent");
    static final PassOption<ActivationType> ACTIVATIONS = PassOption.choice("activations", ActivationType.UINT8,
            "activation element type");
    static final PassOption<Boolean> PER_CHANNEL = PassOption.bool("per-channel", true,
            "one weight scale per output channel (false: one per tensor)");
    static final PassOption<String> REDUCE_RANGE = PassOption.choice("reduce-range", "auto",
            "7-bit weights; auto: on for x86 CPUs without VNNI, whose u8s8 kernels saturate", "auto", "true", "false");
    static final PassOption<Placement> PLACEMENT = PassOption.choice("placement", Placement.AUTO,
            "Q/DQ layout: onnxruntime (integer kernels), tensorrt (symmetric int8 on weighted inputs), or auto by provider");
    /**
     * GPTQ by default: PP-OCRv3 detection ({@code lathe optimize --quantize static}, 128 calibration pages, bias
     * correction on), map IoU against float on 200 held-out rendered pages 0.934 rounding to nearest, 0.957 with
     * GPTQ (about 20 s more in the pass). Not a gain everywhere: PP-OCRv4 detection, same pages, 0.929 nearest and
     * 0.921 GPTQ.
     */
    static final PassOption<WeightRounding> WEIGHT_ROUNDING = PassOption.choice("weight-rounding", WeightRounding.GPTQ,
            "convolution weights rounded by GPTQ on calibration samples (least output error; kept where it scores at "
                    + "least as well as nearest there) or to nearest");
    /**
     * On by default: PP-OCRv3 detection ({@code lathe optimize --quantize static}, 128 calibration pages), map IoU
     * against float on 200 held-out pages 0.906 without, 0.933 with; on 100 of them 0.937 with the means over the
     * 16 check samples and 0.932 over 48, so more samples buy nothing.
     */
    static final PassOption<Boolean> BIAS_CORRECTION = PassOption.bool("bias-correction", true,
            "correct each convolution's bias for the shift quantization gives its channel means on calibration samples");
    static final PassOption<Boolean> FALLBACK = PassOption.bool("fallback", true,
            "return the most sensitive nodes to float until the validation gate holds on calibration samples");
    static final NodeFilter.Options FILTER = NodeFilter.options(DEFAULT_OPS, DEFAULT_OPS, 0);

    /** The declared options of {@code quantize.static}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS,
            "static int8 (QDQ): weights and activations in 8 bits, activation ranges from calibration samples",
            CALIBRATION, PERCENTILE, ACTIVATIONS, PER_CHANNEL, REDUCE_RANGE, PLACEMENT, WEIGHT_ROUNDING, BIAS_CORRECTION,
            FALLBACK)
            .with(FILTER.all());

    /**
     * Reads the text options of {@code quantize.static}.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static StaticInt8Settings from(Map<String, String> text) {
        PassOptionValues options = OPTIONS.read(text);
        String reduceRange = options.get(REDUCE_RANGE);
        return new StaticInt8Settings(options.get(CALIBRATION), options.get(PERCENTILE), options.get(ACTIVATIONS),
                options.get(PER_CHANNEL),
                reduceRange.equals("auto") ? !CpuFeatures.fullRangeInt8() : Boolean.parseBoolean(reduceRange),
                options.get(PLACEMENT), options.get(WEIGHT_ROUNDING), options.get(BIAS_CORRECTION),
                options.get(FALLBACK), FILTER.read(options));
    }

    /**
     * These settings with the placement decided for a provider: TensorRT's (and symmetric int8 activations)
     * when the placement is {@code tensorrt}, or {@code auto} and the provider is TensorRT; else ONNX Runtime's.
     */
    public StaticInt8Settings forProvider(Optional<Provider> provider) {
        boolean tensorRt = placement == Placement.TENSORRT
                || placement == Placement.AUTO && provider.filter(p -> p == Provider.TENSORRT).isPresent();
        return tensorRt ? new StaticInt8Settings(calibration, percentile, ActivationType.INT8_SYMMETRIC, perChannel,
                reduceRange, Placement.TENSORRT, weightRounding, biasCorrection, fallback, filter)
                : new StaticInt8Settings(calibration, percentile, activationType, perChannel, reduceRange,
                        Placement.ONNXRUNTIME, weightRounding, biasCorrection, fallback, filter);
    }

    /** Whether Q/DQ pairs take TensorRT's placement (after {@link #forProvider}). */
    public boolean tensorRt() {
        return placement == Placement.TENSORRT;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().calibration(calibration).percentile(percentile).activationType(activationType)
                .perChannel(perChannel).reduceRange(reduceRange).placement(placement).weightRounding(weightRounding)
                .biasCorrection(biasCorrection)
                .fallback(fallback).filter(filter).options();
    }

    /** Builds {@link StaticInt8Settings}; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<StaticInt8Settings, Builder> {
        private Builder() {
        }

        /** How activation ranges are chosen (default: the 99.99th percentile). */
        public Builder calibration(Calibration calibration) {
            return set(CALIBRATION, calibration);
        }

        /** The share of values the percentile method keeps, in percent (default 99.99). */
        public Builder percentile(double percent) {
            return set(PERCENTILE, percent);
        }

        /** uint8 (default) or int8 activations. */
        public Builder activationType(ActivationType type) {
            return set(ACTIVATIONS, type);
        }

        /** One weight scale per output channel (default) or per tensor. */
        public Builder perChannel(boolean perChannel) {
            return set(PER_CHANNEL, perChannel);
        }

        /** 7-bit weights on or off (default: on exactly for x86 CPUs without VNNI). */
        public Builder reduceRange(boolean reduceRange) {
            return set(REDUCE_RANGE, Boolean.toString(reduceRange));
        }

        /** Where Q/DQ pairs go (default: by the selected provider). */
        public Builder placement(Placement placement) {
            return set(PLACEMENT, placement);
        }

        /** How convolution weights are rounded (default: GPTQ). */
        public Builder weightRounding(WeightRounding rounding) {
            return set(WEIGHT_ROUNDING, rounding);
        }

        /** Bias correction on or off (default on). */
        public Builder biasCorrection(boolean on) {
            return set(BIAS_CORRECTION, on);
        }

        /** Accuracy-aware fallback on or off (default on). */
        public Builder fallback(boolean fallback) {
            return set(FALLBACK, fallback);
        }

        /** Which nodes to quantize (default: every op type of {@link #DEFAULT_OPS}). */
        public Builder filter(NodeFilter filter) {
            FILTER.write(filter, this::option);
            return this;
        }

        @Override
        public StaticInt8Settings build() {
            return from(options());
        }
    }
}
