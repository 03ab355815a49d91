package dev.lathe.prune.structured;

import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.prune.structured.ChannelGroups.Consumer;
import dev.lathe.prune.structured.ChannelGroups.Group;
import dev.lathe.prune.structured.ChannelGroups.Producer;
import dev.lathe.prune.structured.ChannelGroups.Segment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which of the groups that may shrink are pruned, by sensitivity: each group is pruned alone (with
 * its corrections) and the relative change of the model's outputs on calibration samples is measured,
 * ‖y' − y‖² / ‖y‖² summed over outputs and samples; then groups are taken from the smallest change per MAC
 * saved upwards until the MACs removed reach {@code fraction} of the model's MACs (at the calibration
 * shapes). When all the groups together remove less than that (the feed-forward layers of a transformer
 * hold only part of its compute), all are pruned and nothing is measured.
 */
final class GroupAllocation {
    /** At most this many calibration samples measure sensitivity. */
    static final int SAMPLES = 4;
    private static final String TASK = "structured pruning: sensitivity of channel groups";

    private final OnnxModel model;
    private final MainGraphConstants constants;
    private final Map<NodeProto, Long> macs = new IdentityHashMap<>();
    private final long totalMacs;

    /**
     * The groups chosen and what the choice was based on.
     *
     * @param groups      the groups to prune, in graph order
     * @param sensitivity relative output change per measured group name (empty when nothing was measured)
     * @param macsBudget  the MACs the choice aimed to remove
     * @param macsRemoved the MACs the choice removes, estimated from the calibration shapes
     * @param totalMacs   the model's MACs at the calibration shapes
     */
    record Choice(List<Group> groups, Map<String, Double> sensitivity, long macsBudget, long macsRemoved, long totalMacs) {
    }

    private GroupAllocation(OnnxModel model, MainGraphConstants constants, Map<String, long[]> shapes, long totalMacs,
            List<Group> groups) throws LatheException {
        this.model = model;
        this.constants = constants;
        this.totalMacs = totalMacs;
        for (Group group : groups) {
            for (Producer producer : group.producers()) {
                macs.put(producer.node(), nodeMacs(producer.node(), shapes));
            }
            for (Consumer consumer : group.consumers()) {
                macs.put(consumer.node(), nodeMacs(consumer.node(), shapes));
            }
            for (NodeProto depthwise : group.depthwise()) {
                macs.put(depthwise, nodeMacs(depthwise, shapes));
            }
        }
    }

    /**
     * Chooses the groups to prune among {@code eligible}, whose units to keep are already chosen.
     *
     * @param all     every group of the analysis (concatenations included), for MAC estimates
     * @param samples calibration samples (at least one)
     */
    static Choice choose(MainGraphConstants constants, List<Group> all, List<Group> eligible, Map<Group, int[]> kept,
            double fraction, List<Map<String, TensorData>> samples, PrunedModelBuilder builder, ProgressListener progress)
            throws LatheException {
        OnnxModel model = constants.model();
        Map<String, long[]> inputShapes = new LinkedHashMap<>();
        samples.get(0).forEach((name, data) -> inputShapes.put(name, data.shape()));
        ShapeBinding binding = ShapeBinding.none();
        for (Map.Entry<String, long[]> input : inputShapes.entrySet()) {
            if (model.graph().inputs().stream().anyMatch(v -> v.getName().equals(input.getKey()))) {
                binding = binding.withInputShape(input.getKey(), input.getValue());
            }
        }
        long total = FootprintAnalyzer.analyze(model, binding).macs();
        GroupAllocation allocation = new GroupAllocation(model, constants, valueShapes(model, all, samples.get(0)), total, all);
        long budget = (long) Math.ceil(fraction * total);
        long everything = allocation.removed(all, eligible, kept);
        if (everything <= budget) {
            return new Choice(eligible, Map.of(), budget, everything, total);
        }
        Map<Group, Double> sensitivity = allocation.sensitivity(eligible, kept, samples, builder, progress);
        Map<Group, Long> saved = new IdentityHashMap<>();
        for (Group group : eligible) {
            saved.put(group, allocation.removed(all, List.of(group), kept));
        }
        List<Group> chosen = new ArrayList<>();
        List<Group> rest = new ArrayList<>(eligible);
        long removed = 0;
        while (removed < budget && !rest.isEmpty()) {
            List<Group> cover = leastSensitiveCover(rest, sensitivity, saved, budget - removed);
            chosen.addAll(cover);
            rest.removeAll(cover);
            removed = allocation.removed(all, chosen, kept);
        }
        List<Group> inGraphOrder = eligible.stream().filter(chosen::contains).toList();
        Map<String, Double> measured = new LinkedHashMap<>();
        eligible.forEach(g -> measured.put(g.name(), sensitivity.get(g)));
        return new Choice(inGraphOrder, measured, budget, removed, total);
    }

