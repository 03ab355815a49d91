package dev.lathe.core.footprint;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The static compute footprint of a model, for one binding of its input shapes: size on disk, parameters,
 * bytes by data type, nodes, weight sparsity and multiply-accumulates. Immutable.
 *
 * @param sizeBytes       bytes of the model file plus its external data
 * @param parameters      elements of floating-point constant tensors, subgraphs included
 * @param quantizedParameters elements of 4- to 16-bit integer weight tensors (rank 2 or more), the weights
 *                        of quantized models; packed MatMulNBits weights count the K×N elements they hold
 * @param bytesByDataType bytes of constant tensors per data type name (e.g. FLOAT, INT8)
 * @param nodeCount       nodes in the main graph and all subgraphs
 * @param opCounts        nodes per op type (prefixed by domain when not the default, e.g.
 *                        {@code com.microsoft.MatMulNBits})
 * @param zeroParameters  parameters exactly equal to zero
 * @param macs            multiply-accumulates of compute ops (MatMul, Gemm, Conv, ...)
 * @param macsByOpType    the MACs per compute op type
 * @param macsByPrecision the MACs per arithmetic precision ({@code float32}, {@code float16}, {@code int8},
 *                        {@code int4}, ...): integer ops of quantized models (MatMulInteger, QLinearConv,
 *                        DynamicQuantizeMatMul, ...) count as {@code int8}, MatMulNBits as {@code int}+bits,
 *                        float ops in the element type of their input
 * @param elementwiseOps  element operations of the other ops (Add, Relu, Softmax, ...), counted apart
 *                        from MACs: one per output element, so they are comparable between models but not
 *                        with MACs
 * @param inputShapes     the concrete input shapes the counts are for
 * @param shapeMethod     how intermediate shapes were found
 * @param unresolvedNodes nodes whose output shapes stayed unknown (their compute is not counted)
 * @param notes           how compute was counted where that is a choice, an estimate or a gap, one sentence
 *                        each: an {@code If}, {@code Loop} or {@code Scan} node (the branch taken, a trip
 *                        count that is not static), shapes that could not be found, nodes of another
 *                        format not counted
 */
public record Footprint(
        long sizeBytes,
        long parameters,
        long quantizedParameters,
        SortedMap<String, Long> bytesByDataType,
        long nodeCount,
        SortedMap<String, Long> opCounts,
        long zeroParameters,
        long macs,
        SortedMap<String, Long> macsByOpType,
        SortedMap<String, Long> macsByPrecision,
        long elementwiseOps,
        Map<String, long[]> inputShapes,
        ShapeMethod shapeMethod,
        List<String> unresolvedNodes,
        List<String> notes) {

    /** Copies the collections so that the footprint stays immutable. */
    public Footprint {
        bytesByDataType = Collections.unmodifiableSortedMap(new TreeMap<>(bytesByDataType));
        opCounts = Collections.unmodifiableSortedMap(new TreeMap<>(opCounts));
        macsByOpType = Collections.unmodifiableSortedMap(new TreeMap<>(macsByOpType));
        macsByPrecision = Collections.unmodifiableSortedMap(new TreeMap<>(macsByPrecision));
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        inputShapes.forEach((k, v) -> shapes.put(k, v.clone()));
        inputShapes = Collections.unmodifiableMap(shapes);
        unresolvedNodes = List.copyOf(unresolvedNodes);
        notes = List.copyOf(notes);
    }

    /**
     * Whether every node's compute was counted: no node's shapes stayed unknown. When false, {@link #macs()}
     * and {@link #elementwiseOps()} are lower bounds and reports show MACs as unknown.
     */
    public boolean complete() {
        return unresolvedNodes.isEmpty() && shapeMethod != ShapeMethod.INCOMPLETE;
    }

    /** Fraction of parameters that are exactly zero (0 when there are no parameters). */
    public double sparsity() {
        return parameters == 0 ? 0 : (double) zeroParameters / parameters;
    }

    /** Total bytes of constant tensors. */
    public long weightBytes() {
        return bytesByDataType.values().stream().mapToLong(Long::longValue).sum();
    }
}
