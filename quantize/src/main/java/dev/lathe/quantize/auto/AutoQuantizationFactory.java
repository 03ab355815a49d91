package dev.lathe.quantize.auto;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link AutoQuantization} as {@code quantize.auto}; its options are declared in {@link AutoQuantizationSettings}. */
public final class AutoQuantizationFactory implements PassFactory {

    @Override
    public String name() {
        return AutoQuantizationSettings.PASS;
    }

    @Override
    public PassOptionSet options() {
        return AutoQuantizationSettings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new AutoQuantization(options, AutoQuantizationSettings.from(options));
    }
}
