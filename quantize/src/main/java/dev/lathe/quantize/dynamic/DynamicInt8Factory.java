package dev.lathe.quantize.dynamic;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link DynamicInt8Quantization} as {@code quantize.int8}; its options are declared in {@link DynamicInt8Settings}. */
public final class DynamicInt8Factory implements PassFactory {

    @Override
    public String name() {
        return DynamicInt8Settings.PASS;
    }

    @Override
    public PassOptionSet options() {
        return DynamicInt8Settings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new DynamicInt8Quantization(options, DynamicInt8Settings.from(options));
    }
}
