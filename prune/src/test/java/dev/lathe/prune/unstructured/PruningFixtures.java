package dev.lathe.prune.unstructured;

import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.List;
import java.util.Map;

/** Shared steps of the sparsity pass tests: apply a pass by its specification, read weights, run in ONNX Runtime. */
final class PruningFixtures {
    /** A context without calibration samples. */
    static final PassContext NO_CALIBRATION = calibrated(List.of());

    private PruningFixtures() {
    }

    /** A context with these calibration samples. */
    static PassContext calibrated(List<Map<String, TensorData>> samples) {
        return new PassContext(ShapeBinding.none(), samples, ProgressListener.none());
    }

    /** Applies the pass named by {@code spec} (as {@code prune.magnitude:sparsity=0.5}). */
    static PassResult prune(OnnxModel model, String spec, PassContext context) throws Exception {
        return PassRegistry.load().create(spec).apply(model, context);
    }

    /** The values of the constant (initializer or Constant node, any graph) named {@code name}. */
    static float[] weight(OnnxModel model, String name) throws Exception {
        ConstantTensor constant = model.constants().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no constant named " + name));
        return model.tensorData(constant.tensor()).toFloatArray();
    }

    /** Elements exactly zero. */
    static int zeros(float[] values) {
        int zeros = 0;
        for (float value : values) {
            zeros += value == 0 ? 1 : 0;
        }
        return zeros;
    }

    /** Runs the model once in ONNX Runtime (CPU) and returns its outputs. */
    static Map<String, TensorData> run(OnnxModel model, Map<String, TensorData> inputs) throws Exception {
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            return session.run(inputs);
        }
    }

    /** The sum of squared differences between the first output of two models on the same inputs. */
    static double squaredError(OnnxModel reference, OnnxModel candidate, List<Map<String, TensorData>> samples) throws Exception {
        double error = 0;
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            String output = a.outputNames().get(0);
            for (Map<String, TensorData> sample : samples) {
                float[] expected = a.run(sample).get(output).toFloatArray();
                float[] actual = b.run(sample).get(output).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    error += (double) (expected[i] - actual[i]) * (expected[i] - actual[i]);
                }
            }
        }
        return error;
    }
}
