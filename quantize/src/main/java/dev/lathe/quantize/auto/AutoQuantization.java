package dev.lathe.quantize.auto;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Automatic quantization ({@code quantize.auto}): applies each candidate recipe (dynamic int8, static int8,
 * int8 weight-only by default) to the model, checks each result with the pipeline's validation gate on
 * calibration samples (never on the held-out ones the pipeline validates with afterwards), times the ones
 * that pass on the selected provider (on the sample of median size), and keeps the fastest, if it is faster
 * than the input model. Its details list every candidate with its size
 * and median latency against the input model and its task metric, or why it was not applicable or failed.
 * When no candidate passes and is faster, the model is left as it was.
 */
public final class AutoQuantization implements Pass {
    /** Calibration samples each candidate is judged on. */
    static final int CHECK_SAMPLES = 16;

    private final Map<String, String> options;
    private final AutoQuantizationSettings settings;

    /** A pass with these settings. */
    public AutoQuantization(AutoQuantizationSettings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given, in order. */
    AutoQuantization(Map<String, String> options, AutoQuantizationSettings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return AutoQuantizationSettings.PASS;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        PassRegistry registry = PassRegistry.load();
        SessionSettings session = context.provider().map(SessionSettings::of).orElse(SessionSettings.cpu());
        boolean real = context.hasCalibration();
        List<Map<String, TensorData>> samples = real ? context.calibration(CHECK_SAMPLES)
                : InputGenerator.samples(model, context.binding().resolve(model), 8, 1);
        Task task = context.task().orElseGet(() -> Task.detect(model));
        BenchmarkOptions timing = BenchmarkOptions.defaults().withRuns(3, settings.runs())
                .withMemory(BenchmarkOptions.MemoryMeasurement.NONE).withProfile(false);
        Map<String, TensorData> typical = SampleSource.of("check samples", samples).typical(samples.size())
                .orElseThrow();
        long baseSize = model.proto().getSerializedSize();

        Map<String, String> candidates = new LinkedHashMap<>();
        Map<String, OnnxModel> passed = new LinkedHashMap<>();
        Map<String, String> figures = new LinkedHashMap<>();
        for (String candidate : settings.candidates()) {
            OnnxModel quantized;
            try {
                quantized = registry.create("quantize." + candidate).apply(model, context).model();
            } catch (PassFailedException | IllegalArgumentException e) {
                candidates.put(candidate, "not applicable: " + e.getMessage());
                continue;
            }
            ValidationOutcome outcome = context.gate().judge(model, quantized, session, samples, task);
            figures.put(candidate, String.format(Locale.ROOT, "size %.2fx, %s",
                    (double) quantized.proto().getSerializedSize() / baseSize, fidelity(outcome)));
            if (outcome.passed()) {
                passed.put(candidate, quantized);
                candidates.put(candidate, "passed");
            } else {
                candidates.put(candidate, "failed the gate (" + String.join("; ", outcome.failures()) + ")");
            }
        }
        // The input and every candidate are timed forwards, then backwards, and the two medians averaged, so
        // that a machine getting busier or quieter favours none of them.
        List<OnnxModel> timed = new ArrayList<>();
        timed.add(model);
        timed.addAll(passed.values());
        double[] latency = new double[timed.size()];
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < timed.size(); k++) {
                int i = round == 0 ? k : timed.size() - 1 - k;
                latency[i] += Benchmark.run(timed.get(i), session, typical, timing).latencyMs().p50() / 2;
            }
        }
        OnnxModel fastest = null;
        String chosen = null;
        double best = latency[0];
        int index = 1;
        for (Map.Entry<String, OnnxModel> candidate : passed.entrySet()) {
            double ratio = latency[index] / latency[0];
            figures.merge(candidate.getKey(), String.format(Locale.ROOT, ", latency %.2fx", ratio), String::concat);
            if (latency[index] < best) {
                best = latency[index];
                fastest = candidate.getValue();
                chosen = candidate.getKey();
            }
            index++;
        }
        figures.forEach((candidate, text) -> candidates.merge(candidate, text, (status, f) -> status + "; " + f));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("chosen", chosen != null ? chosen : !passed.isEmpty()
                ? "none: no candidate that met the gate was faster than the input model, which is left as it was"
                : "none: no candidate met the gate, the model is left as it was");
        details.put("candidates", candidates);
        details.put("judgedOn", samples.size() + (real ? " calibration samples" : " GENERATED samples (pass --data)")
                + ", latency the mean of two medians of " + settings.runs() + " runs (forwards, then backwards) on "
                + session.provider().describe());
        return new PassResult(fastest == null ? model : fastest, details);
    }

    private static String fidelity(ValidationOutcome outcome) {
        Map<String, Double> metrics = outcome.taskMetrics();
        if (!metrics.isEmpty()) {
            Map.Entry<String, Double> first = metrics.entrySet().iterator().next();
            return String.format(Locale.ROOT, "%s %.4f", first.getKey(), first.getValue());
        }
        return String.format(Locale.ROOT, "cosine %.4f", outcome.fidelity().cosineMin());
    }
}
