package dev.lathe.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.OutputFidelity;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Task detection, task metrics computed by hand, and the gate's modes. */
class TaskMetricsTest {

    @Test
    void tasksAreDetectedFromInputsOutputsAndProducers() {
        assertThat(Task.detect(TestModels.transformerBlock()))
                .isEqualTo(new Task.SentenceEmbedding("hidden", Optional.of("attention_mask")));
        assertThat(Task.detect(TestModels.mlp())).isInstanceOf(Task.Generic.class);

        TestModels.Builder classifier = TestModels.builder("classifier");
        String x = classifier.input("x", DataType.FLOAT, "batch", 4);
        classifier.node("Softmax", classifier.node("MatMul", x, classifier.weight("w", 4, 6)).output()).output("probs");
        classifier.output("probs", DataType.FLOAT, "batch", 6);
        assertThat(Task.detect(TestModels.model(classifier.build()))).isEqualTo(new Task.Classifier("probs"));

        TestModels.Builder map = TestModels.builder("map");
        map.node("Sigmoid", map.input("image", DataType.FLOAT, 1, 1, "h", "w")).output("maps");
        map.output("maps", DataType.FLOAT, 1, 1, "h", "w");
        assertThat(Task.detect(TestModels.model(map.build()))).isEqualTo(new Task.DenseMap("maps", 0.3));
    }

    @Test
    void embeddingsArePooledOverTheMask() {
        TaskMetrics metrics = TaskMetrics.of(new Task.SentenceEmbedding("h", Optional.of("mask")));
        // Two tokens, the second masked out: only the first token's vector counts.
        Map<String, TensorData> inputs = Map.of("mask", TensorData.ofLongs(new long[] {1, 2}, 1, 0));
        metrics.add(inputs, Map.of("h", TensorData.ofFloats(new long[] {1, 2, 2}, 1, 0, 0, 1)),
                Map.of("h", TensorData.ofFloats(new long[] {1, 2, 2}, 1, 1, 5, 5)));

        assertThat(metrics.results().get(TaskMetrics.EMBEDDING_COSINE)).isCloseTo(Math.sqrt(0.5), within(1e-9));
        assertThat(metrics.results()).doesNotContainKey(TaskMetrics.OVERLAP);
    }

