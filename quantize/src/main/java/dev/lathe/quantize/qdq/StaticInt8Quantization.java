package dev.lathe.quantize.qdq;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.calibration.ValueHistogram;
import dev.lathe.core.calibration.ValueHistograms;
import dev.lathe.core.cleanup.HardSwishRewrite;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.provider.CpuFeatures;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.quantize.WeightQuantizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantization ({@code quantize.static}): weights and activations in 8 bits, as a
 * QuantizeLinear/DequantizeLinear (QDQ) graph that ONNX Runtime's CPU provider runs with integer kernels
 * (QLinearConv, QLinearMatMul, QGemm, QLinearAdd ...), or, in TensorRT's placement (chosen when the provider
 * is TensorRT), as TensorRT's explicitly quantized networks expect. Steps: Conv+BatchNormalization folded
 * ({@link BatchNormFolding}), divisions by constants made multiplications ({@link ConstantDivision}); the
 * opset raised to 13 for per-channel scales ({@link OpsetUpgrade}); activation ranges from streaming histograms over the
 * calibration samples ({@link ValueHistograms}: min/max, percentile or entropy; the model's outputs always min/max,
 * since nothing after them can make up for a clipped output: entropy clipped PP-OCRv3 detection's probability map
 * below its 0.3 threshold, map IoU 0); Q/DQ placed where ONNX Runtime fuses them ({@link QdqPlan},
 * {@link QdqWriter}); convolution weights rounded by GPTQ onto the int8 steps that keep their outputs closest
 * ({@link ConvRounding}), kept where the result scores at least as well on the check samples as nearest rounding;
 * each quantized convolution's bias corrected, in graph
 * order, for the shift quantization gives its channel means ({@link BiasCorrection}); then, while the pipeline's
 * validation gate fails on calibration samples, the nodes that add the most error return to float
 * ({@link Fallback}), and when that leaves no convolution or product quantized the float model is kept; hard-swish
 * chains left wholly in float become {@code x · HardSigmoid(x)}
 * ({@link HardSwishRewrite}), which ONNX Runtime runs much faster in float, while quantized ones stay integer (on
 * PP-OCRv3 detection the rewritten form, its gate in float between Q/DQ, was 4 % slower). Needs calibration data.
 */
public final class StaticInt8Quantization implements Pass {
    /** The ops whose integer kernels pay for the Q/DQ around them. */
    private static final Set<String> MAC_OPS = Set.of("Conv", "MatMul", "Gemm");

    /** Calibration samples the bias correction, the probe and the fallback's gate checks run on (the first ones). */
    static final int CHECK_SAMPLES = 16;
    /** Nodes kept in float that the details name, most sensitive first; the rest are counted. */
    static final int KEPT_FLOAT_LISTED = 20;

    private final Map<String, String> options;
    private final StaticInt8Settings settings;

