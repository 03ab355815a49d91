package dev.lathe.quantize.qdq;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.quantize.qdq.QdqPlan.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The float model plus a quantized copy of every target that reads the float inputs through Q/DQ pairs
 * ({@link QdqWriter#writeProbes}). Runs over a few calibration samples measure, for every node in isolation
 * from the others, what quantizing it alone costs: the relative squared error of its output channel by
 * channel ({@link #channelError}), by which the accuracy fallback ranks nodes. Each run exposes the outputs
 * of {@value #TARGETS_PER_RUN} nodes, so memory does not grow with the model.
 */
final class Probe {
    /**
     * Targets whose outputs (float and quantized copy) one run exposes: all of PP-OCRv3 detection's at
     * 640×640 at once did not fit a 1 GB heap; 16 at a time stay under 250 MB.
     */
    static final int TARGETS_PER_RUN = 16;

    private final OnnxModel model;
    private final QdqPlan plan;
    private final Map<String, String> copies;

    private Probe(OnnxModel model, QdqPlan plan, Map<String, String> copies) {
        this.model = model;
        this.plan = plan;
        this.copies = copies;
    }

    /** The probe of every node the settings quantize on a float model (BatchNorm folded, opset raised). */
    static Probe of(OnnxModel prepared, Map<String, float[]> ranges, StaticInt8Settings settings)
            throws InvalidModelException {
        ModelEditor editor = prepared.edit();
        QdqPlan plan = QdqPlan.of(prepared, editor.mainGraph(), settings.filter(), Set.of(), ranges::containsKey,
                settings.tensorRt());
        Map<String, String> copies = QdqWriter.writeProbes(prepared, editor.mainGraph(), plan, ranges, settings);
        return new Probe(editor.build(), plan, copies);
    }

    /**
     * Runs the samples once: each target's {@link #channelError} against float on its own, averaged over the
     * samples, largest first.
     */
    Map<String, Double> errors(List<Map<String, TensorData>> samples) throws RuntimeFailureException {
        Map<String, Double> errors = new LinkedHashMap<>();
        List<Target> targets = plan.targets();
        for (int start = 0; start < targets.size(); start += TARGETS_PER_RUN) {
            List<Target> batch = targets.subList(start, Math.min(targets.size(), start + TARGETS_PER_RUN));
            List<String> exposed = new ArrayList<>();
            for (Target target : batch) {
                exposed.add(target.output());
                exposed.add(copies.get(target.name()));
            }
            try (ModelSession session = ModelSession.open(model.exposing(exposed), SessionSettings.cpu())) {
                for (Map<String, TensorData> sample : samples) {
                    Map<String, TensorData> results = session.run(sample);
                    for (Target target : batch) {
                        errors.merge(target.name(), channelError(results.get(target.output()),
                                results.get(copies.get(target.name()))) / samples.size(), Double::sum);
                    }
                }
            }
        }
        Map<String, Double> ranked = new LinkedHashMap<>();
        errors.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey())).forEach(e -> ranked.put(e.getKey(), e.getValue()));
        return ranked;
    }

    /**
     * The relative squared error averaged over channels (axis 1 of 4-D tensors, the last axis otherwise), each
     * channel's capped at 1: a channel with a small range that quantization wipes out counts as much as a large
     * one, because a later layer may amplify it (the depthwise convolutions of MobileNets, whose folded weights
     * reach 265 behind channels a hundredth of their neighbours' size).
     */
    static double channelError(TensorData expected, TensorData actual) {
        long[] shape = expected.shape();
        int axis = shape.length == 4 ? 1 : shape.length - 1;
        int channels = shape.length == 0 ? 1 : (int) shape[axis];
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] f = expected.toFloatArray();
        float[] q = actual.toFloatArray();
        double[] difference = new double[channels];
        double[] norm = new double[channels];
        for (int i = 0; i < f.length; i++) {
            int c = (int) ((i / inner) % channels);
            double d = q[i] - f[i];
            difference[c] += d * d;
            norm[c] += (double) f[i] * f[i];
        }
        double sum = 0;
        for (int c = 0; c < channels; c++) {
            sum += norm[c] == 0 ? (difference[c] == 0 ? 0 : 1) : Math.min(1, difference[c] / norm[c]);
        }
        return sum / channels;
    }
}
