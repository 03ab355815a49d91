package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import java.util.Map;

/** Registers N:M semi-structured sparsity as {@code prune.nm} ({@link PruningSettings#nm} lists its options). */
public final class NmSparsityFactory implements PassFactory {

    @Override
    public String name() {
        return "prune.nm";
    }

    @Override
    public String description() {
        return "N:M sparsity: keeps the n largest of every m weights along the reduction dimension of MatMul/Gemm/Conv (the "
                + "2:4 layout of sparse tensor cores and TensorRT). Options: n (2), m (4), importance magnitude|wanda "
                + "(magnitude), ops (MatMul+Gemm+Conv), include, exclude, min-size (0). Zeros are stored densely: no speed-up "
                + "on ONNX Runtime CPU";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new SparsityPruning(name(), options, PruningSettings.nm(options));
    }
}
