package dev.lathe.spark.calibration;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ValueHistograms;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.data.TextEncoding;
import dev.lathe.spark.executor.ExecutorResources;
import dev.lathe.spark.executor.ShippedModel;
import dev.lathe.spark.executor.SparkJobs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Calibration statistics of a model over the first texts of a Dataset, computed on the executors: the model
 * travels once per executor as bytes (a broadcast), each executor JVM opens its probe session once and reuses
 * it across tasks ({@link ExecutorResources}), each partition tokenizes its texts and returns its part, and
 * the parts are merged in a tree ({@code treeReduce}), mostly on the executors. Per-sample contributions
 * summed in double-double make every merge exact, so the result equals {@link CalibrationStatistics#collect}
 * on the same texts in one JVM, bit for bit, however the texts are partitioned.
 */
public final class DistributedCalibration {
    private DistributedCalibration() {
    }

    /**
     * Per-channel statistics over the first {@code maxSamples} texts.
     *
     * @throws IllegalArgumentException if there is no text, or a request does not fit the model
     * @throws RuntimeFailureException  if a Spark task fails (the message carries its cause)
     */
    public static CalibrationStatistics statistics(SparkTextSamples samples, OnnxModel model, List<ChannelRequest> requests,
            int maxSamples) throws RuntimeFailureException {
        ArrayList<ChannelRequest> shippedRequests = new ArrayList<>(requests);
        return probed(samples, model, maxSamples, "calibration statistics", "statistics/" + shippedRequests.hashCode() + "/",
                CalibrationStatistics::merge, loaded -> CalibrationStatistics.probe(loaded, shippedRequests),
                (probe, inputs) -> probe.collect(inputs, Integer.MAX_VALUE));
    }

    /**
     * Histograms of values over the first {@code maxSamples} texts.
     *
     * @throws IllegalArgumentException if there is no text, or a value is not in the model's main graph
     * @throws RuntimeFailureException  if a Spark task fails (the message carries its cause)
     */
    public static ValueHistograms histograms(SparkTextSamples samples, OnnxModel model, Collection<String> values,
            int maxSamples) throws RuntimeFailureException {
        ArrayList<String> shippedValues = new ArrayList<>(values);
        return probed(samples, model, maxSamples, "activation histograms", "histograms/" + shippedValues.hashCode() + "/",
                ValueHistograms::merge, loaded -> ValueHistograms.probe(loaded, shippedValues),
                (probe, inputs) -> probe.collect(inputs, Integer.MAX_VALUE));
    }

    /** Opens a probe session on the model an executor loaded. */
    @FunctionalInterface
    private interface ProbeOpener<P> extends java.io.Serializable {
        P open(OnnxModel loaded) throws LatheException;
    }

    /** Runs an open probe over a partition's samples. */
    @FunctionalInterface
    private interface ProbeRun<P, T> extends java.io.Serializable {
        T collect(P probe, TextSamples inputs) throws Exception;
    }

    /**
     * Every partition's part computed by a probe that each executor opens once per {@code key} and model and
     * reuses across tasks, the parts merged.
     */
    private static <P extends AutoCloseable, T> T probed(SparkTextSamples samples, OnnxModel model, int maxSamples,
            String what, String key, Function2<T, T, T> merge, ProbeOpener<P> opener, ProbeRun<P, T> collect)
            throws RuntimeFailureException {
        return run(samples, model, maxSamples, what, merge, (shipped, texts, encoding) -> {
            try (ExecutorResources.Lease<Probed<P>> probe = ExecutorResources.acquire(key + shipped.sha256(), () -> {
                OnnxModel loaded = shipped.load();
                return new Probed<>(loaded, opener.open(loaded));
            });
                    TextSamples inputs = encoding.samples(texts, shipped.source(), probe.get().model())) {
                return collect.collect(probe.get().probe(), inputs);
            }
        });
    }

    /** An open probe with the model it probes (whose inputs the texts are matched to). */
    private record Probed<T extends AutoCloseable>(OnnxModel model, T probe) implements AutoCloseable {
        @Override
        public void close() {
            try {
                probe.close();
            } catch (Exception e) {
                throw new IllegalStateException(model.source() + ": closing a probe session failed: " + e.getMessage(), e);
            }
        }
    }

    /** What a partition computes from its texts. */
    @FunctionalInterface
    private interface PartComputation<T> extends java.io.Serializable {
        T compute(ShippedModel model, List<String> texts, TextEncoding encoding) throws Exception;
    }

    private static <T> T run(SparkTextSamples samples, OnnxModel model, int maxSamples, String what, Function2<T, T, T> merge,
            PartComputation<T> computation) throws RuntimeFailureException {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(samples.texts().sparkSession().sparkContext());
        Broadcast<ShippedModel> shipped = context.broadcast(ShippedModel.of(model));
        TextEncoding encoding = samples.encoding();
        // Each partition gives one list: its part, or nothing when it holds none of the first texts.
        FlatMapFunction<Iterator<String>, List<T>> part = texts -> {
            List<String> partTexts = new ArrayList<>();
            texts.forEachRemaining(partTexts::add);
            return List.of(partTexts.isEmpty() ? List.<T>of()
                    : List.of(computation.compute(shipped.value(), partTexts, encoding))).iterator();
        };
        Function2<List<T>, List<T>, List<T>> combine = (first, second) -> first.isEmpty() ? second : second.isEmpty() ? first
                : List.of(merge.call(first.get(0), second.get(0)));
        try {
            // Merged on the executors, in a tree, before the driver sees them: a part holds a Gram matrix per value
            // (MiniLM's 24 MatMul inputs: about 135 MB), so the driver must not collect one per partition.
            List<T> merged = SparkJobs.collect(model.source() + ": " + what + " on Spark",
                    () -> samples.firsts(maxSamples).mapPartitions(part).treeReduce(combine, 2));
            if (merged.isEmpty()) {
                throw new IllegalArgumentException(model.source() + ": " + what + " need at least one calibration sample; the "
                        + "Dataset is empty");
            }
            return merged.get(0);
        } finally {
            shipped.destroy();
        }
    }
}
