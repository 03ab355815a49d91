package dev.lathe.core.fusion;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOptionSet;
import java.util.Map;

/** Registers {@link TransformerFusion} as {@code fuse}; its options are declared in {@link FusionSettings}. */
public final class TransformerFusionFactory implements PassFactory {

    @Override
    public String name() {
        return FusionSettings.PASS;
    }

    @Override
    public PassOptionSet options() {
        return FusionSettings.OPTIONS;
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new TransformerFusion(options, FusionSettings.from(options));
    }
}
