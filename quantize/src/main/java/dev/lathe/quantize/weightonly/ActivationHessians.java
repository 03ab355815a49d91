package dev.lathe.quantize.weightonly;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second moments {@code H = Σ xᵀx} of the float activations that weight matrices multiply, over the
 * rows (tokens) of calibration samples: what GPTQ needs. A probe model, the original main graph with those
 * activations as its outputs, runs on every sample; their rows are buffered, and every
 * {@value #ROWS_PER_PRODUCT} rows ONNX Runtime multiplies them out ({@code MatMul(Transpose(X), X)} in a
 * one-node model, far faster than Java loops); the K×K products are summed here in double precision. Both
 * models run through {@code core.runtime}.
 */
final class ActivationHessians {
    /** Rows of one activation buffered before they are multiplied out. */
    static final int ROWS_PER_PRODUCT = 1024;

    private ActivationHessians() {
    }

    /**
     * One activation's second moments.
     *
     * @param size   K, the activation's last dimension
     * @param lower  row-major K×K; the lower triangle (column ≤ row) holds {@code Σ xᵀx}, the rest is 0
     * @param tokens how many activation rows (tokens) were summed
     */
    record Hessian(int size, double[] lower, long tokens) {
    }

    /** The rows of one activation not yet multiplied out, and the sum so far. */
    private static final class Accumulator {
        private final int size;
        private final float[] rows;
        private final double[] lower;
        private int filled;
        private long tokens;

        Accumulator(int size) {
            this.size = size;
            this.rows = new float[ROWS_PER_PRODUCT * size];
            this.lower = new double[size * size];
        }

        /** Adds the rows of an activation, multiplying out whenever the buffer is full. */
        void add(float[] activation, ModelSession gram) throws LatheException {
            for (int offset = 0; offset < activation.length; offset += size) {
                System.arraycopy(activation, offset, rows, filled * size, size);
                filled++;
                tokens++;
                if (filled == ROWS_PER_PRODUCT) {
                    flush(gram);
                }
            }
        }

        /** Multiplies out the buffered rows. */
        void flush(ModelSession gram) throws LatheException {
            if (filled == 0) {
                return;
            }
            float[] x = filled == ROWS_PER_PRODUCT ? rows : Arrays.copyOf(rows, filled * size);
            float[] product = gram.run(Map.of("x", TensorData.ofFloats(new long[] {filled, size}, x))).get("y").toFloatArray();
            for (int i = 0; i < size; i++) {
                int row = i * size;
                for (int l = 0; l <= i; l++) {
                    lower[row + l] += product[row + l];
                }
            }
            filled = 0;
        }
    }

    /**
     * Runs the samples and sums {@code xᵀx} for every named value.
     *
     * @param values the activations to observe, each with its last dimension K; each must be a main-graph
     *               input or computed by a main-graph node
     * @throws PassFailedException if ONNX Runtime cannot run the probe, or an activation's size is not a
     *                             multiple of its K
     */
    static Map<String, Hessian> collect(OnnxModel model, Map<String, Integer> values,
            List<Map<String, TensorData>> samples) throws LatheException {
        Set<String> inputs = new HashSet<>();
        model.graph().inputs().forEach(v -> inputs.add(v.getName()));
        GraphProto.Builder graph = model.proto().getGraph().toBuilder().clearOutput();
        values.keySet().stream().filter(v -> !inputs.contains(v))
                .forEach(v -> graph.addOutput(ValueInfoProto.newBuilder().setName(v)));
        if (graph.getOutputCount() == 0) {
            graph.addOutput(model.proto().getGraph().getOutput(0));
        }
        OnnxModel probe = OnnxModel.of(model.proto().toBuilder().setGraph(graph).build(),
                model.source() + " (activation probe)", model.baseDirectory().orElse(null));
        Map<String, Accumulator> accumulators = new LinkedHashMap<>();
        values.forEach((value, size) -> accumulators.put(value, new Accumulator(size)));
        Map<Integer, ModelSession> grams = new HashMap<>();
        try (ModelSession session = ModelSession.open(probe, SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> results = session.run(sample);
                for (Map.Entry<String, Accumulator> entry : accumulators.entrySet()) {
                    String value = entry.getKey();
                    int size = values.get(value);
                    float[] activation = (inputs.contains(value) ? sample.get(value) : results.get(value)).toFloatArray();
                    if (activation.length % size != 0) {
                        throw new PassFailedException(model.source() + ": activation '" + value + "' has "
                                + activation.length + " elements, not a multiple of its last dimension " + size);
                    }
                    entry.getValue().add(activation, gram(grams, size, model.source()));
                }
            }
            Map<String, Hessian> hessians = new LinkedHashMap<>();
            for (Map.Entry<String, Accumulator> entry : accumulators.entrySet()) {
                Accumulator accumulator = entry.getValue();
                accumulator.flush(gram(grams, accumulator.size, model.source()));
                hessians.put(entry.getKey(), new Hessian(accumulator.size, accumulator.lower, accumulator.tokens));
            }
            return hessians;
        } catch (LatheException e) {
            throw new PassFailedException(model.source() + ": cannot observe activations for GPTQ: " + e.getMessage(), e);
        } finally {
            grams.values().forEach(ModelSession::close);
        }
    }

    /** The session of the one-node model computing {@code xᵀx} for x [rows, size]. */
    private static ModelSession gram(Map<Integer, ModelSession> grams, int size, String source) throws LatheException {
        ModelSession open = grams.get(size);
        if (open != null) {
            return open;
        }
        TypeProto.Builder type = TypeProto.newBuilder();
        TensorShapeProto.Builder shape = type.getTensorTypeBuilder().setElemType(DataType.FLOAT.code()).getShapeBuilder();
        shape.addDimBuilder().setDimParam("rows");
        shape.addDimBuilder().setDimValue(size);
        GraphProto gram = GraphProto.newBuilder().setName("second_moments")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(type))
                .addNode(NodeProto.newBuilder().setName("transpose").setOpType("Transpose").addInput("x").addOutput("xt"))
                .addNode(NodeProto.newBuilder().setName("product").setOpType("MatMul").addInput("xt").addInput("x").addOutput("y"))
                .addOutput(ValueInfoProto.newBuilder().setName("y")).build();
        ModelProto proto = ModelProto.newBuilder().setIrVersion(7).setGraph(gram)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
        ModelSession session = ModelSession.open(OnnxModel.of(proto, source + " (second moments)", null), SessionSettings.cpu());
        grams.put(size, session);
        return session;
    }
}
