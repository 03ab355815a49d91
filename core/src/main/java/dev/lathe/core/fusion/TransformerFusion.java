package dev.lathe.core.fusion;

import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.report.Figures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code fuse} pass: finds the transformer subgraphs ONNX Runtime has fused kernels for and replaces each by
 * one contrib op ({@link AttentionMatch}, {@link SkipLayerNormMatch}, {@link EmbedLayerNormMatch}); places where a
 * pattern does not match exactly are left alone and listed with the reason. The fused model is then run beside the
 * unfused one on the check samples (calibration data when the pipeline has it, plus a copy with padding masked): a
 * fused value whose error exceeds the tolerance is undone and listed, and the check repeated; a kind of fusion ONNX
 * Runtime refuses for the model is undone as a whole. Plain layer norms and Gelu are left to ONNX Runtime, which
 * fuses them itself when it loads the model, unless {@code gelu=fast} asks for the tanh approximation
 * ({@link GeluMatch}). For the TensorRT provider nothing is fused: TensorRT fuses these subgraphs itself and cannot
 * run the contrib ops.
 */
public final class TransformerFusion implements Pass {
    private static final int MAX_CHECK_ROUNDS = 3;

    private final Map<String, String> options;
    private final FusionSettings settings;

    /** A pass with these settings; {@link #options()} gives every setting. */
    public TransformerFusion(FusionSettings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given. */
    TransformerFusion(Map<String, String> options, FusionSettings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return FusionSettings.PASS;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        if (context.provider().filter(p -> p.provider() == Provider.TENSORRT).isPresent()) {
            return new PassResult(model, Map.of("fused", Map.of(), "provider", "tensorrt: nothing fused; TensorRT fuses "
                    + "attention and layer norms itself, and ONNX Runtime's contrib ops would run outside it"));
        }
        GraphPatterns patterns = new GraphPatterns(model);
        List<Fusion> fusions = new ArrayList<>();
        Map<String, String> skipped = new TreeMap<>();
        Set<String> masks = new LinkedHashSet<>();
        for (NodeProto node : patterns.graph().nodes()) {
            if (settings.skipLayerNorm() || settings.embedLayerNorm()) {
                Optional<LayerNormMatch> norm = LayerNormMatch.startingAt(node, patterns);
                if (norm.isPresent()) {
                    layerNorm(norm.get(), patterns, fusions).ifPresent(r -> skipped.put(norm.get().last().getName(), r));
                }
            }
            if (settings.fastGelu() && node.getOpType().equals("Erf") && node.getDomain().isEmpty()) {
                Matched<GeluMatch> gelu = GeluMatch.around(node, patterns);
                gelu.match().ifPresent(fusions::add);
                if (gelu.match().isEmpty()) {
                    skipped.put(node.getName(), "FastGelu: " + gelu.reason());
                }
            }
            if (settings.attention() && node.getOpType().equals("Softmax") && node.getDomain().isEmpty()) {
                Matched<AttentionMatch> attention = AttentionMatch.around(node, patterns);
                attention.match().ifPresent(a -> {
                    fusions.add(a);
                    a.maskInput().ifPresent(masks::add);
                });
                if (attention.match().isEmpty()) {
                    skipped.put(node.getName(), "Attention: " + attention.reason());
                }
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (fusions.isEmpty()) {
            details.put("fused", Map.of());
            details.put("skipped", skipped);
            return new PassResult(model, details);
        }

        boolean real = context.hasCalibration();
        List<Map<String, TensorData>> given = real ? context.calibration(settings.checkSamples())
                : InputGenerator.samples(model, context.binding().resolve(model), settings.checkSamples(), 1);
        List<Map<String, TensorData>> samples = FusionCheck.withPadding(given, masks);
        Map<String, String> undone = new TreeMap<>();
        List<Fusion> kept = new ArrayList<>(fusions);
        OnnxModel fused = model;
        double worst = 0;
        boolean checked = false;
        for (int round = 0; round < MAX_CHECK_ROUNDS && !kept.isEmpty() && !checked; round++) {
            fused = fuse(model, kept);
            Map<String, Double> errors;
            try {
                errors = FusionCheck.relativeErrors(model, fused, kept.stream().map(Fusion::output).toList(), samples);
            } catch (RuntimeFailureException e) {
                // A fused op ONNX Runtime refuses for this model (an input of another rank, say): undo the kinds that
                // fail on their own, then check the rest again.
                List<Fusion> refused = refusedKinds(model, kept, samples.subList(0, 1));
                refused.forEach(f -> undone.put(f.output(), f.kind() + ": the fused model failed in ONNX Runtime: "
                        + e.getMessage()));
                kept.removeAll(refused);
                continue;
            }
            List<Fusion> failing = kept.stream().filter(f -> !(errors.get(f.output()) <= settings.tolerance()))
                    .toList();
            for (Fusion f : failing) {
                undone.put(f.output(), f.kind() + ": relative error " + Figures.significant(errors.get(f.output()))
                        + " above the tolerance " + settings.tolerance());
            }
            kept.removeAll(failing);
            checked = failing.isEmpty();
            worst = errors.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }
        if (!checked) {
            // Either nothing is left, or undoing failures did not settle the rest within the rounds: keep nothing.
            kept.forEach(f -> undone.put(f.output(), f.kind() + ": not kept, the check did not pass within "
                    + MAX_CHECK_ROUNDS + " rounds"));
            kept.clear();
            fused = model;
        }
        Map<String, Integer> counts = new TreeMap<>();
        kept.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
        details.put("fused", counts);
        details.put("skipped", skipped);
        if (!undone.isEmpty()) {
            details.put("undone", undone);
        }
        String outcome = kept.isEmpty() ? "no fusion kept" : "largest relative error " + Figures.significant(worst);
        int padded = samples.size() - given.size();
        details.put("check", outcome + " on " + given.size() + (real ? " calibration" : " generated") + " samples"
                + (padded > 0 ? " and " + padded + " with padding masked" : ""));
        return new PassResult(fused, details);
    }

    /**
     * Adds the fusion of a layer norm, residual ({@link SkipLayerNormMatch}) or embedding ({@link EmbedLayerNormMatch})
     * as the settings allow, or returns why neither matches.
     */
    private Optional<String> layerNorm(LayerNormMatch norm, GraphPatterns patterns, List<Fusion> fusions)
            throws LatheException {
        List<String> reasons = new ArrayList<>();
        if (settings.skipLayerNorm()) {
            Matched<SkipLayerNormMatch> skip = SkipLayerNormMatch.of(norm, patterns);
            if (skip.match().isPresent()) {
                fusions.add(skip.match().get());
                return Optional.empty();
            }
            reasons.add("SkipLayerNormalization: " + skip.reason());
        }
        if (settings.embedLayerNorm()) {
            Matched<EmbedLayerNormMatch> embed = EmbedLayerNormMatch.of(norm, patterns);
            if (embed.match().isPresent()) {
                fusions.add(embed.match().get());
                return Optional.empty();
            }
            reasons.add("EmbedLayerNormalization: " + embed.reason());
        }
        return Optional.of(String.join("; ", reasons));
    }

    /**
     * The fusions of every kind ONNX Runtime refuses when that kind alone is applied; all of them when there is only
     * one kind, or when each kind runs alone but not together.
     */
    private static List<Fusion> refusedKinds(OnnxModel model, List<Fusion> fusions, List<Map<String, TensorData>> sample)
            throws LatheException {
        Map<String, List<Fusion>> byKind = new TreeMap<>();
        fusions.forEach(f -> byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f));
        if (byKind.size() == 1) {
            return List.copyOf(fusions);
        }
        List<Fusion> refused = new ArrayList<>();
        for (List<Fusion> kind : byKind.values()) {
            try {
                FusionCheck.relativeErrors(model, fuse(model, kind), kind.stream().map(Fusion::output).toList(), sample);
            } catch (RuntimeFailureException e) {
                refused.addAll(kind);
            }
        }
        return refused.isEmpty() ? List.copyOf(fusions) : refused;
    }

    /** The model with these fusions applied and the nodes they left unread removed. */
    private static OnnxModel fuse(OnnxModel model, List<Fusion> fusions) throws LatheException {
        ModelEditor editor = model.edit();
        Fusion.Shared shared = new Fusion.Shared();
        for (Fusion fusion : fusions) {
            fusion.apply(editor.mainGraph(), shared);
        }
        editor.removeDeadNodes();
        editor.requireOpset(Fusion.MICROSOFT, 1);
        return editor.build();
    }
}
