package dev.lathe.core.runtime;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the shapes of a model's intermediate values by running it once in ONNX Runtime (without graph
 * optimizations) on generated inputs, with every node output of the main graph exposed as a graph
 * output. The fallback when static shape propagation cannot resolve a model.
 */
public final class IntermediateShapes {
    private static final long SEED = 42;

    private IntermediateShapes() {
    }

    /**
     * Shapes of all main-graph values at the given input shapes, with the given values in the inputs that have
     * them (others generated).
     *
     * @throws RuntimeFailureException if ONNX Runtime cannot load or run the model, or inputs of these shapes
     *                                 cannot be generated
     */
    public static Map<String, long[]> probe(OnnxModel model, Map<String, long[]> inputShapes, Map<String, long[]> inputValues)
            throws RuntimeFailureException {
        List<String> values = new ArrayList<>();
        model.proto().getGraph().getNodeList().forEach(node -> node.getOutputList().stream()
                .filter(output -> !output.isEmpty()).forEach(values::add));
        OnnxModel probe = model.exposing(values);
        Map<String, TensorData> inputs;
        try {
            inputs = InputGenerator.generate(model, inputShapes, inputValues, SEED);
        } catch (IllegalArgumentException | ArithmeticException e) {
            // inputs of an unknown type, too large to generate (or to count), or values that do not fit
            throw new RuntimeFailureException(model.source() + ": cannot generate inputs to run: " + e.getMessage(), e);
        }
        try (ModelSession session = ModelSession.open(probe, SessionSettings.cpu().withOptimization(false))) {
            return session.outputShapes(inputs);
        }
    }
}
