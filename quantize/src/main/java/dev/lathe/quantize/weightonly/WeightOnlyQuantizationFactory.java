package dev.lathe.quantize.weightonly;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/**
 * Creates {@link WeightOnlyQuantization} passes of one bit width; the registered subclasses are
 * {@link Int4} ({@code quantize.int4}) and {@link Int8Weights} ({@code quantize.int8-weights}). Their options are
 * declared in {@link WeightOnlySettings}.
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
    public PassOptionSet options() {
        return WeightOnlySettings.options(bits);
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new WeightOnlyQuantization(options, WeightOnlySettings.from(bits, options));
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
