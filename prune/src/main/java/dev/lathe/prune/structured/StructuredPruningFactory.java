package dev.lathe.prune.structured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import java.util.Map;

/** Registers {@link StructuredPruning} as {@code prune.structured}. */
public final class StructuredPruningFactory implements PassFactory {

    @Override
    public String name() {
        return StructuredPruningSettings.PASS;
    }

    @Override
    public String description() {
        return "structured pruning: removes whole FFN neurons and Conv output channels (with tied BatchNorm, activations, "
                + "depthwise convs, residual Adds, Concats, squeeze-excite), shrinking tensors and MACs. Options: fraction "
                + "(0.25; share of each group's units, 0 to 0.9; sparsity is a synonym), targets (ffn+conv), importance "
                + "activation|magnitude|reconstruction (activation; uses calibration inputs), allocation sensitivity|uniform "
                + "(sensitivity: the least sensitive groups until fraction of the MACs are gone), refit (true; least squares "
                + "on calibration activations), ridge (" + StructuredPruningSettings.DEFAULT_RIDGE + "), ops "
                + "(MatMul+Gemm+Conv+ConvTranspose), include, exclude, min-size (0)";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new StructuredPruning(options, StructuredPruningSettings.from(options));
    }
}
