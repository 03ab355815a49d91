package dev.lathe.prune.unstructured;

import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassFactory;
import java.util.Map;

/**
 * Registers activation-aware unstructured pruning as {@code prune.wanda}: {@code prune.magnitude} with
 * Wanda importance ({@link PruningSettings#wanda} lists its options).
 */
public final class WandaPruningFactory implements PassFactory {

    @Override
    public String name() {
        return "prune.wanda";
    }

    @Override
    public String description() {
        return "Wanda pruning: zeroes the weights of MatMul/Gemm/Conv with the lowest |w|·‖input channel‖ on the calibration "
                + "inputs. Options: sparsity (0.5), scope output|layer|global (output), ops (MatMul+Gemm+Conv), include, exclude, "
                + "min-size (0). Zeros are stored densely: no speed-up on ONNX Runtime CPU";
    }

    @Override
    public Pass create(Map<String, String> options) {
        return new SparsityPruning(name(), options, PruningSettings.wanda(options));
    }
}
