package dev.lathe.quantize.fp16;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link Float16Conversion} as {@code quantize.fp16}; its options are declared in {@link Float16Settings}. */
public final class Float16ConversionFactory implements PassFactory {

    @Override
    public String name() {
        return Float16Conversion.NAME;
    }

    @Override
    public PassOptionSet options() {
        return Float16Settings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new Float16Conversion(options, Float16Settings.from(options));
    }
}
