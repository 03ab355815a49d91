package dev.lathe.quantize.weightonly;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import java.util.Map;

/**
 * Creates {@link WeightOnlyQuantization} passes of one bit width; the registered subclasses are
 * {@link Int4} ({@code quantize.int4}) and {@link Int8Weights} ({@code quantize.int8-weights}).
 */
public abstract class WeightOnlyQuantizationFactory implements PassFactory {
    private final String name;
    private final int bits;

    private WeightOnlyQuantizationFactory(String name, int bits) {
        this.name = name;
        this.bits = bits;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "weight-only " + bits + "-bit block quantization of MatMul/Gemm weights to com.microsoft MatMulNBits; "
                + "options: block=16..256 (power of two; default " + WeightOnlyOptions.defaultBlockSize(bits)
                + "), sym (zero points fixed; default asymmetric), accuracy-level=0..4 (default 4: int8 compute), "
                + "method=auto|rtn|gptq (default auto: GPTQ with calibration inputs), embeddings=int8|int4|float "
                + "(Gather tables; default " + WeightOnlyOptions.defaultEmbeddings(bits) + "), embedding-block=16..256 "
                + "(int4 tables; default " + WeightOnlyOptions.DEFAULT_EMBEDDING_BLOCK_SIZE + "), fold-bias=true|false "
                + "(bias Add into MatMulNBits; default true), ops=MatMul+Gemm (default MatMul), include=, exclude= "
                + "(node names, '+'-separated), min-size=N (weights with fewer elements stay float; default 0)";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new WeightOnlyQuantization(name, WeightOnlyOptions.parse(name, bits, options));
    }

    /** {@code quantize.int4}: 4-bit weights. */
    public static final class Int4 extends WeightOnlyQuantizationFactory {
        /** The factory ServiceLoader instantiates. */
        public Int4() {
            super("quantize.int4", 4);
        }
    }

    /** {@code quantize.int8-weights}: 8-bit weights. */
    public static final class Int8Weights extends WeightOnlyQuantizationFactory {
        /** The factory ServiceLoader instantiates. */
        public Int8Weights() {
            super("quantize.int8-weights", 8);
        }
    }
}
