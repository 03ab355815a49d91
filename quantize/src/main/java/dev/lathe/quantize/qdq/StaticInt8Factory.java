package dev.lathe.quantize.qdq;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link StaticInt8Quantization} as {@code quantize.static}; its options are declared in {@link StaticInt8Settings}. */
public final class StaticInt8Factory implements PassFactory {

    @Override
    public String name() {
        return StaticInt8Settings.PASS;
    }

    @Override
    public PassOptionSet options() {
        return StaticInt8Settings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new StaticInt8Quantization(options, StaticInt8Settings.from(options));
    }
}
