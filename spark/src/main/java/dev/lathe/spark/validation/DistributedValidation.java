package dev.lathe.spark.validation;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.FidelitySums;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.core.task.TaskMetrics;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import dev.lathe.spark.executor.ExecutorResources;
import dev.lathe.spark.executor.ShippedModel;
import dev.lathe.spark.executor.SparkJobs;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * An optimized model against its original over texts of any number, on the executors: each executor JVM keeps
 * one CPU session per model across tasks, each partition sums its part of the outputs' fidelity
 * ({@link FidelitySums}) and of the task's metrics ({@link TaskMetrics}: counts, and embeddings in sample
 * order), and the driver merges the parts in partition order and judges them with the gate. The outcome equals
 * {@link ValidationGate#judge} on the same texts in one JVM with CPU sessions: the same sums and counts,
 * never averages of averages. Sentence-embedding models' overlap@10 compares every embedding with every other
 * one, on the driver; it grows with the square of the texts.
 */
public final class DistributedValidation {
    private DistributedValidation() {
    }

    /** One partition's sums. */
    private record Part(FidelitySums fidelity, TaskMetrics metrics) implements Serializable {
    }

    /** An open session with the model it runs (whose inputs the texts are matched to). */
    private record Opened(OnnxModel model, ModelSession session) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Validates {@code optimized} against {@code original} on the first {@code maxSamples} texts.
     *
     * @param task the models' task
     * @throws IllegalArgumentException if the gate has evaluators (they run on the driver's own sessions, which
     *                                  a cluster does not share), there is no text, or the models share no output
     * @throws LatheException           if a Spark task fails
     */
    public static ValidationOutcome validate(SparkTextSamples texts, OnnxModel original, OnnxModel optimized,
            ValidationGate gate, Task task, long maxSamples) throws LatheException {
        if (!gate.evaluators().isEmpty()) {
            throw new IllegalArgumentException("validation on Spark cannot run the gate's evaluators "
                    + gate.evaluators().stream().map(check -> check.evaluator().name()).toList()
                    + ": they measure the driver's own sessions; validate in one JVM, or drop them");
        }
        JavaSparkContext context = JavaSparkContext.fromSparkContext(texts.texts().sparkSession().sparkContext());
        Broadcast<ShippedModel> reference = context.broadcast(ShippedModel.of(original));
        Broadcast<ShippedModel> candidate = context.broadcast(ShippedModel.of(optimized));
        TextEncoding encoding = texts.encoding();
        FlatMapFunction<Iterator<String>, Part> part = partTexts -> {
            List<String> list = new ArrayList<>();
            partTexts.forEachRemaining(list::add);
            if (list.isEmpty()) {
                return Collections.emptyIterator();
            }
            return List.of(measure(reference.value(), candidate.value(), list, encoding, task)).iterator();
        };
        try {
            List<Part> parts = SparkJobs.collect(optimized.source() + ": validation on Spark",
                    () -> texts.firsts(maxSamples).mapPartitions(part).collect());
            if (parts.isEmpty()) {
                throw new IllegalArgumentException(optimized.source() + ": validation needs at least one sample; the "
                        + "Dataset is empty");
            }
            Part merged = parts.get(0);
            for (Part next : parts.subList(1, parts.size())) {
                merged.fidelity().merge(next.fidelity());
                merged.metrics().merge(next.metrics());
            }
            return gate.check(merged.fidelity().result(), task, merged.metrics().results(), Map.of());
        } finally {
            reference.destroy();
            candidate.destroy();
        }
    }

    private static Part measure(ShippedModel reference, ShippedModel candidate, List<String> texts, TextEncoding encoding,
            Task task) throws LatheException {
        try (ExecutorResources.Lease<Opened> original = open(reference);
                ExecutorResources.Lease<Opened> optimized = open(candidate);
                TextSamples samples = encoding.samples(texts, reference.source(), original.get().model())) {
            ModelSession before = original.get().session();
            ModelSession after = optimized.get().session();
            List<String> shared = new ArrayList<>(before.outputNames());
            shared.retainAll(after.outputNames());
            FidelitySums fidelity = new FidelitySums(shared, before.source(), after.source());
            TaskMetrics metrics = TaskMetrics.of(task);
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> expected = before.run(sample);
                Map<String, TensorData> actual = after.run(sample);
                metrics.add(sample, expected, actual);
                fidelity.add(expected, actual);
            }
            return new Part(fidelity, metrics);
        }
    }

    private static ExecutorResources.Lease<Opened> open(ShippedModel model) throws LatheException {
        return ExecutorResources.acquire("session/" + model.sha256(), () -> {
            OnnxModel loaded = model.load();
            return new Opened(loaded, ModelSession.open(loaded, SessionSettings.cpu()));
        });
    }
}