    @Test
    void partsMergedInOrderEqualOnePassAndTasksSurviveSerialization() throws Exception {
        Task task = new Task.SentenceEmbedding("h", Optional.of("mask"));
        java.util.Random random = new java.util.Random(4);
        TaskMetrics whole = TaskMetrics.of(task);
        TaskMetrics first = TaskMetrics.of(task);
        TaskMetrics second = TaskMetrics.of(task);
        for (int sample = 0; sample < 14; sample++) {
            float[] reference = new float[6];
            float[] candidate = new float[6];
            for (int i = 0; i < 6; i++) {
                reference[i] = (float) random.nextGaussian();
                candidate[i] = reference[i] + 0.1f * (float) random.nextGaussian();
            }
            Map<String, TensorData> inputs = Map.of("mask", TensorData.ofLongs(new long[] {1, 2}, 1, 1));
            Map<String, TensorData> a = Map.of("h", TensorData.ofFloats(new long[] {1, 2, 3}, reference));
            Map<String, TensorData> b = Map.of("h", TensorData.ofFloats(new long[] {1, 2, 3}, candidate));
            whole.add(inputs, a, b);
            (sample < 5 ? first : second).add(inputs, a, b);
        }
        first.merge(second);
        assertThat(first.results()).containsKey(TaskMetrics.OVERLAP).isEqualTo(whole.results());

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(whole);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            TaskMetrics copy = (TaskMetrics) in.readObject();
            assertThat(copy.task()).isEqualTo(task);
            assertThat(copy.results()).isEqualTo(whole.results());
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> whole.merge(TaskMetrics.of(new Task.Classifier("p"))))
                .hasMessageContaining("cannot merge");
    }

    @Test
    void classifierMapAndDecodeAgreement() {
        TaskMetrics top = TaskMetrics.of(new Task.Classifier("p"));
        top.add(Map.of(), Map.of("p", TensorData.ofFloats(new long[] {2, 6}, 0, 9, 1, 2, 3, 4, 9, 0, 1, 2, 3, 4)),
                Map.of("p", TensorData.ofFloats(new long[] {2, 6}, 0, 9, 1, 2, 3, 4, 0, 1, 2, 3, 4, 9)));
        assertThat(top.results()).containsEntry(TaskMetrics.TOP1, 0.5).containsEntry(TaskMetrics.TOP5, 0.5);

        TaskMetrics iou = TaskMetrics.of(new Task.DenseMap("m", 0.3));
        iou.add(Map.of(), Map.of("m", TensorData.ofFloats(new long[] {1, 1, 1, 4}, 0.9f, 0.9f, 0.1f, 0.1f)),
                Map.of("m", TensorData.ofFloats(new long[] {1, 1, 1, 4}, 0.9f, 0.1f, 0.9f, 0.1f)));
        assertThat(iou.results().get(TaskMetrics.IOU)).isCloseTo(1.0 / 3, within(1e-12));
        TaskMetrics blank = TaskMetrics.of(new Task.DenseMap("m", 0.3));
        blank.add(Map.of(), Map.of("m", TensorData.ofFloats(new long[] {1, 1, 1, 2}, 0.1f, 0.2f)),
                Map.of("m", TensorData.ofFloats(new long[] {1, 1, 1, 2}, 0f, 0f)));
        assertThat(blank.results()).as("maps nobody marks say nothing about detection").isEmpty();

        // Steps arg-max 1,1,0,2 decode to [1, 2]; 1,0,1,2 decode to [1, 1, 2].
        float[] a = {0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1};
        float[] b = {0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
        assertThat(TaskMetrics.greedyDecode(a, 0, 4, 3)).containsExactly(1, 2);
        assertThat(TaskMetrics.greedyDecode(b, 0, 4, 3)).containsExactly(1, 1, 2);
        TaskMetrics decode = TaskMetrics.of(new Task.SequenceDecode("s"));
        decode.add(Map.of(), Map.of("s", TensorData.ofFloats(new long[] {1, 4, 3}, a)),
                Map.of("s", TensorData.ofFloats(new long[] {1, 4, 3}, b)));
        assertThat(decode.results()).containsEntry(TaskMetrics.DECODE, 0.0);
    }

    @Test
    void gateUsesTaskDefaultsChecksNothingOnRequestAndFailsUnmeasuredGivenMetrics() {
        Fidelity fidelity = new Fidelity(5, List.of(new OutputFidelity("hidden", 0.5, 0.1, 0.28, 0.1, OptionalDouble.empty())));
        Task embedding = new Task.SentenceEmbedding("hidden", Optional.of("attention_mask"));
        Map<String, Double> broken = Map.of(TaskMetrics.EMBEDDING_COSINE, 0.44);

        ValidationOutcome defaults = ValidationGate.taskDefaults().check(fidelity, embedding, broken, Map.of());
        assertThat(defaults.checked()).isTrue();
        assertThat(defaults.passed()).isFalse();
        assertThat(defaults.failures()).singleElement().asString().contains("embedding-cosine 0.440000");
        assertThat(defaults.thresholds()).anyMatch(t -> t.contains("overlap@10") && t.contains("skipped"));

        ValidationOutcome none = ValidationGate.parse("none").check(fidelity, embedding, broken, Map.of());
        assertThat(none.checked()).isFalse();
        assertThat(none.failures()).isEmpty();

        ValidationOutcome given = ValidationGate.parse("min-overlap=0.9").check(fidelity, embedding, broken, Map.of());
        assertThat(given.passed()).isFalse();
        assertThat(given.failures()).singleElement().asString().contains("overlap@10 was not measured");

        ValidationOutcome blankMap = ValidationGate.taskDefaults().check(fidelity, new Task.DenseMap("hidden", 0.3), Map.of(),
                Map.of());
        assertThat(blankMap.passed()).as("a destroyed detector on blank inputs must not pass").isFalse();
        assertThat(blankMap.thresholds().get(0)).contains("no dense-map metric could be measured");

        ValidationOutcome generic = ValidationGate.taskDefaults().check(fidelity, new Task.Generic(), Map.of(), Map.of());
        assertThat(generic.failures()).singleElement().asString().contains("mean cosine 0.280000 is below the minimum 0.98");
    }
}
