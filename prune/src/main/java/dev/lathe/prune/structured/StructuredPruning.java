package dev.lathe.prune.structured;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ChannelStatistics;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.prune.structured.ChannelGroups.Consumer;
import dev.lathe.prune.structured.ChannelGroups.Group;
import dev.lathe.prune.structured.ChannelGroups.Producer;
import dev.lathe.prune.structured.PrunedModelBuilder.Correction;
import dev.lathe.prune.structured.StructuredPruningSettings.Allocation;
import dev.lathe.prune.structured.StructuredPruningSettings.Importance;
import dev.lathe.prune.structured.UnitImportance.Read;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured pruning ({@code prune.structured}): removes whole units, so that tensors and MACs shrink
 * rather than fill with zeros. Units are the channels of {@link ChannelGroups}: the intermediate neurons of
 * feed-forward layers (MatMul [d, f] + bias → activation, Gelu or its Erf form → MatMul [f, d]) and the
 * output channels of convolutions, with everything tied to them (BatchNormalization, activations,
 * depthwise convolutions, squeeze-excite gates, residual Adds that force producers to drop the same
 * channels, Concats that shift them, Resize).
 *
 * <p>Each pruned group loses ⌊fraction · C⌋ of its C units, the least important first
 * ({@link UnitImportance}: activation-aware by default, weight magnitude without calibration inputs).
 * Which groups are pruned ({@code allocation}): by default the least sensitive ones, measured on the
 * calibration inputs, until {@code fraction} of the model's MACs are removed ({@link GroupAllocation});
 * where all groups together hold less compute than that, as the feed-forward layers of a transformer, all
 * of them; with {@code allocation=uniform}, or without calibration inputs, every group that may shrink.
 *
 * <p>With {@code refit} (default) and calibration inputs, every consumer whose inputs shrank is corrected:
 * MatMul, Gemm and 1×1 convolutions (stride 1, no padding) by the least-squares re-fit of
 * {@link LeastSquaresRefit} on the original model's activations, including a bias correction when the
 * consumer has (or can take) a bias; other convolutions by bias compensation: the removed channels'
 * calibration means times the consumer's weights, summed over the kernel, are added to its bias (exact for
 * constant channels away from the borders); ConvTranspose consumers are not corrected. With
 * {@code refit=false} only the surgery is done, and the units kept compute exactly what they did.
 *
 * <p>Shape constants that name a group's channel count are rewritten: the last entry of a Reshape that
 * keeps the last axis, the channel entry of a Resize's sizes, and the shape of a Reshape that turns a
 * per-channel constant [C] into [1, C, 1, 1]. Weights are rewritten where they live, initializers or
 * {@code Constant} nodes; a constant shared with nodes that must not change is copied. Only the main graph
 * is pruned; groups read inside subgraphs stay whole. The step's details list the units removed per group,
 * the groups left whole and why, the sensitivities measured, the corrections made, and MACs before and
 * after at the pipeline's binding.
 */
public final class StructuredPruning implements Pass {
    private static final Logger LOG = LoggerFactory.getLogger(StructuredPruning.class);

    private final Map<String, String> options;
    private final StructuredPruningSettings settings;

