package dev.lathe.core.weights;

import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassOptions;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes a quantization pass may change: an op-type filter, node include and exclude lists, and a
 * minimum weight size (small weights cost little and quantize badly).
 *
 * @param opTypes           op types to consider
 * @param include           if not empty, only these node names
 * @param exclude           never these node names
 * @param minWeightElements weights with fewer elements stay float
 */
public record NodeFilter(Set<String> opTypes, Set<String> include, Set<String> exclude, long minWeightElements) {
    /** The option keys {@link #from} reads. */
    public static final Set<String> KEYS = Set.of("ops", "include", "exclude", "min-size");

    /** Copies the sets. */
    public NodeFilter {
        opTypes = Set.copyOf(opTypes);
        include = Set.copyOf(include);
        exclude = Set.copyOf(exclude);
    }

    /** Reads {@code ops=A+B}, {@code include=n1+n2}, {@code exclude=...}, {@code min-size=N} with the given defaults. */
    public static NodeFilter from(PassOptions options, Set<String> defaultOps, long defaultMinSize) {
        return new NodeFilter(options.getList("ops", defaultOps), options.getList("include", Set.of()),
                options.getList("exclude", Set.of()), options.getLong("min-size", defaultMinSize, 0, Long.MAX_VALUE));
    }

    /** Why a node with a weight of {@code weightElements} elements is not quantized, or empty if it is. */
    public Optional<String> rejects(NodeProto node, long weightElements) {
        if (!opTypes.contains(node.getOpType())) {
            return Optional.of("op type " + node.getOpType() + " not selected");
        }
        if (exclude.contains(node.getName())) {
            return Optional.of("excluded by name");
        }
        if (!include.isEmpty() && !include.contains(node.getName())) {
            return Optional.of("not in the include list");
        }
        if (weightElements < minWeightElements) {
            return Optional.of("weight has " + weightElements + " elements, below min-size " + minWeightElements);
        }
        return Optional.empty();
    }
}
