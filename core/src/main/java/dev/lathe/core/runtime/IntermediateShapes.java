package dev.lathe.core.runtime;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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
     * Shapes of all main-graph values at the given input shapes.
     *
     * @throws RuntimeFailureException if ONNX Runtime cannot load or run the model
     */
    public static Map<String, long[]> probe(OnnxModel model, Map<String, long[]> inputShapes) throws RuntimeFailureException {
        GraphProto graph = model.proto().getGraph();
        Set<String> exposed = new HashSet<>();
        graph.getOutputList().forEach(v -> exposed.add(v.getName()));
        GraphProto.Builder widened = graph.toBuilder();
        for (NodeProto node : graph.getNodeList()) {
            for (String output : node.getOutputList()) {
                if (!output.isEmpty() && exposed.add(output)) {
                    widened.addOutput(ValueInfoProto.newBuilder().setName(output));
                }
            }
        }
        ModelProto probeModel = model.proto().toBuilder().setGraph(widened).build();
        OnnxModel probe;
        try {
            probe = OnnxModel.of(probeModel, model.source(), model.baseDirectory().orElse(null));
        } catch (InvalidModelException e) {
            throw new IllegalStateException("exposing intermediate values broke " + model.source(), e);
        }
        try (ModelSession session = ModelSession.open(probe, SessionSettings.cpu().withOptimization(false))) {
            return session.outputShapes(InputGenerator.generate(model, inputShapes, SEED));
        }
    }
}