    /** A pass with these settings; {@link #options()} gives every setting. */
    public StructuredPruning(StructuredPruningSettings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given, in order. */
    StructuredPruning(Map<String, String> options, StructuredPruningSettings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return StructuredPruningSettings.PASS;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** The settings this pass prunes with. */
    public StructuredPruningSettings settings() {
        return settings;
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        MainGraphConstants constants = new MainGraphConstants(model);
        ChannelGroups analysis = ChannelGroups.analyze(constants);
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Group> eligible = new ArrayList<>();
        for (Group group : analysis.producerGroups()) {
            Optional<String> rejection = rejection(group, constants);
            if (rejection.isPresent()) {
                skipped.put(group.name(), rejection.get());
            } else {
                eligible.add(group);
            }
        }
        boolean calibrated = context.hasCalibration();
        if (!calibrated && settings.importance() != Importance.MAGNITUDE) {
            throw new PassFailedException(name() + " needs real calibration data to rank units by their activations and "
                    + "to re-fit what remains (without it, PP-OCRv3 detection pruned by 25 % keeps an IoU of 0.005 of its "
                    + "text map): pass samples (lathe optimize --data FILE, or Pipeline.Builder.data), choose the data-free "
                    + "form with importance=magnitude (weight norms, no re-fit, uniform allocation), or allow calibrating on "
                    + "generated inputs (--calibrate-on-generated)");
        }
        Importance importance = calibrated ? settings.importance() : Importance.MAGNITUDE;
        boolean refit = settings.refit() && calibrated;
        Map<String, ChannelStatistics> statistics = Map.of();
        int calibrationSamples = 0;
        if (!eligible.isEmpty() && (importance != Importance.MAGNITUDE || refit)) {
            long start = System.nanoTime();
            CalibrationStatistics collected = context.statistics(model,
                    requests(eligible, refit || importance == Importance.RECONSTRUCTION), context.calibrationLimit());
            statistics = collected.statistics();
            calibrationSamples = collected.samples();
            LOG.debug("{}: statistics of {} values on {} samples in {} ms", model.source(), statistics.size(),
                    collected.samples(), (System.nanoTime() - start) / 1_000_000);
        }
        Map<Group, int[]> kept = rank(eligible, importance, constants, statistics);
        PrunedModelBuilder builder = new PrunedModelBuilder(constants, analysis, statistics, refit, settings.ridge());
        List<Group> chosen = allocate(analysis, eligible, kept, builder, context, details, skipped);
        if (chosen.isEmpty()) {
            details.put("groupsPruned", 0);
            details.put("skipped", skipped);
            return new PassResult(model, details);
        }
        Map<Group, int[]> plan = new IdentityHashMap<>();
        chosen.forEach(group -> plan.put(group, kept.get(group)));
        PrunedModelBuilder.Result result = builder.build(plan);

        List<Map<String, Object>> pruned = new ArrayList<>();
        int unitsRemoved = 0;
        for (Group group : chosen) {
            unitsRemoved += group.channels() - plan.get(group).length;
            pruned.add(groupDetails(group, plan.get(group)));
        }
        details.put("fraction", settings.fraction());
        details.put("importance", importance.name().toLowerCase(Locale.ROOT) + (calibrated ? "" : " (no calibration inputs)"));
        details.put("refit", refit ? "least squares (ridge " + settings.ridge() + ") and bias compensation"
                : settings.refit() ? "off (no calibration inputs)" : "off");
        details.put("calibrationSamples", calibrationSamples);
        details.put("groupsPruned", pruned.size());
        details.put("unitsRemoved", unitsRemoved);
        details.put("groups", pruned);
        details.put("consumersCorrected", result.corrections());
        details.put("skipped", skipped);
        putMacs(details, model, result.model(), context);
        return new PassResult(result.model(), details);
    }

    /** The units each eligible group keeps. */
    private Map<Group, int[]> rank(List<Group> eligible, Importance importance, MainGraphConstants constants,
            Map<String, ChannelStatistics> statistics) throws LatheException {
        Map<Group, int[]> kept = new IdentityHashMap<>();
        for (Group group : eligible) {
            int removed = removedCount(group);
            if (importance == Importance.RECONSTRUCTION) {
                kept.put(group, UnitImportance.reconstruction(group, constants, statistics, removed, settings.ridge()));
            } else {
                double[] scores = importance == Importance.ACTIVATION ? UnitImportance.activation(group, constants, statistics)
                        : UnitImportance.magnitude(group, constants);
                kept.put(group, UnitImportance.keptAfterRemoving(scores, removed));
            }
        }
        return kept;
    }

    /** The groups to prune; records the allocation in {@code details} and the groups left out in {@code skipped}. */
    private List<Group> allocate(ChannelGroups analysis, List<Group> eligible, Map<Group, int[]> kept,
            PrunedModelBuilder builder, PassContext context, Map<String, Object> details, Map<String, String> skipped)
            throws LatheException {
        if (eligible.isEmpty() || settings.allocation() == Allocation.UNIFORM || !context.hasCalibration()) {
            details.put("allocation", settings.allocation() == Allocation.UNIFORM ? "uniform: every group that may shrink"
                    : "uniform: every group that may shrink (no calibration inputs to measure sensitivity)");
            return eligible;
        }
        long start = System.nanoTime();
        GroupAllocation.Choice choice = GroupAllocation.choose(analysis.constants(), analysis.groups(), eligible, kept,
                settings.fraction(), context.calibration(GroupAllocation.SAMPLES), builder, context.progress());
        LOG.debug("allocation in {} ms", (System.nanoTime() - start) / 1_000_000);
        for (Group group : eligible) {
            if (!choice.groups().contains(group)) {
                skipped.put(group.name(), String.format(Locale.ROOT, "more sensitive than the groups pruned "
                        + "(relative output change %.3g)", choice.sensitivity().get(group.name())));
            }
        }
        details.put("allocation", allocationDetails(choice));
        return choice.groups();
    }

    /** Why a group is left whole, if it is. */
    private Optional<String> rejection(Group group, MainGraphConstants constants) {
        if (group.blocked()) {
            return Optional.of(group.blocker());
        }
        if (!settings.targets().contains(group.kind())) {
            return Optional.of(group.kind().key() + " groups not targeted");
        }
        for (Producer producer : group.producers()) {
            long elements = constants.input(producer.node(), 1).map(t -> TensorData.elementCount(TensorCodec.shapeOf(t)))
                    .orElse(0L);
            Optional<String> rejected = settings.filter().rejects(producer.node(), elements);
            if (rejected.isPresent()) {
                return Optional.of(ChannelGroups.label(producer.node()) + ": " + rejected.get());
            }
        }
        List<NodeProto> changed = new ArrayList<>(group.depthwise());
        group.consumers().forEach(c -> changed.add(c.node()));
        for (NodeProto node : changed) {
            if (settings.filter().exclude().contains(node.getName())) {
                return Optional.of(ChannelGroups.label(node) + " is excluded");
            }
        }
        if (removedCount(group) == 0) {
            return Optional.of("fraction " + settings.fraction() + " of " + group.channels() + " units removes none");
        }
        return Optional.empty();
    }

    private int removedCount(Group group) {
        return (int) Math.floor(settings.fraction() * group.channels() + 1e-9);
    }

    /** Statistics needed: every value a consumer of an eligible group reads, with Gram matrices for re-fits. */
    private static List<ChannelRequest> requests(List<Group> eligible, boolean grams) {
        Map<String, ChannelRequest> requests = new LinkedHashMap<>();
        for (Group group : eligible) {
            for (Read read : UnitImportance.reads(group)) {
                Consumer consumer = read.consumer();
                Group holder = read.holder();
                boolean gram = grams && PrunedModelBuilder.correction(consumer.node()) == Correction.LEAST_SQUARES;
                ChannelRequest request = new ChannelRequest(consumer.input(), holder.axis(), holder.rank(), holder.channels(), gram);
                requests.merge(consumer.input(), request,
                        (a, b) -> new ChannelRequest(a.value(), a.axis(), a.rank(), a.channels(), a.gram() || b.gram()));
            }
        }
        return List.copyOf(requests.values());
    }

    private static Map<String, Object> allocationDetails(GroupAllocation.Choice choice) {
        Map<String, Object> allocation = new LinkedHashMap<>();
        allocation.put("method", choice.sensitivity().isEmpty()
                ? "all groups that may shrink (together they hold less than the MACs budget)"
                : "least sensitive groups first, until the MACs budget is reached");
        allocation.put("macsBudget", choice.macsBudget());
        allocation.put("macsRemovedEstimate", choice.macsRemoved());
        allocation.put("macsAtCalibrationShapes", choice.totalMacs());
        if (!choice.sensitivity().isEmpty()) {
            allocation.put("sensitivity", choice.sensitivity());
        }
        return allocation;
    }

    private static Map<String, Object> groupDetails(Group group, int[] keep) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("group", group.name());
        entry.put("kind", group.kind().key());
        entry.put("units", group.channels());
        entry.put("removed", group.channels() - keep.length);
        entry.put("producers", group.producers().stream().map(p -> p.node().getName()).toList());
        entry.put("consumers", group.consumers().stream().map(c -> c.node().getName()).toList());
        return entry;
    }

    private static void putMacs(Map<String, Object> details, OnnxModel before, OnnxModel after, PassContext context) {
        try {
            Footprint original = FootprintAnalyzer.analyze(before, context.binding());
            Footprint pruned = FootprintAnalyzer.analyze(after, context.binding());
            details.put("macsBefore", original.macs());
            details.put("macsAfter", pruned.macs());
            details.put("macsRemoved", original.macs() - pruned.macs());
            details.put("macsRatio", original.macs() == 0 ? 1.0 : (double) pruned.macs() / original.macs());
        } catch (LatheException | IllegalArgumentException e) {
            details.put("macs", "not computed: " + e.getMessage());
        }
    }
}
