package dev.lathe.core.footprint;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
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
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes the static {@link Footprint} of a model. Shapes are propagated statically; when that gets
 * stuck, the model is run once in ONNX Runtime on generated inputs to read the remaining shapes, and the
 * footprint says so ({@link ShapeMethod#RUNTIME}).
 *
 * <p>MACs of an {@code If} node count its most expensive branch. Compute inside {@code Loop} and
 * {@code Scan} bodies is not counted yet (their nodes are listed as unresolved).
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
        ShapeInference.Result inferred = ShapeInference.infer(model, inputShapes);
        Map<String, long[]> shapes = new HashMap<>(inferred.shapes());
        List<String> unresolved = inferred.unresolvedNodes();
        ShapeMethod method = ShapeMethod.STATIC;
        if (!unresolved.isEmpty()) {
            try {
                shapes.putAll(IntermediateShapes.probe(model, inputShapes));
                method = ShapeMethod.RUNTIME;
            } catch (RuntimeFailureException e) {
                LOG.warn("{}: static shape propagation left {} nodes unresolved and the runtime fallback failed: {}",
                        model.source(), unresolved.size(), e.getMessage());
            }
        }
        return count(model, inputShapes, shapes, method);
    }

    private static Footprint count(OnnxModel model, Map<String, long[]> inputShapes, Map<String, long[]> shapes,
            ShapeMethod method) throws InvalidModelException {
        MacCounter counter = new MacCounter(shapes);
        Map<String, Long> opCounts = new TreeMap<>();
        Map<String, Long> macsByOpType = new TreeMap<>();
        long[] elementwise = {0};
        List<String> unresolved = new ArrayList<>();
        long nodeCount = 0;
        for (Graph graph : model.graph().withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                nodeCount++;
                opCounts.merge(opKey(node), 1L, Long::sum);
            }
        }
        countGraph(model.graph(), counter, macsByOpType, elementwise, unresolved);
        long macs = macsByOpType.values().stream().mapToLong(Long::longValue).sum();

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
        return new Footprint(sizeBytes(model), parameters, quantizedParameters, new TreeMap<>(bytesByType), nodeCount, new TreeMap<>(opCounts),
                zeros, macs, new TreeMap<>(macsByOpType), elementwise[0], inputShapes, method, unresolved);
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

    /** Counts compute of one graph; for If nodes adds the most expensive branch. */
    private static void countGraph(Graph graph, MacCounter counter, Map<String, Long> macsByOpType, long[] elementwise,
            List<String> unresolved) {
        for (NodeProto node : graph.nodes()) {
            if (Graph.isConstantNode(node)) {
                continue;
            }
            List<Graph> subgraphs = graph.subgraphs(node);
            if (!subgraphs.isEmpty()) {
                if (!node.getOpType().equals("If")) {
                    unresolved.add(label(node) + " (" + node.getOpType() + " body not counted)");
                    continue;
                }
                Map<String, Long> heaviest = new TreeMap<>();
                long[] heaviestElementwise = {0};
                for (Graph branch : subgraphs) {
                    Map<String, Long> branchMacs = new TreeMap<>();
                    long[] branchElementwise = {0};
                    countGraph(branch, counter, branchMacs, branchElementwise, unresolved);
                    if (sum(branchMacs) >= sum(heaviest)) {
                        heaviest = branchMacs;
                        heaviestElementwise = branchElementwise;
                    }
                }
                heaviest.forEach((op, n) -> macsByOpType.merge(op, n, Long::sum));
                elementwise[0] += heaviestElementwise[0];
                continue;
            }
            long macs = counter.macs(node);
            if (macs >= 0) {
                macsByOpType.merge(opKey(node), macs, Long::sum);
                continue;
            }
            long ops = counter.elementwiseOps(node);
            if (ops < 0) {
                unresolved.add(label(node));
            } else {
                elementwise[0] += ops;
            }
        }
    }

    private static long sum(Map<String, Long> values) {
        return values.values().stream().mapToLong(Long::longValue).sum();
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
