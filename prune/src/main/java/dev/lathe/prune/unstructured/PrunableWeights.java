package dev.lathe.prune.unstructured;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.GraphEditor;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.weights.NodeFilter;
import dev.lathe.core.weights.WeightedNodes;
import dev.lathe.core.weights.WeightedNodes.WeightedNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the weights a sparsity pass prunes, in every graph of a model: the constant float weight (input 1)
 * of MatMul and Gemm nodes, 2-D, found by {@link WeightedNodes}, and of Conv nodes, [Cout, Cin/group,
 * k1, ...], whether initializers or Constant-node values, here or in an enclosing graph. A weight read by
 * several selected nodes is pruned once; a weight also read by a node that is not pruned (excluded, or
 * another kind of use) is left alone, since pruning it would change that node too.
 */
final class PrunableWeights {
    private static final Set<String> MATRIX_OPS = Set.of("MatMul", "Gemm");

    /**
     * What was found.
     *
     * @param weights the weights to prune, in graph order (main graph first)
     * @param skipped nodes with a constant weight that are not pruned, and why, by node name
     */
    record Found(List<PrunableWeight> weights, Map<String, String> skipped) {
    }

    /** A selected node's weight, before shared weights are grouped. */
    private record Candidate(GraphEditor graph, NodeProto node, TensorProto weight, WeightLayout layout) {
    }

    private PrunableWeights() {
    }

    /** The weights of the nodes the filter selects. */
    static Found find(ModelEditor editor, NodeFilter filter) {
        Set<String> matrixOps = new HashSet<>(filter.opTypes());
        matrixOps.retainAll(MATRIX_OPS);
        Map<String, WeightedNode> matrices = new HashMap<>();
        for (WeightedNode found : WeightedNodes.find(editor, matrixOps, 1)) {
            matrices.put(found.node().getName(), found);
        }
        Map<String, String> skipped = new TreeMap<>();
        Map<String, String> rejectedWhy = new HashMap<>();
        Map<GraphEditor, Map<String, List<Candidate>>> byWeight = new LinkedHashMap<>();
        for (GraphEditor graph : editor.graphs()) {
            for (NodeProto node : graph.nodes()) {
                Optional<Candidate> candidate = matrices.containsKey(node.getName())
                        ? Optional.of(matrixCandidate(matrices.get(node.getName())))
                        : filter.opTypes().contains("Conv") ? convCandidate(graph, node, skipped) : Optional.empty();
                if (candidate.isEmpty()) {
                    continue;
                }
                long elements = TensorData.elementCount(TensorCodec.shapeOf(candidate.get().weight()));
                Optional<String> rejection = filter.rejects(node, elements);
                if (rejection.isPresent()) {
                    skipped.put(node.getName(), rejection.get());
                    rejectedWhy.put(node.getName(), rejection.get());
                    continue;
                }
                String weight = node.getInput(1);
                byWeight.computeIfAbsent(owner(graph, weight), g -> new LinkedHashMap<>())
                        .computeIfAbsent(weight, w -> new ArrayList<>()).add(candidate.get());
            }
        }
        List<PrunableWeight> weights = new ArrayList<>();
        byWeight.forEach((owner, named) -> named.forEach((name, readers) ->
                group(owner, name, readers, rejectedWhy, skipped).ifPresent(weights::add)));
        return new Found(weights, skipped);
    }

    private static Candidate matrixCandidate(WeightedNode found) {
        boolean transposed = found.node().getOpType().equals("Gemm") && NodeAttributes.getInt(found.node(), "transB", 0) == 1;
        return new Candidate(found.graph(), found.node(), found.weight(), WeightLayout.matrix(found.weightShape(), transposed));
    }

    private static Optional<Candidate> convCandidate(GraphEditor graph, NodeProto node, Map<String, String> skipped) {
        if (!node.getOpType().equals("Conv") || !(node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"))
                || node.getInputCount() < 2) {
            return Optional.empty();
        }
        Optional<TensorProto> weight = graph.constant(node.getInput(1));
        if (weight.isEmpty() || weight.get().getDataType() != DataType.FLOAT.code() || weight.get().getDimsCount() < 3) {
            return Optional.empty();
        }
        long[] shape = TensorCodec.shapeOf(weight.get());
        long groups = NodeAttributes.getInt(node, "group", 1);
        if (groups < 1 || shape[0] % groups != 0) {
            skipped.put(node.getName(), "group " + groups + " does not divide the " + shape[0] + " output channels");
            return Optional.empty();
        }
        if (TensorData.elementCount(shape) > Integer.MAX_VALUE - 8) {
            skipped.put(node.getName(), "weight of " + TensorData.elementCount(shape) + " elements is too large to prune in memory");
            return Optional.empty();
        }
        return Optional.of(new Candidate(graph, node, weight.get(), WeightLayout.convolution(shape, (int) groups)));
    }

    /** The weight read by these candidates, unless another node reads it too or they disagree on its layout. */
    private static Optional<PrunableWeight> group(GraphEditor owner, String name, List<Candidate> candidates,
            Map<String, String> rejectedWhy, Map<String, String> skipped) {
        Set<String> selected = new HashSet<>();
        candidates.forEach(c -> selected.add(c.node().getName()));
        Optional<String> problem = Optional.empty();
        for (GraphEditor graph : owner.withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                if (problem.isEmpty() && node.getInputList().contains(name) && !selected.contains(node.getName())) {
                    String why = rejectedWhy.getOrDefault(node.getName(), "not a weight use this pass prunes");
                    problem = Optional.of("weight '" + name + "' is also read by " + node.getOpType() + " node '"
                            + node.getName() + "', which is not pruned (" + why + ")");
                }
            }
        }
        WeightLayout layout = candidates.get(0).layout();
        if (problem.isEmpty() && candidates.stream().anyMatch(c -> !c.layout().equals(layout))) {
            problem = Optional.of("weight '" + name + "' is read in different layouts (Gemm transB) by its nodes");
        }
        if (problem.isPresent()) {
            String reason = problem.get();
            candidates.forEach(c -> skipped.put(c.node().getName(), reason));
            return Optional.empty();
        }
        Optional<NodeProto> constantNode = owner.nodes().stream()
                .filter(n -> Graph.isConstantNode(n) && n.getOutputCount() == 1 && n.getOutput(0).equals(name)).findFirst();
        List<PrunableWeight.Reader> readers = candidates.stream()
                .map(c -> new PrunableWeight.Reader(c.graph(), c.node())).toList();
        return Optional.of(new PrunableWeight(owner, name, candidates.get(0).weight(),
                owner.initializer(name).isPresent() ? Optional.empty() : constantNode, readers, layout));
    }

    /** The graph, this one or an enclosing one, where {@code value} is defined as a constant. */
    private static GraphEditor owner(GraphEditor graph, String value) {
        for (GraphEditor g = graph; g != null; g = g.parent().orElse(null)) {
            boolean defined = g.initializer(value).isPresent() || g.nodes().stream()
                    .anyMatch(n -> Graph.isConstantNode(n) && n.getOutputList().contains(value));
            if (defined) {
                return g;
            }
        }
        throw new IllegalStateException("constant '" + value + "' is defined in no graph enclosing " + graph.path());
    }

}
