package dev.lathe.core.pipeline;

import dev.lathe.core.PassFailedException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.calibration.CalibrationService;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ValueHistograms;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.task.Task;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a pipeline offers its passes: the input shapes the model is optimized for, calibration samples for
 * data-aware passes, the execution provider the result is meant for, and a progress listener for long
 * work.
 *
 * <p>Calibration data are real samples (or generated ones only when the user allowed calibrating on
 * generated inputs); without any, data-aware passes use their data-free form (SmoothQuant off,
 * round-to-nearest instead of GPTQ) or refuse through {@link #requireCalibration}. Passes ask for
 * per-channel statistics through {@link #statistics} and histograms through {@link #histograms}, which ask
 * the calibration service: the source itself when it is a {@link CalibrationService} (samples on a cluster,
 * lathe-spark), else {@link CalibrationService#streaming}, which streams the samples from their source without
 * holding them; {@link #calibration()} reads them into a list (once,
 * on first use, at most {@link #calibrationLimit()}) for the passes that need the samples themselves.
 */
public final class PassContext {
    /** Calibration samples read at most, by default: statistics settle long before (see the passes' notes). */
    public static final int DEFAULT_CALIBRATION_LIMIT = 128;

    private final ShapeBinding binding;
    private final Optional<SampleSource> calibrationSource;
    private final int calibrationLimit;
    private final Optional<ProviderConfig> provider;
    private final ProgressListener progress;
    private final ValidationGate gate;
    private final Optional<Task> task;
    private List<Map<String, TensorData>> calibration;
    private int streamed;

    /**
     * A context.
     *
     * @param binding           the input shapes the pipeline was configured with
     * @param calibrationSource where calibration samples come from; empty when there are none
     * @param calibrationLimit  the most calibration samples to read
     * @param provider          the provider the optimized model is meant for, when one was selected
     * @param progress          where to report progress
     */
    public PassContext(ShapeBinding binding, Optional<SampleSource> calibrationSource, int calibrationLimit,
            Optional<ProviderConfig> provider, ProgressListener progress) {
        this(binding, calibrationSource, calibrationLimit, provider, ValidationGate.taskDefaults(), Optional.empty(), progress);
    }

    /**
     * A context that also carries the pipeline's validation gate and task, for passes that check their own
     * candidates (static quantization's accuracy fallback) on calibration samples.
     *
     * @param gate the gate the optimized model must pass
     * @param task the model's task, when the pipeline was told; else detected from the model
     */
    public PassContext(ShapeBinding binding, Optional<SampleSource> calibrationSource, int calibrationLimit,
            Optional<ProviderConfig> provider, ValidationGate gate, Optional<Task> task, ProgressListener progress) {
        if (calibrationLimit < 1) {
            throw new IllegalArgumentException("calibration limit must be >= 1, got " + calibrationLimit);
        }
        this.binding = binding;
        this.calibrationSource = calibrationSource;
        this.calibrationLimit = calibrationLimit;
        this.provider = provider;
        this.progress = progress;
        this.gate = gate;
        this.task = task;
    }

    /** A context with calibration samples given in code (none when the list is empty) and no provider. */
    public PassContext(ShapeBinding binding, List<Map<String, TensorData>> calibration, ProgressListener progress) {
        this(binding, calibration.isEmpty() ? Optional.empty()
                : Optional.of(SampleSource.of("given in code (" + calibration.size() + " samples)", List.copyOf(calibration))),
                Math.max(1, calibration.size()), Optional.empty(), progress);
    }

    /** The input shapes the pipeline was configured with. */
    public ShapeBinding binding() {
        return binding;
    }

    /** The calibration samples, read on first use (at most {@link #calibrationLimit()}); empty when there is no data. */
    public synchronized List<Map<String, TensorData>> calibration() {
        if (calibration == null) {
            calibration = calibrationSource.map(source -> source.take(calibrationLimit)).orElse(List.of());
        }
        return calibration;
    }

    /**
     * The first {@code max} calibration samples (at most {@link #calibrationLimit()}), read from their source
     * into a list; empty when there is no data. For passes that need a few samples themselves.
     */
    public List<Map<String, TensorData>> calibration(int max) {
        if (calibrationSource.isEmpty()) {
            return List.of();
        }
        List<Map<String, TensorData>> samples = calibrationSource.get().take(Math.min(max, calibrationLimit));
        synchronized (this) {
            streamed = Math.max(streamed, samples.size());
        }
        return samples;
    }

    /**
     * Checks that there is calibration data, for a pass that has no data-free form; it reads no sample.
     *
     * @throws PassFailedException naming the pass and how to pass data, when there is none
     */
    public void requireCalibration(String pass) throws PassFailedException {
        if (!hasCalibration()) {
            throw new PassFailedException(pass + " needs real calibration data and none was given: pass samples "
                    + "(lathe optimize --data FILE, or Pipeline.Builder.data), or allow calibrating on generated inputs "
                    + "(--calibrate-on-generated), which judges models far worse than real data");
        }
    }

    /** Whether there is calibration data (real, or generated on request). */
    public boolean hasCalibration() {
        return calibrationSource.isPresent();
    }

    /**
     * The per-channel statistics of values of {@code model} over at most {@code maxSamples} calibration
     * samples (never more than {@link #calibrationLimit()}), streamed from their source.
     *
     * @throws IllegalStateException    if there is no calibration data (check {@link #hasCalibration()})
     * @throws IllegalArgumentException if a request names a value the model's main graph does not have
     * @throws RuntimeFailureException  if ONNX Runtime cannot run the probe
     */
    public CalibrationStatistics statistics(OnnxModel model, List<ChannelRequest> requests, int maxSamples)
            throws RuntimeFailureException {
        CalibrationService service = calibrationSource.map(PassContext::service).orElseThrow(() -> new IllegalStateException(
                "no calibration data: check hasCalibration() before asking for statistics"));
        CalibrationStatistics statistics = service.statistics(model, requests, Math.min(maxSamples, calibrationLimit));
        synchronized (this) {
            streamed = Math.max(streamed, statistics.samples());
        }
        return statistics;
    }

    /**
     * Histograms of values of {@code model} over at most {@code maxSamples} calibration samples (never more than
     * {@link #calibrationLimit()}), streamed from their source; values that are not float tensors are left out.
     *
     * @throws IllegalStateException    if there is no calibration data (check {@link #hasCalibration()})
     * @throws IllegalArgumentException if a value is not in the model's main graph
     * @throws RuntimeFailureException  if ONNX Runtime cannot run the model
     */
    public ValueHistograms histograms(OnnxModel model, Collection<String> values, int maxSamples)
            throws RuntimeFailureException {
        CalibrationService service = calibrationSource.map(PassContext::service).orElseThrow(() -> new IllegalStateException(
                "no calibration data: check hasCalibration() before asking for histograms"));
        ValueHistograms histograms = service.histograms(model, values, Math.min(maxSamples, calibrationLimit));
        synchronized (this) {
            streamed = Math.max(streamed, histograms.samples());
        }
        return histograms;
    }

    /** The source's own service when it has one, else streaming in this JVM. */
    private static CalibrationService service(SampleSource source) {
        return source instanceof CalibrationService own ? own : CalibrationService.streaming(source);
    }

    /** The validation gate of the pipeline (task defaults when none was given). */
    public ValidationGate gate() {
        return gate;
    }

    /** The model's task, when the pipeline was told it. */
    public Optional<Task> task() {
        return task;
    }

    /** How many calibration samples were read at most by one pass's request, when any were read. */
    public synchronized Optional<Integer> calibrationRead() {
        int listed = calibration == null ? 0 : calibration.size();
        int most = Math.max(listed, streamed);
        return most == 0 ? Optional.empty() : Optional.of(most);
    }

    /** Where the calibration samples come from, when there are any. */
    public Optional<SampleSource> calibrationSource() {
        return calibrationSource;
    }

    /** The most calibration samples read from the source. */
    public int calibrationLimit() {
        return calibrationLimit;
    }

    /** The execution provider the optimized model is meant for, when one was selected. */
    public Optional<ProviderConfig> provider() {
        return provider;
    }

    /** Where to report progress. */
    public ProgressListener progress() {
        return progress;
    }
}
