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
 * ({@link QdqWriter#writeProbes}). One run over a few calibration samples measures, for every node at once and
 * in isolation from the others, what quantizing it alone costs: the relative squared error of its output,
 * by which the accuracy fallback ranks nodes.
 */
final class Probe {
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
        QdqPlan plan = QdqPlan.of(editor.mainGraph(), settings.filter(), Set.of(), ranges::containsKey);
        Map<String, String> copies = QdqWriter.writeProbes(prepared, editor.mainGraph(), plan, ranges, settings);
        return new Probe(editor.build(), plan, copies);
    }

    /**
     * Runs the samples once: each target's relative squared error against float on its own, averaged over the
     * samples, largest first.
     */
    Map<String, Double> errors(List<Map<String, TensorData>> samples) throws RuntimeFailureException {
        List<String> exposed = new ArrayList<>();
        for (Target target : plan.targets()) {
            exposed.add(target.output());
            exposed.add(copies.get(target.name()));
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        try (ModelSession session = ModelSession.open(model.exposing(exposed), SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> results = session.run(sample);
                for (Target target : plan.targets()) {
                    errors.merge(target.name(), relativeError(results.get(target.output()).toFloatArray(),
                            results.get(copies.get(target.name())).toFloatArray()) / samples.size(), Double::sum);
                }
            }
        }
        Map<String, Double> ranked = new LinkedHashMap<>();
        errors.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey())).forEach(e -> ranked.put(e.getKey(), e.getValue()));
        return ranked;
    }

    private static double relativeError(float[] expected, float[] actual) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            difference += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return norm == 0 ? (difference == 0 ? 0 : 1) : difference / norm;
    }
}
