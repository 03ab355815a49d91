package dev.lathe.quantize.weightonly;

import dev.lathe.core.pipeline.PassOptions;
import dev.lathe.core.weights.NodeFilter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The settings of {@link WeightOnlyQuantization}, read from a pass's text options.
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
public record WeightOnlyOptions(int bits, int blockSize, boolean symmetric, int accuracyLevel, Method method,
        EmbeddingFormat embeddings, int embeddingBlockSize, boolean foldBias, NodeFilter filter) {

    /** The default block size of 4-bit embedding tables. */
    static final int DEFAULT_EMBEDDING_BLOCK_SIZE = 32;

    /** Op types this pass can quantize. */
    public static final Set<String> QUANTIZABLE_OPS = Set.of("MatMul", "Gemm");

    /** The option keys. */
    public static final Set<String> KEYS = Stream.concat(NodeFilter.KEYS.stream(),
            Stream.of("block", "sym", "accuracy-level", "method", "embeddings", "embedding-block", "fold-bias")).collect(Collectors.toUnmodifiableSet());

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
    public WeightOnlyOptions {
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

    /**
     * Reads options such as {@code block=64}, {@code sym}, {@code accuracy-level=0}, {@code method=gptq},
     * {@code embeddings=int4}, {@code fold-bias=false}, {@code ops=MatMul+Gemm}, {@code include=...},
     * {@code exclude=...}, {@code min-size=N}.
     *
     * @throws IllegalArgumentException naming the pass, the option and the valid values
     */
    public static WeightOnlyOptions parse(String pass, int bits, Map<String, String> options) {
        PassOptions read = PassOptions.of(pass, options, KEYS);
        int block = blockSize(read, pass, "block", defaultBlockSize(bits));
        int embeddingBlock = blockSize(read, pass, "embedding-block", DEFAULT_EMBEDDING_BLOCK_SIZE);
        NodeFilter filter = NodeFilter.from(read, Set.of("MatMul"), 0);
        if (!QUANTIZABLE_OPS.containsAll(filter.opTypes())) {
            throw new IllegalArgumentException("option ops of pass " + pass + " may only name MatMul and Gemm, got '"
                    + options.get("ops") + "'");
        }
        String embeddings = read.getChoice("embeddings", defaultEmbeddings(bits), "int8", "int4", "float");
        return new WeightOnlyOptions(bits, block, read.getBoolean("sym", false),
                (int) read.getLong("accuracy-level", 4, 0, 4),
                Method.valueOf(read.getChoice("method", "auto", "auto", "rtn", "gptq").toUpperCase(Locale.ROOT)),
                EmbeddingFormat.valueOf(embeddings.toUpperCase(Locale.ROOT)), embeddingBlock,
                read.getBoolean("fold-bias", true), filter);
    }

    private static int blockSize(PassOptions read, String pass, String key, int fallback) {
        long block = read.getLong(key, fallback, 16, 256);
        if (Long.bitCount(block) != 1) {
            throw new IllegalArgumentException("option " + key + " of pass " + pass
                    + " must be a power of two from 16 to 256, got '" + block + "'");
        }
        return (int) block;
    }

    private static boolean validBlockSize(int size) {
        return size >= 16 && size <= 256 && Integer.bitCount(size) == 1;
    }

    /** The default block size of weights for a bit width. */
    static int defaultBlockSize(int bits) {
        return bits == 4 ? 16 : 128;
    }

    /** The default embedding format for a bit width. */
    static String defaultEmbeddings(int bits) {
        return bits == 4 ? "int4" : "int8";
    }

    /** Every setting as text, in a fixed order, for reports and provenance. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("bits", Integer.toString(bits));
        map.put("block", Integer.toString(blockSize));
        map.put("sym", Boolean.toString(symmetric));
        map.put("accuracy-level", Integer.toString(accuracyLevel));
        map.put("method", method.name().toLowerCase(Locale.ROOT));
        map.put("embeddings", embeddings.name().toLowerCase(Locale.ROOT));
        map.put("embedding-block", Integer.toString(embeddingBlockSize));
        map.put("fold-bias", Boolean.toString(foldBias));
        map.put("ops", String.join("+", new TreeSet<>(filter.opTypes())));
        map.put("include", String.join("+", new TreeSet<>(filter.include())));
        map.put("exclude", String.join("+", new TreeSet<>(filter.exclude())));
        map.put("min-size", Long.toString(filter.minWeightElements()));
        return map;
    }
}
