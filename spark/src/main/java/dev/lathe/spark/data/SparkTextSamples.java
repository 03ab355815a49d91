package dev.lathe.spark.data;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.calibration.CalibrationService;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ValueHistograms;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.pipeline.ValidationService;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.task.Task;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.calibration.DistributedCalibration;
import dev.lathe.spark.validation.DistributedValidation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;

/**
 * Texts in a Spark {@code Dataset<String>} as calibration samples for one model. As a {@link CalibrationService}
 * (give it to {@code Pipeline.Builder.calibration}) it computes the passes' statistics on the executors,
 * where the texts are tokenized, and merges them exactly on the driver: a pipeline calibrated on it writes
 * the same model bytes as one calibrated on the same texts in one JVM. As a {@link ValidationService} (give it to
 * {@code Pipeline.Builder.validationData}) it judges the optimized model on the executors, and the pipeline's
 * report holds that outcome. Iterated as a {@link SampleSource} (the
 * few samples some passes read themselves), it brings texts to the driver in order and tokenizes them there.
 * The "first n samples" are the first n texts in the Dataset's order (partition by partition).
 */
public final class SparkTextSamples implements SampleSource, CalibrationService, ValidationService {
    private static final int DRIVER_CHUNK = 64;

    private final Dataset<String> texts;
    private final TextEncoding encoding;
    private final OnnxModel model;
    private final String name;
    private Long count;

    /**
     * Samples of {@code texts} for {@code model}.
     *
     * @param name what the texts are, for reports (a file, a table)
     * @throws IllegalArgumentException if the model has an input text cannot feed
     */
    public SparkTextSamples(Dataset<String> texts, TextEncoding encoding, OnnxModel model, String name) {
        this.texts = texts;
        this.encoding = encoding;
        this.model = model;
        this.name = name;
        encoding.samples(List.of("probe"), name, model).close();
    }

    /** The texts. */
    public Dataset<String> texts() {
        return texts;
    }

    /** How texts become inputs. */
    public TextEncoding encoding() {
        return encoding;
    }

    /** The first {@code max} texts, in the Dataset's order, staying in their partitions. */
    public JavaRDD<String> firsts(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("need at least one sample, got max " + max);
        }
        return texts.javaRDD().zipWithIndex().filter(indexed -> indexed._2() < max).keys();
    }

    @Override
    public CalibrationStatistics statistics(OnnxModel probed, List<ChannelRequest> requests, int maxSamples)
            throws RuntimeFailureException {
        return DistributedCalibration.statistics(this, probed, requests, maxSamples);
    }

    @Override
    public ValueHistograms histograms(OnnxModel probed, Collection<String> values, int maxSamples)
            throws RuntimeFailureException {
        return DistributedCalibration.histograms(this, probed, values, maxSamples);
    }

    /**
     * Validates on the executors ({@link DistributedValidation}), so a pipeline given these texts as validation
     * data reports the distributed outcome.
     */
    @Override
    public ValidationOutcome judge(ValidationGate gate, OnnxModel original, OnnxModel optimized, Task task, long maxSamples)
            throws LatheException {
        return DistributedValidation.validate(this, original, optimized, gate, task, maxSamples);
    }

    @Override
    public String description() {
        return name + " (Spark, " + size() + " texts)";
    }

    @Override
    public OptionalLong sizeHint() {
        return OptionalLong.of(size());
    }

    private synchronized long size() {
        if (count == null) {
            count = texts.count();
        }
        return count;
    }

    /** Brings texts to the driver in order, {@value #DRIVER_CHUNK} at a time, and tokenizes them there. */
    @Override
    public Iterator<Map<String, TensorData>> iterator() {
        Iterator<String> remote = texts.toLocalIterator();
        return new Iterator<>() {
            private Iterator<Map<String, TensorData>> chunk = List.<Map<String, TensorData>>of().iterator();

            @Override
            public boolean hasNext() {
                if (!chunk.hasNext() && remote.hasNext()) {
                    List<String> next = new ArrayList<>();
                    while (remote.hasNext() && next.size() < DRIVER_CHUNK) {
                        next.add(remote.next());
                    }
                    try (TextSamples samples = encoding.samples(next, name, model)) {
                        chunk = samples.take(next.size()).iterator();
                    }
                }
                return chunk.hasNext();
            }

            @Override
            public Map<String, TensorData> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return chunk.next();
            }
        };
    }
}