    /** A pass with these settings; {@link #options()} gives every setting. */
    public StaticInt8Quantization(StaticInt8Settings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given, in order. */
    StaticInt8Quantization(Map<String, String> options, StaticInt8Settings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return StaticInt8Settings.PASS;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** The settings this pass quantizes with. */
    public StaticInt8Settings settings() {
        return settings;
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        context.requireCalibration(name());
        StaticInt8Settings applied = settings.forProvider(context.provider().map(ProviderConfig::provider));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reduceRange", (applied.reduceRange() ? "on" : "off") + " (this CPU: " + CpuFeatures.int8Summary() + ")");
        ModelEditor editor = model.edit();
        int folded = BatchNormFolding.fold(model, editor.mainGraph());
        int divisions = applied.filter().opTypes().contains("Mul")
                ? ConstantDivision.toMultiplication(model, editor.mainGraph()) : 0;
        if (applied.perChannel()) {
            try {
                OpsetUpgrade.apply(model, editor, ranks(model, context))
                        .ifPresent(old -> details.put("opset", old + " -> " + OpsetUpgrade.TARGET));
            } catch (IllegalArgumentException e) {
                throw new PassFailedException(name() + ": " + e.getMessage());
            }
        } else if (model.opsetVersion("").orElse(1L) < 10) {
            throw new PassFailedException(name() + ": " + model.source() + " imports ai.onnx "
                    + model.opsetVersion("").orElse(1L) + "; QuantizeLinear needs opset 10 or later");
        }
        OnnxModel prepared = editor.build();
        if (folded > 0) {
            details.put("batchNormsFolded", folded);
        }
        if (divisions > 0) {
            details.put("divisionsToMultiplications", divisions);
        }
        Collection<String> candidates = QdqPlan.candidates(prepared.edit().mainGraph(), applied.filter());
        if (candidates.isEmpty()) {
            details.put("quantized", "nothing: no node of the selected op types");
            return new PassResult(prepared, details);
        }
        ValueHistograms histograms = context.histograms(prepared, candidates, context.calibrationLimit());
        Map<String, float[]> ranges = new LinkedHashMap<>();
        Set<String> outputs = new HashSet<>();
        prepared.proto().getGraph().getOutputList().forEach(output -> outputs.add(output.getName()));
        histograms.histograms().forEach((value, histogram) -> ranges.put(value,
                outputs.contains(value) ? histogram.minMax() : range(histogram, applied)));
        details.put("calibration", applied.calibration().name().toLowerCase(Locale.ROOT)
                + (applied.calibration() == StaticInt8Settings.Calibration.PERCENTILE ? " " + applied.percentile() : "")
                + " over " + histograms.samples() + " samples"
                + (applied.calibration() != StaticInt8Settings.Calibration.MINMAX && ranges.keySet().stream()
                        .anyMatch(outputs::contains) ? "; the model's outputs keep their whole range (min/max)" : ""));

        QdqPlan plan = plan(prepared, ranges, Set.of(), applied);
        if (plan.targets().isEmpty()) {
            details.put("quantized", "nothing: no selected node reads and writes float activations");
            return new PassResult(prepared, details);
        }
        List<Map<String, TensorData>> checkSamples = context.calibration(Math.min(CHECK_SAMPLES, histograms.samples()));
        Task task = context.task().orElseGet(() -> Task.detect(model));
        Rounding rounding = roundAndCorrect(model, prepared, plan, ranges, applied, checkSamples, context, task,
                details);
        OnnxModel weighted = rounding.weighted();
        OnnxModel corrected = rounding.corrected();
        boolean fallback = applied.fallback() && context.gate().checks();
        // The corrections assume every convolution before them quantized: a candidate with nodes in float takes
        // the original biases (PP-OCRv3 recognition's corrected biases in a float model broke every decode).
        Fallback.Build build = keepFloat -> quantize(keepFloat.isEmpty() ? corrected : weighted, ranges, keepFloat,
                applied);
        OnnxModel chosen = build.apply(Set.of());
        Map<String, Double> keptFloat = Map.of();
        if (fallback) {
            Map<String, Double> errors = Probe.of(prepared, ranges, applied).errors(checkSamples);
            Fallback.Outcome outcome = new Fallback(model, checkSamples, context.gate(), task)
                    .search(chosen, errors, build);
            chosen = outcome.model();
            keptFloat = outcome.keptFloat();
            details.put("fallback", !outcome.passed()
                    ? "no set of float nodes met the gate on calibration samples (" + outcome.checks() + " checks; "
                            + String.join("; ", outcome.lastFailure()) + "); the fully quantized model is kept"
                    : keptFloat.isEmpty() ? "none needed (the gate held on calibration samples)"
                    : keptFloat.size() + " nodes kept in float after " + outcome.checks() + " checks");
            if (!keptFloat.isEmpty() && corrected != weighted) {
                details.compute("biasCorrection", (key, said) -> said + "; not in the result, whose float nodes "
                        + "need the original biases");
            }
            if (!keptFloat.isEmpty()) {
                Map<String, String> why = new LinkedHashMap<>();
                keptFloat.entrySet().stream().limit(KEPT_FLOAT_LISTED).forEach(kept -> why.put(kept.getKey(),
                        String.format(Locale.ROOT, "channel error %.3g on its own", kept.getValue())));
                if (keptFloat.size() > KEPT_FLOAT_LISTED) {
                    why.put("…", (keptFloat.size() - KEPT_FLOAT_LISTED) + " more, with smaller errors");
                }
                details.put("keptFloat", why);
            }
        } else {
            details.put("fallback", applied.fallback() ? "off: the validation gate checks nothing" : "off");
        }
        QdqPlan chosenPlan = plan(prepared, ranges, keptFloat.keySet(), applied);
        boolean products = chosenPlan.targets().stream().anyMatch(t -> MAC_OPS.contains(t.node().getOpType()));
        if (!keptFloat.isEmpty() && !products) {
            // Q/DQ around a few elementwise nodes costs more than their integer kernels save (PP-OCRv3 recognition:
            // 0.76x of the original's latency with 3 Sigmoids and an Add quantized, 0.73x all in float).
            details.put("quantized", chosenPlan.targets().isEmpty() ? "nothing: the fallback returned every node to float"
                    : "nothing: the fallback left no convolution or product quantized, so the float model is kept "
                            + "(quantizing only " + chosenPlan.countByOp() + " would cost more than it saves)");
            chosen = prepared;
        } else {
            details.put("quantized", chosenPlan.countByOp());
        }
        // Hard-swish chains left in float get the form ONNX Runtime runs fastest in float; quantized ones stay as
        // they are, integer from end to end.
        HardSwishRewrite.Result hardSwish = HardSwishRewrite.apply(chosen);
        chosen = hardSwish.model();
        if (hardSwish.rewritten() > 0) {
            details.put("hardSwishesRewritten", hardSwish.rewritten() + " left in float, as x * HardSigmoid(x)");
        }
        details.put("activations", applied.activationType().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        details.put("placement", applied.tensorRt() ? "tensorrt" : "onnxruntime");
        return new PassResult(chosen, details);
    }

    /**
     * The float model with its weights as they will be rounded, and that model with its biases corrected.
     *
     * @param weighted  the float model, its convolution weights moved onto their GPTQ steps or as they were
     * @param corrected {@code weighted} with its biases corrected (or {@code weighted} when that is off)
     */
    private record Rounding(OnnxModel weighted, OnnxModel corrected) {
    }

    /**
     * Rounds the weights ({@link #roundWeights}) and corrects the biases ({@link #correctBiases}); when GPTQ
     * changed the weights, also corrects the biases of the nearest-rounded model and keeps whichever quantized
     * model scores better on the check samples (the sum of the task's metrics, else the mean output cosine):
     * GPTQ gained PP-OCRv3 detection 0.022 of held-out map IoU but cost PP-OCRv4 detection 0.008.
     */
    private Rounding roundAndCorrect(OnnxModel original, OnnxModel prepared, QdqPlan plan, Map<String, float[]> ranges,
            StaticInt8Settings applied, List<Map<String, TensorData>> samples, PassContext context, Task task,
            Map<String, Object> details) throws LatheException {
        OnnxModel gptq = roundWeights(prepared, plan, applied, samples, context, details);
        OnnxModel corrected = correctBiases(gptq, plan, ranges, applied, samples, context, details);
        if (gptq == prepared) {
            return new Rounding(prepared, corrected);
        }
        Map<String, Object> nearestDetails = new LinkedHashMap<>();
        OnnxModel nearestCorrected = correctBiases(prepared, plan, ranges, applied, samples, context, nearestDetails);
        Score withGptq = score(original, quantize(corrected, ranges, Set.of(), applied), samples, context, task);
        Score withNearest = score(original, quantize(nearestCorrected, ranges, Set.of(), applied), samples, context,
                task);
        String measured = String.format(Locale.ROOT, "on the %d check samples %s %.6f with GPTQ, %.6f rounding to "
                + "nearest", samples.size(), withGptq.what(), withGptq.value(), withNearest.value());
        if (withGptq.value() >= withNearest.value()) {
            details.compute("weightRounding", (key, said) -> said + "; " + measured);
            return new Rounding(gptq, corrected);
        }
        details.put("weightRounding", "nearest, GPTQ measured worse: " + measured);
        details.put("biasCorrection", nearestDetails.get("biasCorrection"));
        return new Rounding(prepared, nearestCorrected);
    }

    /** A candidate's score and what it is. */
    private record Score(String what, double value) {
    }

    /** The sum of the task's metrics of a quantized candidate against the original, else its mean output cosine. */
    private static Score score(OnnxModel original, OnnxModel candidate, List<Map<String, TensorData>> samples,
            PassContext context, Task task) throws LatheException {
        ValidationOutcome outcome = context.gate().judge(original, candidate, SessionSettings.cpu(), samples, task);
        if (outcome.taskMetrics().isEmpty()) {
            return new Score("mean output cosine", outcome.fidelity().cosineMean());
        }
        return new Score(String.join(" + ", outcome.taskMetrics().keySet()),
                outcome.taskMetrics().values().stream().mapToDouble(Double::doubleValue).sum());
    }

    /**
     * The weighted model (the float model, its weights perhaps rounded by GPTQ) with its quantized convolutions'
     * biases corrected ({@link BiasCorrection}), or as it is when the settings turn the correction off; the details
     * say which, how many and the largest shift. The means aimed at are the weighted model's in float, so the
     * correction makes up for what quantizing activations shifts, GPTQ having chosen the weights: on PP-OCRv3
     * detection aiming at the unrounded float model's means instead gave map IoU 0.953 against 0.957.
     */
    private OnnxModel correctBiases(OnnxModel weighted, QdqPlan plan, Map<String, float[]> ranges,
            StaticInt8Settings applied, List<Map<String, TensorData>> samples, PassContext context,
            Map<String, Object> details) throws LatheException {
        if (!applied.biasCorrection()) {
            details.put("biasCorrection", "off");
            return weighted;
        }
        List<String> convolutions = new ArrayList<>();
        int withoutBias = 0;
        for (QdqPlan.Target target : plan.targets()) {
            NodeProto node = target.node();
            if (target.role() == QdqPlan.Role.WEIGHTED && node.getOpType().equals("Conv")) {
                if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
                    convolutions.add(target.name());
                } else {
                    withoutBias++;
                }
            }
        }
        String unbiased = withoutBias == 0 ? "" : "; " + withoutBias + " without a bias left as they are";
        if (convolutions.isEmpty()) {
            details.put("biasCorrection", "none: no quantized convolution with a bias" + unbiased);
            return weighted;
        }
        BiasCorrection.Outcome outcome = BiasCorrection.correct(weighted, convolutions, samples,
                floatModel -> quantize(floatModel, ranges, Set.of(), applied), context.progress(),
                name() + ": correcting " + convolutions.size() + " convolutions' biases");
        details.put("biasCorrection", String.format(Locale.ROOT, "%d convolutions, means over %d calibration samples; "
                + "largest channel shift %.3g of its layer's largest mean (%s)%s", outcome.corrected(), samples.size(),
                outcome.largest(), outcome.where(), unbiased));
        return outcome.model();
    }

    /**
     * The float model with its quantized convolutions' weights moved by GPTQ onto the int8 steps that keep their
     * outputs closest on the calibration samples ({@link ConvRounding}), or as it is when the settings round to
     * nearest; the details say which.
     */
    private OnnxModel roundWeights(OnnxModel prepared, QdqPlan plan, StaticInt8Settings applied,
            List<Map<String, TensorData>> samples, PassContext context, Map<String, Object> details)
            throws LatheException {
        if (applied.weightRounding() == StaticInt8Settings.WeightRounding.NEAREST) {
            details.put("weightRounding", "nearest");
            return prepared;
        }
        List<String> convolutions = plan.targets().stream()
                .filter(target -> target.role() == QdqPlan.Role.WEIGHTED && target.node().getOpType().equals("Conv"))
                .map(QdqPlan.Target::name).toList();
        if (convolutions.isEmpty()) {
            details.put("weightRounding", "nearest: no quantized convolution (GPTQ rounds convolutions only)");
            return prepared;
        }
        ConvRounding.Outcome outcome = ConvRounding.round(prepared, convolutions, samples,
                WeightQuantizer.signedMax(applied.reduceRange()), context.progress(), name() + ": GPTQ rounding of "
                        + convolutions.size() + " convolutions' weights");
        StringBuilder said = new StringBuilder(String.format(Locale.ROOT,
                "gptq: %d convolutions over %d calibration samples (%d of their %d channels to nearest, their largest "
                        + "weight pulled below the scale)", outcome.rounded(), samples.size(), outcome.nearestChannels(),
                outcome.channels()));
        if (!outcome.skipped().isEmpty()) {
            said.append("; rounded to nearest: ");
            said.append(String.join(", ", outcome.skipped().entrySet().stream()
                    .map(skip -> skip.getKey() + " (" + skip.getValue() + ")").toList()));
        }
        details.put("weightRounding", said.toString());
        return outcome.model();
    }

    /** The ranks of the values the opset upgrade asks about, from a run of the first calibration sample. */
    private static Map<String, Integer> ranks(OnnxModel model, PassContext context) throws LatheException {
        Set<String> values = OpsetUpgrade.rankedValues(model);
        if (values.isEmpty()) {
            return Map.of();
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        try (ModelSession session = ModelSession.open(model.exposing(values), SessionSettings.cpu())) {
            Map<String, TensorData> results = session.run(context.calibration(1).get(0));
            values.forEach(value -> ranks.put(value, results.get(value).shape().length));
        }
        return ranks;
    }

    private static QdqPlan plan(OnnxModel prepared, Map<String, float[]> ranges, Set<String> keepFloat,
            StaticInt8Settings applied) {
        return QdqPlan.of(prepared, prepared.edit().mainGraph(), applied.filter(), keepFloat, ranges::containsKey,
                applied.tensorRt());
    }

    private static OnnxModel quantize(OnnxModel prepared, Map<String, float[]> ranges, Set<String> keepFloat,
            StaticInt8Settings applied) throws LatheException {
        ModelEditor editor = prepared.edit();
        QdqPlan plan = QdqPlan.of(prepared, editor.mainGraph(), applied.filter(), keepFloat, ranges::containsKey,
                applied.tensorRt());
        QdqWriter.write(prepared, editor.mainGraph(), plan, ranges, applied);
        editor.removeDeadNodes();
        return editor.build();
    }

    private static float[] range(ValueHistogram histogram, StaticInt8Settings applied) {
        return switch (applied.calibration()) {
            case MINMAX -> histogram.minMax();
            case PERCENTILE -> histogram.percentile(applied.percentile());
            case ENTROPY -> histogram.entropy();
        };
    }
}
