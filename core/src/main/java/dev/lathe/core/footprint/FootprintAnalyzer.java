package dev.lathe.core.footprint;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.DimensionDefaults;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.runtime.IntermediateShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes the static {@link Footprint} of a model. Shapes are propagated statically; when that gets
 * stuck, the model is run once in ONNX Runtime on generated inputs to read the remaining shapes, and the
 * footprint says so ({@link ShapeMethod#RUNTIME}).
 *
 * <p>Control flow: an {@code If} counts the branch its condition selects when the condition is a static
 * constant, else its most expensive branch. A {@code Loop} counts its body times the trip count when that
 * is a static value and the loop condition cannot end the loop earlier (no condition input, or the body
 * passes its condition through unchanged); otherwise one iteration. A {@code Scan} counts its body times
 * the length of its scan axis. Every choice or estimate is said in {@link Footprint#notes()}. The formulas
 * of the compute ops are listed in {@link MacCounter}.
 */
public final class FootprintAnalyzer {
    private static final Logger LOG = LoggerFactory.getLogger(FootprintAnalyzer.class);
    private static final Set<DataType> QUANTIZED_TYPES = Set.of(DataType.INT8, DataType.UINT8, DataType.INT4,
            DataType.UINT4, DataType.INT16, DataType.UINT16);

    private FootprintAnalyzer() {
    }

    /**
     * The footprint of a model for the given input shapes.
     *
     * @throws IllegalArgumentException if the binding names an input or dimension the model lacks, or a
     *                                  shape that contradicts the model's declared input shape
     * @throws LatheException           if the model's data cannot be read
     */
    public static Footprint analyze(OnnxModel model, ShapeBinding binding) throws LatheException {
        Map<String, long[]> inputShapes = binding.resolve(model);
        ShapeInference.Result inferred = ShapeInference.infer(model, inputShapes, binding.inputValues());
        Map<String, long[]> shapes = new HashMap<>(inferred.shapes());
        List<String> unresolved = inferred.unresolvedNodes();
        ShapeMethod method = ShapeMethod.STATIC;
        Optional<String> shapeGap = Optional.empty();
        if (!unresolved.isEmpty()) {
            try {
                shapes.putAll(IntermediateShapes.probe(model, inputShapes, binding.inputValues()));
                method = ShapeMethod.RUNTIME;
            } catch (RuntimeFailureException e) {
                LOG.warn("{}: static shape propagation left {} nodes unresolved and the runtime fallback failed: {}",
                        model.source(), unresolved.size(), e.getMessage());
                method = ShapeMethod.INCOMPLETE;
                Map<String, DimensionDefaults.Choice> guessed = binding.defaults(model);
                String guess = guessed.isEmpty() ? "" : " These input sizes were guessed, not given: "
                        + DimensionDefaults.describe(guessed) + "; bind the sizes the model takes (--shape or --bind).";
                shapeGap = Optional.of("Static shape propagation left " + unresolved.size() + " nodes unresolved and the "
                        + "ONNX Runtime run at these shapes failed (" + e.getMessage() + "): their compute is NOT "
                        + "counted." + guess);
            }
        }
        return count(model, inputShapes, shapes, inferred.values(), method, shapeGap, unresolved);
    }

    /**
     * Counts at the given shapes. When shapes could not all be found ({@code shapeGap}, with the nodes static
     * propagation left unresolved), the gap is noted and those nodes stand as unresolved if counting itself
     * found none.
     */
    private static Footprint count(OnnxModel model, Map<String, long[]> inputShapes, Map<String, long[]> shapes,
            Map<String, long[]> values, ShapeMethod method, Optional<String> shapeGap, List<String> staticUnresolved)
            throws InvalidModelException {
        Counting counting = new Counting(model.source(), new MacCounter(shapes, ValueTypes.of(model), model.graph()), shapes, values,
                new ArrayList<>(), new ArrayList<>());
        Map<String, Long> opCounts = new TreeMap<>();
        long nodeCount = 0;
        for (Graph graph : model.graph().withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                nodeCount++;
                opCounts.merge(opKey(node), 1L, Long::sum);
            }
        }
        Tally tally = new Tally();
        countGraph(model.graph(), counting, tally);

        long parameters = 0;
        long quantizedParameters = 0;
        Map<String, Long> packedWeights = packedWeightElements(model);
        long zeros = 0;
        Map<String, Long> bytesByType = new TreeMap<>();
        for (ConstantTensor constant : model.constants()) {
            DataType type = constant.dataType();
            bytesByType.merge(type.name(), OnnxModel.storedBytes(constant.tensor()), Long::sum);
            if (type.isFloatingPoint()) {
                parameters += constant.elementCount();
                zeros += type.bits() >= 16 ? model.tensorData(constant.tensor()).countZeros() : 0;
            } else if (QUANTIZED_TYPES.contains(type) && constant.shape().length >= 2) {
                quantizedParameters += packedWeights.getOrDefault(constant.name(), constant.elementCount());
            }
        }
        shapeGap.ifPresent(counting.notes()::add);
        return new Footprint(sizeBytes(model), parameters, quantizedParameters, new TreeMap<>(bytesByType), nodeCount,
                new TreeMap<>(opCounts), zeros, tally.macs(), new TreeMap<>(tally.macsByOpType),
                new TreeMap<>(tally.macsByPrecision), tally.elementwise, inputShapes, method,
                shapeGap.isPresent() && counting.unresolved().isEmpty() ? staticUnresolved : counting.unresolved(),
                counting.notes());
    }

    /** The K×N weights packed into each MatMulNBits B input, by value name. */
    private static Map<String, Long> packedWeightElements(OnnxModel model) {
        Map<String, Long> packed = new HashMap<>();
        for (Graph graph : model.graph().withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                if (node.getOpType().equals("MatMulNBits") && node.getInputCount() > 1) {
                    packed.put(node.getInput(1), NodeAttributes.getInt(node, "K", 0) * NodeAttributes.getInt(node, "N", 0));
                }
            }
        }
        return packed;
    }

    /** What counting needs besides the graph, and where it reports what it could not count exactly. */
    private record Counting(String source, MacCounter counter, Map<String, long[]> shapes, Map<String, long[]> values,
            List<String> unresolved, List<String> notes) {
    }

    /** MACs by op type and by precision, and element operations, of a graph or a part of one. */
    private static final class Tally {
        private final Map<String, Long> macsByOpType = new TreeMap<>();
        private final Map<String, Long> macsByPrecision = new TreeMap<>();
        private long elementwise;

        long macs() {
            return macsByOpType.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Adds {@code times} the counts of {@code other}. */
        void add(Tally other, long times) {
            other.macsByOpType.forEach((op, n) -> macsByOpType.merge(op, n * times, Long::sum));
            other.macsByPrecision.forEach((precision, n) -> macsByPrecision.merge(precision, n * times, Long::sum));
            elementwise += other.elementwise * times;
        }
    }

    /** Counts the compute of one graph into {@code tally}, control-flow bodies included. */
    private static void countGraph(Graph graph, Counting counting, Tally tally) throws InvalidModelException {
        for (NodeProto node : graph.nodes()) {
            if (Graph.isConstantNode(node)) {
                continue;
            }
            List<Graph> subgraphs = graph.subgraphs(node);
            if (!subgraphs.isEmpty()) {
                switch (node.getOpType()) {
                    case "If" -> countIf(node, subgraphs, counting, tally);
                    case "Loop" -> countLoop(node, subgraphs.get(0), counting, tally);
                    case "Scan" -> countScan(node, subgraphs.get(0), counting, tally);
                    default -> counting.unresolved().add(label(node) + " (" + node.getOpType() + " body not counted)");
                }
                continue;
            }
            Map<String, Long> macs;
            try {
                macs = counting.counter().macs(node);
            } catch (IndexOutOfBoundsException e) {
                // MacCounter reads the dimensions an op's inputs must have (a Gemm input has two, a Conv weight's
                // kernel follows its channels); declared shapes of fewer dimensions make the model invalid.
                throw new InvalidModelException(counting.source() + ": " + node.getOpType() + " node '" + label(node)
                        + "' cannot take inputs of these shapes: " + inputShapes(node, counting.shapes()), e);
            }
            if (macs != null) {
                macs.forEach((precision, n) -> {
                    tally.macsByOpType.merge(opKey(node), n, Long::sum);
                    tally.macsByPrecision.merge(precision, n, Long::sum);
                });
                continue;
            }
            long ops = counting.counter().elementwiseOps(node);
            if (ops < 0) {
                counting.unresolved().add(label(node));
            } else {
                tally.elementwise += ops;
            }
        }
    }

    /** The branch a static condition selects, else the branch with more MACs; a note says which. */
    private static void countIf(NodeProto node, List<Graph> branches, Counting counting, Tally tally)
            throws InvalidModelException {
        if (node.getInputCount() == 0 || node.getInput(0).isEmpty()) {
            throw new InvalidModelException(counting.source() + ": If node '" + label(node) + "' has no condition input");
        }
        long[] condition = counting.values().get(node.getInput(0));
        if (condition != null && condition.length > 0) {
            String taken = condition[0] != 0 ? "then_branch" : "else_branch";
            for (Graph branch : branches) {
                if (branch.path().endsWith("/" + taken)) {
                    Tally branchTally = new Tally();
                    countGraph(branch, counting, branchTally);
                    tally.add(branchTally, 1);
                    counting.notes().add("If '" + label(node) + "': condition is the constant " + (condition[0] != 0)
                            + ", counted " + taken + " (" + branchTally.macs() + " MACs)");
                }
            }
            return;
        }
        Tally heaviest = null;
        String heaviestName = "";
        List<String> others = new ArrayList<>();
        for (Graph branch : branches) {
            Tally branchTally = new Tally();
            countGraph(branch, counting, branchTally);
            String name = branch.path().substring(branch.path().lastIndexOf('/') + 1);
            if (heaviest == null || branchTally.macs() >= heaviest.macs()) {
                if (heaviest != null) {
                    others.add(heaviestName + " " + heaviest.macs());
                }
                heaviest = branchTally;
                heaviestName = name;
            } else {
                others.add(name + " " + branchTally.macs());
            }
        }
        tally.add(heaviest, 1);
        counting.notes().add("If '" + label(node) + "': condition known only at run time, counted the larger branch "
                + heaviestName + " (" + heaviest.macs() + " MACs; " + String.join(", ", others) + ")");
    }

    /**
     * The body times the trip count when the count is a static value the condition cannot cut short, else one
     * iteration with a note.
     */
    private static void countLoop(NodeProto node, Graph body, Counting counting, Tally tally) throws InvalidModelException {
        Tally bodyTally = new Tally();
        countGraph(body, counting, bodyTally);
        long[] trips = node.getInputCount() > 0 && !node.getInput(0).isEmpty() ? counting.values().get(node.getInput(0)) : null;
        boolean conditional = node.getInputCount() > 1 && !node.getInput(1).isEmpty() && !passesConditionThrough(body);
        if (trips != null && !conditional) {
            tally.add(bodyTally, trips[0]);
            return;
        }
        tally.add(bodyTally, 1);
        String why = trips == null ? "trip count not static" : "its condition may end it before the " + trips[0] + " iterations of M";
        counting.notes().add("Loop '" + label(node) + "': " + why + ", counted one iteration of its body ("
                + bodyTally.macs() + " MACs per iteration)");
    }

    /** Whether a Loop body's condition output is its condition input, directly or through Identity. */
    private static boolean passesConditionThrough(Graph body) {
        if (body.proto().getInputCount() < 2 || body.outputs().isEmpty()) {
            return false;
        }
        String conditionIn = body.proto().getInput(1).getName();
        String conditionOut = body.outputs().get(0).getName();
        return conditionOut.equals(conditionIn) || body.producer(conditionOut)
                .filter(p -> p.getOpType().equals("Identity") && p.getInput(0).equals(conditionIn)).isPresent();
    }

    /** The body times the length of the first scan input's scan axis, else one iteration with a note. */
    private static void countScan(NodeProto node, Graph body, Counting counting, Tally tally) throws InvalidModelException {
        Tally bodyTally = new Tally();
        countGraph(body, counting, bodyTally);
        int scanInputs = (int) NodeAttributes.getInt(node, "num_scan_inputs", 0);
        int first = node.getInputCount() - scanInputs;
        long[] scanned = scanInputs > 0 ? counting.shapes().get(node.getInput(first)) : null;
        if (scanned != null) {
            long axis = NodeAttributes.getInts(node, "scan_input_axes").map(a -> a[0]).orElse(0L);
            tally.add(bodyTally, scanned[(int) Shapes.normalizeAxis(axis, scanned.length, false)]);
            return;
        }
        tally.add(bodyTally, 1);
        counting.notes().add("Scan '" + label(node) + "': scan length unknown, counted one iteration of its body ("
                + bodyTally.macs() + " MACs per iteration)");
    }

    /** The node's inputs with their shapes, as {@code x [3], w [8, 4]} ({@code ?} when unknown). */
    private static String inputShapes(NodeProto node, Map<String, long[]> shapes) {
        List<String> described = new ArrayList<>();
        for (String input : node.getInputList()) {
            long[] shape = shapes.get(input);
            described.add(input + " " + (shape == null ? "?" : java.util.Arrays.toString(shape)));
        }
        return String.join(", ", described);
    }

    private static String opKey(NodeProto node) {
        String domain = node.getDomain();
        return domain.isEmpty() || domain.equals("ai.onnx") ? node.getOpType() : domain + "." + node.getOpType();
    }

    private static String label(NodeProto node) {
        return node.getName().isEmpty() ? node.getOpType() + " -> " + node.getOutputList() : node.getName();
    }

    private static long sizeBytes(OnnxModel model) throws InvalidModelException {
        long size;
        if (model.file().isPresent()) {
            try {
                size = Files.size(model.file().get());
            } catch (IOException e) {
                throw new InvalidModelException(model.source() + ": cannot read its size: " + e.getMessage(), e);
            }
            for (Path data : model.externalDataFiles().keySet()) {
                try {
                    size += Files.size(data);
                } catch (IOException e) {
                    throw new InvalidModelException(model.source() + ": cannot read the size of " + data, e);
                }
            }
            return size;
        }
        size = model.proto().getSerializedSize();
        for (long bytes : model.externalDataFiles().values()) {
            size += bytes;
        }
        return size;
    }
}
