package dev.lathe.core.task;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a model is for, as far as judging an optimized copy goes: each task has a metric that exposes
 * real damage where a whole-tensor cosine does not (see {@link TaskMetrics}). {@link #detect} tells the
 * task from the model's inputs, outputs and the ops producing them; a caller may also name one. Tasks are
 * serializable, so that metrics can be measured in parts on several machines ({@link TaskMetrics#merge}).
 */
public sealed interface Task extends Serializable {
    /** Output names that hold token states to pool, in order of preference. */
    List<String> TOKEN_STATE_NAMES = List.of("last_hidden_state", "token_embeddings", "hidden_states");
    /** Input names of an attention mask. */
    Set<String> MASK_NAMES = Set.of("attention_mask", "mask", "input_mask");

    /** The task's name in reports: sentence-embedding, classifier, dense-map, sequence or generic. */
    String name();

    /**
     * A text encoder: token states mean-pooled over the attention mask (or an already pooled output),
     * L2-normalised; judged by the cosine of each sample's embedding and nearest-neighbour overlap@10
     * across the validation set.
     *
     * @param output    the output holding token states ({@code [batch, tokens, dim]}) or embeddings ({@code [batch, dim]})
     * @param maskInput the attention mask input to pool with, when the output holds token states
     */
    record SentenceEmbedding(String output, Optional<String> maskInput) implements Task {
        @Override
        public String name() {
            return "sentence-embedding";
        }

        /** Serialized as {@link SerializedEmbedding}: {@code Optional} is not serializable. */
        private Object writeReplace() {
            return new SerializedEmbedding(output, maskInput.orElse(null));
        }
    }

    /** How a {@link SentenceEmbedding} travels: the mask input or null. */
    record SerializedEmbedding(String output, String maskInput) implements Serializable {
        private Object readResolve() {
            return new SentenceEmbedding(output, Optional.ofNullable(maskInput));
        }
    }

    /**
     * A classifier: {@code [batch, classes]} scores, judged by top-1 and top-5 agreement.
     *
     * @param output the scores output
     */
    record Classifier(String output) implements Task {
        @Override
        public String name() {
            return "classifier";
        }
    }

    /**
     * A dense probability map such as a text-detection heat-map ({@code [batch, 1, H, W]} after a
     * Sigmoid), judged by the IoU of the maps thresholded at {@code threshold}.
     *
     * @param output    the map output
     * @param threshold the probability above which a pixel is "on"
     */
    record DenseMap(String output, double threshold) implements Task {
        @Override
        public String name() {
            return "dense-map";
        }
    }

    /**
     * Per-step class scores such as a CTC recognizer's ({@code [batch, steps, classes]} after a Softmax),
     * judged by the agreement of greedy decodes (arg-max per step, repeats and class 0, the blank, removed).
     *
     * @param output the scores output
     */
    record SequenceDecode(String output) implements Task {
        @Override
        public String name() {
            return "sequence";
        }
    }

    /** No known task: judged by the cosine and absolute error of every output. */
    record Generic() implements Task {
        @Override
        public String name() {
            return "generic";
        }
    }

    /**
     * Tells the task from the model: a float output of rank 3 with an attention-mask input, or an output
     * named like {@code sentence_embedding}, is a sentence embedding; a rank-4 single-channel output of a
     * Sigmoid a dense map; a rank-3 output of a Softmax a sequence; a rank-2 output with a fixed class
     * axis from a Softmax, Sigmoid or Gemm (or named like logits) a classifier; anything else generic.
     */
    static Task detect(OnnxModel model) {
        Graph graph = model.graph();
        Optional<String> mask = graph.inputs().stream().map(ValueInfoProto::getName)
                .filter(name -> MASK_NAMES.contains(name.toLowerCase(Locale.ROOT))).findFirst();
        List<ValueInfoProto> outputs = graph.outputs().stream().filter(Task::isFloat).toList();
        if (mask.isPresent()) {
            for (String preferred : TOKEN_STATE_NAMES) {
                if (outputs.stream().anyMatch(o -> o.getName().equals(preferred) && rank(o) == 3)) {
                    return new SentenceEmbedding(preferred, mask);
                }
            }
            Optional<ValueInfoProto> states = outputs.stream().filter(o -> rank(o) == 3).findFirst();
            if (states.isPresent()) {
                return new SentenceEmbedding(states.get().getName(), mask);
            }
        }
        for (ValueInfoProto output : outputs) {
            String name = output.getName().toLowerCase(Locale.ROOT);
            if (rank(output) == 2 && (name.contains("sentence_embedding") || name.equals("pooler_output")
                    || name.equals("embeddings"))) {
                return new SentenceEmbedding(output.getName(), Optional.empty());
            }
        }
        for (ValueInfoProto output : outputs) {
            String producer = graph.producer(output.getName()).map(NodeProto::getOpType).orElse("");
            TensorShapeProto shape = output.getType().getTensorType().getShape();
            if (rank(output) == 4 && producer.equals("Sigmoid") && fixedAt(shape, 1, 1)) {
                return new DenseMap(output.getName(), TaskMetrics.DEFAULT_MAP_THRESHOLD);
            }
            if (rank(output) == 3 && producer.equals("Softmax")) {
                return new SequenceDecode(output.getName());
            }
            String name = output.getName().toLowerCase(Locale.ROOT);
            boolean scores = Set.of("Softmax", "Sigmoid", "LogSoftmax", "Gemm").contains(producer) || name.contains("logit")
                    || name.contains("prob");
            if (rank(output) == 2 && scores && shape.getDim(1).hasDimValue() && shape.getDim(1).getDimValue() > 1) {
                return new Classifier(output.getName());
            }
        }
        return new Generic();
    }

    private static boolean isFloat(ValueInfoProto value) {
        return DataType.fromCode(value.getType().getTensorType().getElemType()).map(DataType::isFloatingPoint).orElse(false);
    }

    private static int rank(ValueInfoProto value) {
        return value.getType().getTensorType().hasShape() ? value.getType().getTensorType().getShape().getDimCount() : -1;
    }

    private static boolean fixedAt(TensorShapeProto shape, int axis, long value) {
        return shape.getDim(axis).hasDimValue() && shape.getDim(axis).getDimValue() == value;
    }
}
