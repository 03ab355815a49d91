package dev.lathe.quantize.weightonly;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import dev.lathe.core.weights.NodeFilter;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of {@link WeightOnlyQuantization} ({@code quantize.int4} and {@code quantize.int8-weights}, by
 * their bits). Read them from text options with {@link #from}, or build them:
 * {@code WeightOnlySettings.builder(4).blockSize(32).symmetric(true).build()}.
 *
 * @param bits          bits per weight: 4 or 8 (fixed by the registered pass name)
 * @param blockSize     weights per block along K sharing a scale and zero point: a power of two from 16 to 256
 * @param symmetric     zero points fixed at {@code 2^(bits − 1)} and not stored, instead of chosen per block
 * @param accuracyLevel MatMulNBits {@code accuracy_level}: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 compute
 *                      (ONNX Runtime's CPU quantizes the activations per block to int8)
 * @param method        how weights are rounded
 * @param embeddings    how constant embedding tables read by {@code Gather} are stored
 * @param embeddingBlockSize elements per block of 4-bit embedding tables, a power of two from 16 to 256
 * @param foldBias      whether a MatMul followed by an Add of a constant bias [N] becomes one MatMulNBits
 *                      with a bias input
 * @param filter        which MatMul/Gemm (and Gather) nodes may change
 */
public record WeightOnlySettings(int bits, int blockSize, boolean symmetric, int accuracyLevel, Method method,
        EmbeddingFormat embeddings, int embeddingBlockSize, boolean foldBias, NodeFilter filter) {

    /** The default block size of 4-bit embedding tables. */
    static final int DEFAULT_EMBEDDING_BLOCK_SIZE = 32;

    /** Op types this pass can quantize. */
    public static final Set<String> QUANTIZABLE_OPS = Set.of("MatMul", "Gemm");

    static final PassOption<Boolean> SYM = PassOption.bool("sym", false,
            "zero points fixed at 2^(bits-1) and not stored; false: one chosen per block");
    static final PassOption<Long> ACCURACY_LEVEL = PassOption.integer("accuracy-level", 4, 0, 4,
            "MatMulNBits accuracy_level: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 compute");
    static final PassOption<Long> EMBEDDING_BLOCK = blockOption("embedding-block", DEFAULT_EMBEDDING_BLOCK_SIZE,
            "elements per block of int4 embedding tables, a power of two");
    static final PassOption<Boolean> FOLD_BIAS = PassOption.bool("fold-bias", true,
            "a MatMul followed by an Add of a constant bias [N] becomes one MatMulNBits with a bias input");
    static final PassOption<Method> METHOD = PassOption.choice("method", Method.AUTO,
            "how weights are rounded; auto: GPTQ with calibration inputs, round-to-nearest otherwise");
    static final NodeFilter.Options FILTER = NodeFilter.options(Set.of("MatMul"), QUANTIZABLE_OPS, 0);
    private static final PassOptionSet INT4 = declare(4);
    private static final PassOptionSet INT8 = declare(8);

    /** How weights are rounded. */
    public enum Method {
        /** GPTQ when the pipeline gives calibration samples, round-to-nearest otherwise. */
        AUTO,
        /** Round to nearest, every block from its own min/max. */
        RTN,
        /** GPTQ: rounding errors compensated using calibration activations. */
        GPTQ
    }

    /** How constant embedding tables are stored. */
    public enum EmbeddingFormat {
        /** int8 per row: Gather, Cast and Mul by the row's scale (standard operators). */
        INT8,
        /** 4-bit blocks read by com.microsoft GatherBlockQuantized. */
        INT4,
        /** Left in float. */
        FLOAT
    }

    /** Checks the ranges. */
    public WeightOnlySettings {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
        }
        if (!validBlockSize(blockSize) || !validBlockSize(embeddingBlockSize)) {
            throw new IllegalArgumentException("block sizes must be powers of two from 16 to 256, got " + blockSize
                    + " and " + embeddingBlockSize);
        }
        if (accuracyLevel < 0 || accuracyLevel > 4) {
            throw new IllegalArgumentException("accuracy level must be 0 to 4, got " + accuracyLevel);
        }
        if (!QUANTIZABLE_OPS.containsAll(filter.opTypes())) {
            throw new IllegalArgumentException("ops may only name " + new TreeSet<>(QUANTIZABLE_OPS) + ", got "
                    + new TreeSet<>(filter.opTypes()));
        }
    }

    private static PassOption<Long> blockOption(String key, int fallback, String doc) {
        return PassOption.integer(key, fallback, 16, 256, doc).requiring(n -> Long.bitCount(n) == 1,
                "a power of two from 16 to 256");
    }

    private static PassOptionSet declare(int bits) {
        return PassOptionSet.of(passName(bits), "weight-only " + bits + "-bit block quantization of MatMul/Gemm weights to "
                + "com.microsoft MatMulNBits", blockOption("block", defaultBlockSize(bits),
                        "weights per block along K sharing a scale and zero point, a power of two"), SYM, ACCURACY_LEVEL,
                METHOD, PassOption.choice("embeddings", bits == 4 ? EmbeddingFormat.INT4 : EmbeddingFormat.INT8,
                        "how constant Gather embedding tables are stored"), EMBEDDING_BLOCK, FOLD_BIAS).with(FILTER.all());
    }

    /** The declared options of the pass for {@code bits} (4: {@code quantize.int4}, 8: {@code quantize.int8-weights}). */
    public static PassOptionSet options(int bits) {
        return switch (bits) {
            case 4 -> INT4;
            case 8 -> INT8;
            default -> throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
        };
    }

    /** The registered pass name for {@code bits}. */
    static String passName(int bits) {
        return bits == 4 ? "quantize.int4" : "quantize.int8-weights";
    }

    /**
     * Reads the text options of the pass for {@code bits}, such as {@code block=64}, {@code sym},
     * {@code method=gptq}, {@code embeddings=int4}, {@code ops=MatMul+Gemm}.
     *
     * @throws IllegalArgumentException naming the pass, the option and the valid values
     */
    public static WeightOnlySettings from(int bits, Map<String, String> text) {
        PassOptionSet declared = options(bits);
        PassOptionValues options = declared.read(text);
        return new WeightOnlySettings(bits, Math.toIntExact(options.get(declaredOption(declared, "block"))), options.get(SYM),
                Math.toIntExact(options.get(ACCURACY_LEVEL)), options.get(METHOD),
                (EmbeddingFormat) options.get(declaredOption(declared, "embeddings")),
                Math.toIntExact(options.get(EMBEDDING_BLOCK)), options.get(FOLD_BIAS), FILTER.read(options));
    }

    @SuppressWarnings("unchecked")
    private static <T> PassOption<T> declaredOption(PassOptionSet declared, String key) {
        return (PassOption<T>) declared.option(key).orElseThrow();
    }

    /** A builder for the pass of {@code bits} (4 or 8), starting from its defaults. */
    public static Builder builder(int bits) {
        options(bits);
        return new Builder(bits);
    }

    /** The registered pass name: {@code quantize.int4} or {@code quantize.int8-weights}. */
    public String pass() {
        return passName(bits);
    }

    /** Every setting as option text, in declaration order; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder(bits).blockSize(blockSize).symmetric(symmetric).accuracyLevel(accuracyLevel).method(method)
                .embeddings(embeddings).embeddingBlockSize(embeddingBlockSize).foldBias(foldBias).filter(filter).options();
    }

    private static boolean validBlockSize(int size) {
        return size >= 16 && size <= 256 && Integer.bitCount(size) == 1;
    }

    /** The default block size of weights for a bit width. */
    static int defaultBlockSize(int bits) {
        return bits == 4 ? 16 : 128;
    }

    /** Builds {@link WeightOnlySettings}; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<WeightOnlySettings, Builder> {
        private final int bits;
        private final PassOptionSet declared;

        private Builder(int bits) {
            this.bits = bits;
            this.declared = WeightOnlySettings.options(bits);
        }

        /** Weights per block along K, a power of two from 16 to 256 (default 16 for 4 bits, 128 for 8). */
        public Builder blockSize(int blockSize) {
            return set(declaredOption(declared, "block"), (long) blockSize);
        }

        /** Zero points fixed and not stored (default false). */
        public Builder symmetric(boolean symmetric) {
            return set(SYM, symmetric);
        }

        /** MatMulNBits accuracy_level, 0 to 4 (default 4: int8 compute). */
        public Builder accuracyLevel(int level) {
            return set(ACCURACY_LEVEL, (long) level);
        }

        /** How weights are rounded (default {@link Method#AUTO}). */
        public Builder method(Method method) {
            return set(METHOD, method);
        }

        /** How embedding tables are stored (default int4 for 4 bits, int8 for 8). */
        public Builder embeddings(EmbeddingFormat embeddings) {
            return set(declaredOption(declared, "embeddings"), embeddings);
        }

        /** Elements per block of int4 embedding tables (default {@value WeightOnlySettings#DEFAULT_EMBEDDING_BLOCK_SIZE}). */
        public Builder embeddingBlockSize(int blockSize) {
            return set(EMBEDDING_BLOCK, (long) blockSize);
        }

        /** Fold a bias Add into MatMulNBits (default true). */
        public Builder foldBias(boolean foldBias) {
            return set(FOLD_BIAS, foldBias);
        }

        /** Which nodes to quantize (default: every MatMul). */
        public Builder filter(NodeFilter filter) {
            FILTER.write(filter, this::option);
            return this;
        }

        @Override
        public WeightOnlySettings build() {
            return from(bits, options());
        }
    }
}
