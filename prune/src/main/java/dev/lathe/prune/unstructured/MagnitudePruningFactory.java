package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import java.util.Map;

/** Registers unstructured pruning as {@code prune.magnitude} ({@link PruningSettings#magnitude} lists its options). */
public final class MagnitudePruningFactory implements PassFactory {

    @Override
    public String name() {
        return "prune.magnitude";
    }

    @Override
    public String description() {
        return "unstructured pruning: zeroes the lowest-|w| weights of MatMul/Gemm/Conv. Options: sparsity (0.5), "
                + "scope layer|output|global (layer), importance magnitude|wanda (magnitude), ops (MatMul+Gemm+Conv), include, "
                + "exclude, min-size (0). Zeros are stored densely: no speed-up on ONNX Runtime CPU";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new SparsityPruning(name(), options, PruningSettings.magnitude(options));
    }
}
