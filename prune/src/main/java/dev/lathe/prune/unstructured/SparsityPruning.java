package dev.lathe.prune.unstructured;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.prune.unstructured.SparsityPattern.SemiStructured;
import dev.lathe.prune.unstructured.SparsityPattern.Unstructured;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Zeroes weights of MatMul, Gemm and Conv nodes to a sparsity pattern ({@code prune.magnitude},
 * {@code prune.wanda}, {@code prune.nm}): weights keep their names, shapes and places (initializers stay
 * initializers; a Constant node is replaced by a Constant node of the same name holding the pruned value),
 * and a weight read by several nodes is pruned once. The lowest-scoring weights of each group go, ties to
 * the lower flat index, so the same model and options always give the same bytes.
 *
 * <p>Step details: {@code pattern}, {@code importance}, {@code weights} (tensors pruned), {@code elements}
 * and {@code zeros} (over those tensors), {@code sparsity} (zeros / elements), {@code layers} (node name →
 * sparsity of its weight), {@code skipped} (node name → why), and for Wanda {@code magnitudeFallbacks}
 * (node name → why its weight was ranked by magnitude), and a {@code note} that the zeros are stored
 * densely: ONNX Runtime's CPU kernels do not skip them, so the model is not faster on CPU.
 *
 * <p>Wanda's activation norms are measured once, on the unpruned model (the paper's implementation
 * re-measures each block's inputs after pruning the blocks before it; one measurement keeps the pass to a
 * single calibration run).
 */
public final class SparsityPruning implements Pass {
    private final String name;
    private final Map<String, String> options;
    private final PruningSettings settings;

    /**
     * A pass with these settings, named by them ({@link PruningSettings#pass()}); {@link #options()} gives every
     * setting.
     */
    public SparsityPruning(PruningSettings settings) {
        this(settings.pass(), settings.options(), settings);
    }

    /** A pass registered as {@code name}, read from {@code options}, which {@link #options()} returns as given. */
    SparsityPruning(String name, Map<String, String> options, PruningSettings settings) {
        this.name = name;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** The settings the pass runs with. */
    public PruningSettings settings() {
        return settings;
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        ModelEditor editor = model.edit();
        PrunableWeights.Found found = PrunableWeights.find(editor, settings.filter());
        Map<String, String> skipped = new TreeMap<>(found.skipped());
        List<PrunableWeight> targets = new ArrayList<>();
        for (PrunableWeight weight : found.weights()) {
            settings.pattern().rejects(weight.layout().channels()).ifPresentOrElse(
                    reason -> weight.nodeNames().forEach(n -> skipped.put(n, reason)), () -> targets.add(weight));
        }
        ImportanceScores importance = settings.importance() == Importance.WANDA
                ? ImportanceScores.wanda(name, model, targets, context) : ImportanceScores.magnitude();
        LowestScores.Threshold global = globalThreshold(model, targets, importance);
        ProgressListener progress = context.progress();
        progress.started(name, targets.size());
        LowestScores lowest = new LowestScores();
        Map<String, Object> layers = new LinkedHashMap<>();
        long elements = 0;
        long zeros = 0;
        for (int t = 0; t < targets.size(); t++) {
            PrunableWeight weight = targets.get(t);
            float[] values = model.tensorData(weight.tensor()).toFloatArray();
            float[] scores = importance.of(weight, values);
            if (global != null) {
                for (int i = 0; i < values.length; i++) {
                    if (global.takes(scores[i])) {
                        values[i] = 0;
                    }
                }
            } else {
                zeroInGroups(weight.layout(), scores, values, lowest);
            }
            weight.write(values);
            long weightZeros = countZeros(values);
            weight.nodeNames().forEach(n -> layers.put(n, rounded((double) weightZeros / values.length)));
            elements += values.length;
            zeros += weightZeros;
            progress.progressed(name, t + 1, targets.size());
        }
        progress.finished(name);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("pattern", settings.pattern().describe());
        details.put("importance", settings.importance().optionValue());
        details.put("weights", targets.size());
        details.put("elements", elements);
        details.put("zeros", zeros);
        details.put("sparsity", elements == 0 ? 0.0 : rounded((double) zeros / elements));
        details.put("layers", layers);
        details.put("skipped", skipped);
        if (settings.importance() == Importance.WANDA) {
            details.put("magnitudeFallbacks", importance.fallbacks());
        }
        details.put("note", "zeros stored densely: no speed-up on ONNX Runtime CPU");
        return new PassResult(editor.build(), details);
    }

    /** Zeroes weights group by group: per output, per layer, or per N:M group. */
    private void zeroInGroups(WeightLayout layout, float[] scores, float[] values, LowestScores lowest) {
        if (settings.pattern() instanceof SemiStructured nm) {
            for (int output = 0; output < layout.outputs(); output++) {
                for (int position = 0; position < layout.positions(); position++) {
                    for (int channel = 0; channel < layout.channels(); channel += nm.m()) {
                        lowest.zero(scores, values, layout.index(output, channel, position), layout.channelStride(), nm.m(),
                                nm.m() - nm.n());
                    }
                }
            }
        } else if (settings.pattern() instanceof Unstructured sparse && sparse.scope() == Scope.OUTPUT) {
            int prune = (int) sparse.prunedOf(layout.perOutput());
            for (int output = 0; output < layout.outputs(); output++) {
                lowest.zero(scores, values, layout.outputStart(output), layout.outputStride(), layout.perOutput(), prune);
            }
        } else if (settings.pattern() instanceof Unstructured sparse) {
            lowest.zero(scores, values, 0, 1, values.length, (int) sparse.prunedOf(values.length));
        }
    }

    /**
     * For global scope, the one threshold over the scores of all targets that zeroes the requested fraction
     * of their elements; null for other patterns.
     */
    private LowestScores.Threshold globalThreshold(OnnxModel model, List<PrunableWeight> targets, ImportanceScores importance)
            throws LatheException {
        if (!(settings.pattern() instanceof Unstructured sparse) || sparse.scope() != Scope.GLOBAL) {
            return null;
        }
        long total = targets.stream().mapToLong(w -> w.layout().size()).sum();
        long prune = sparse.prunedOf(total);
        if (prune == 0) {
            return LowestScores.Threshold.none();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new PassFailedException(name + ": scope=global ranks all " + total + " selected weights at once, more than "
                    + "fit in one array; use scope=layer or select fewer nodes");
        }
        float[] all = new float[(int) total];
        int offset = 0;
        for (PrunableWeight weight : targets) {
            float[] scores = importance.of(weight, model.tensorData(weight.tensor()).toFloatArray());
            System.arraycopy(scores, 0, all, offset, scores.length);
            offset += scores.length;
        }
        return LowestScores.Threshold.of(all, (int) total, (int) prune);
    }

    private static long countZeros(float[] values) {
        long zeros = 0;
        for (float value : values) {
            zeros += value == 0 ? 1 : 0;
        }
        return zeros;
    }

    private static double rounded(double fraction) {
        return Math.round(fraction * 10_000) / 10_000.0;
    }
}