    /**
     * The groups with the least total sensitivity whose MACs saved (each counted alone) add up to the budget:
     * a covering knapsack solved exactly over MACs rounded to a thousandth of the budget. All groups when
     * even they do not reach it. Savings of groups pruned together can overlap (a convolution between two
     * of them), so {@link #choose} covers what is still missing again until the joint estimate is reached.
     */
    static List<Group> leastSensitiveCover(List<Group> groups, Map<Group, Double> sensitivity, Map<Group, Long> saved,
            long budget) {
        double unit = Math.max(1.0, budget / 1000.0);
        int target = (int) Math.ceil(budget / unit);
        double[] best = new double[target + 1];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        int[][] from = new int[groups.size()][target + 1];
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            int weight = (int) Math.min(target, Math.round(saved.get(group) / unit));
            double cost = sensitivity.get(group);
            java.util.Arrays.fill(from[g], -1);
            for (int j = target; j >= 0; j--) {
                if (best[j] == Double.POSITIVE_INFINITY) {
                    continue;
                }
                int reached = Math.min(target, j + weight);
                if (best[j] + cost < best[reached]) {
                    best[reached] = best[j] + cost;
                    from[g][reached] = j;
                }
            }
        }
        List<Group> chosen = new ArrayList<>();
        if (best[target] == Double.POSITIVE_INFINITY) {
            chosen.addAll(groups);
            return chosen;
        }
        int j = target;
        for (int g = groups.size() - 1; g >= 0 && j > 0; g--) {
            if (from[g][j] >= 0) {
                chosen.add(0, groups.get(g));
                j = from[g][j];
            }
        }
        return chosen;
    }

    /**
     * The shapes, on one sample, of the values the MACs of the groups' weighted nodes depend on (outputs; the
     * input of a ConvTranspose), read through {@code Shape} nodes so that no activation leaves the runtime.
     */
    private static Map<String, long[]> valueShapes(OnnxModel model, List<Group> groups, Map<String, TensorData> sample)
            throws LatheException {
        Map<String, String> shapeOutputs = new LinkedHashMap<>();
        ModelEditor editor = model.edit();
        GraphEditor main = editor.mainGraph();
        for (Group group : groups) {
            List<NodeProto> nodes = new ArrayList<>();
            group.producers().forEach(p -> nodes.add(p.node()));
            group.consumers().forEach(c -> nodes.add(c.node()));
            nodes.addAll(group.depthwise());
            for (NodeProto node : nodes) {
                String value = node.getOpType().equals("ConvTranspose") ? node.getInput(0) : node.getOutput(0);
                if (!shapeOutputs.containsKey(value)) {
                    String output = main.uniqueName(value + "_shape");
                    main.add(Node.op("Shape").named(main.uniqueName(output + "_Shape")).in(value).out(output));
                    shapeOutputs.put(value, output);
                }
            }
        }
        OnnxModel probe = editor.build().exposing(shapeOutputs.values());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (ModelSession session = ModelSession.open(probe, SessionSettings.cpu().withOptimization(false))) {
            Map<String, TensorData> results = session.run(sample);
            shapeOutputs.forEach((value, output) -> shapes.put(value, results.get(output).toLongArray()));
        }
        return shapes;
    }

    /** Relative output change of the model when each group alone is pruned. */
    private Map<Group, Double> sensitivity(List<Group> eligible, Map<Group, int[]> kept, List<Map<String, TensorData>> samples,
            PrunedModelBuilder builder, ProgressListener progress) throws LatheException {
        List<Map<String, TensorData>> probes = samples.subList(0, Math.min(SAMPLES, samples.size()));
        List<Map<String, float[]>> reference = run(model, probes);
        Map<Group, Double> sensitivity = new IdentityHashMap<>();
        progress.started(TASK, eligible.size());
        for (int i = 0; i < eligible.size(); i++) {
            Group group = eligible.get(i);
            Map<Group, int[]> alone = new IdentityHashMap<>();
            alone.put(group, kept.get(group));
            List<Map<String, float[]>> pruned = run(builder.build(alone).model(), probes);
            double error = 0;
            double norm = 0;
            for (int s = 0; s < probes.size(); s++) {
                for (Map.Entry<String, float[]> output : reference.get(s).entrySet()) {
                    float[] expected = output.getValue();
                    float[] actual = pruned.get(s).get(output.getKey());
                    for (int k = 0; k < expected.length; k++) {
                        double difference = (double) actual[k] - expected[k];
                        error += difference * difference;
                        norm += (double) expected[k] * expected[k];
                    }
                }
            }
            sensitivity.put(group, norm == 0 ? error : error / norm);
            progress.progressed(TASK, i + 1, eligible.size());
        }
        progress.finished(TASK);
        return sensitivity;
    }

    /** The float outputs of a model on each sample. */
    private static List<Map<String, float[]>> run(OnnxModel model, List<Map<String, TensorData>> samples) throws LatheException {
        List<Map<String, float[]>> outputs = new ArrayList<>();
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, float[]> values = new LinkedHashMap<>();
                for (Map.Entry<String, TensorData> output : session.run(sample).entrySet()) {
                    if (output.getValue().dataType() == DataType.FLOAT) {
                        values.put(output.getKey(), output.getValue().toFloatArray());
                    }
                }
                outputs.add(values);
            }
        }
        return outputs;
    }

    /** The MACs removed, estimated per weighted node, when the {@code chosen} groups keep their kept units. */
    private long removed(List<Group> all, List<Group> chosen, Map<Group, int[]> kept) {
        Map<Group, Double> share = new IdentityHashMap<>();
        for (Group group : all) {
            if (group.concat().isEmpty()) {
                share.put(group, chosen.contains(group) ? (double) kept.get(group).length / group.channels() : 1.0);
            }
        }
        for (Group group : all) {
            if (group.concat().isPresent()) {
                double channels = 0;
                for (Segment segment : group.segments()) {
                    channels += share.getOrDefault(segment.group(), 1.0) * segment.group().channels();
                }
                share.put(group, channels / group.channels());
            }
        }
        Map<NodeProto, Double> remaining = new IdentityHashMap<>();
        macs.keySet().forEach(node -> remaining.put(node, 1.0));
        for (Group group : all) {
            double s = share.get(group);
            group.producers().forEach(p -> remaining.merge(p.node(), s, (a, b) -> a * b));
            group.consumers().forEach(c -> remaining.merge(c.node(), s, (a, b) -> a * b));
            group.depthwise().forEach(d -> remaining.merge(d, s, (a, b) -> a * b));
        }
        double removed = 0;
        for (Map.Entry<NodeProto, Long> node : macs.entrySet()) {
            removed += node.getValue() * (1 - remaining.get(node.getKey()));
        }
        return Math.round(removed);
    }

    /** MACs of a weighted node at the given value shapes, counted as the footprint counts them. */
    private long nodeMacs(NodeProto node, Map<String, long[]> shapes) throws LatheException {
        long[] weight = constants.data(node, 1).shape();
        long reduction = 1;
        for (int i = 1; i < weight.length; i++) {
            reduction *= weight[i];
        }
        return switch (node.getOpType()) {
            case "ConvTranspose" -> elements(shapes.get(node.getInput(0))) * reduction;
            case "MatMul" -> elements(shapes.get(node.getOutput(0))) * weight[0];
            case "Gemm" -> elements(shapes.get(node.getOutput(0)))
                    * (NodeAttributes.getInt(node, "transB", 0) != 0 ? weight[1] : weight[0]);
            default -> elements(shapes.get(node.getOutput(0))) * reduction;
        };
    }

    private static long elements(long[] shape) {
        if (shape == null) {
            return 0;
        }
        long count = 1;
        for (long dim : shape) {
            count *= Math.max(dim, 0);
        }
        return count;
    }
}
