package dev.lathe.core.calibration;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
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
import java.util.HashMap;
import java.util.Map;

/**
 * {@code XᵀX} of row blocks X [rows, K], multiplied out in ONNX Runtime by a one-node model per K (far
 * faster than Java loops); the sessions stay open until {@link #close()}.
 */
final class GramProducts implements AutoCloseable {
    private final String source;
    private final Map<Integer, ModelSession> sessions = new HashMap<>();

    GramProducts(String source) {
        this.source = source;
    }

    /** The K×K product of a [rows, K] block, row-major. */
    float[] of(float[] block, int rows, int size) throws RuntimeFailureException {
        return session(size).run(Map.of("x", TensorData.ofFloats(new long[] {rows, size}, block))).get("y").toFloatArray();
    }

    private ModelSession session(int size) throws RuntimeFailureException {
        ModelSession open = sessions.get(size);
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
        try {
            ModelSession session = ModelSession.open(OnnxModel.of(proto, source + " (second moments)", null),
                    SessionSettings.cpu());
            sessions.put(size, session);
            return session;
        } catch (RuntimeFailureException e) {
            throw e;
        } catch (LatheException e) {
            throw new IllegalStateException("the second-moments model is invalid: " + e.getMessage(), e);
        }
    }

    /** Closes every session. */
    @Override
    public void close() {
        sessions.values().forEach(ModelSession::close);
        sessions.clear();
    }
}
