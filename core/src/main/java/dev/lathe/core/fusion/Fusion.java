package dev.lathe.core.fusion;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.Node;
import java.util.HashMap;
import java.util.Map;

/** One matched subgraph and the fused node that replaces it, producing the same value under the same name. */
interface Fusion {
    /** ONNX Runtime's contrib-op domain, where the fused ops live. */
    String MICROSOFT = "com.microsoft";

    /** The fused op type, such as {@code Attention}. */
    String kind();

    /** The value the fused node produces; the matched subgraph produced it under the same name. */
    String output();

    /** Replaces the matched subgraph's last node by the fused node; nodes left unread are removed afterwards. */
    void apply(GraphEditor graph, Shared shared) throws InvalidModelException;

    /** Values several fusions of one model read, made once: the int32 copy of an attention mask. */
    final class Shared {
        private final Map<String, String> int32 = new HashMap<>();

        /** {@code value} cast to int32 (itself when it already is), the Cast added on first use. */
        String int32(GraphEditor graph, String value, DataType type) {
            if (type == DataType.INT32) {
                return value;
            }
            return int32.computeIfAbsent(value, v -> graph.add(Node.op("Cast").named(graph.uniqueName(v + "_to_int32"))
                    .in(v).out(graph.uniqueName(v + "_int32")).attr("to", DataType.INT32)));
        }
    }
}
