package dev.lathe.core.weights;

import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionValues;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

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
    /** Copies the sets. */
    public NodeFilter {
        opTypes = Set.copyOf(opTypes);
        include = Set.copyOf(include);
        exclude = Set.copyOf(exclude);
    }

    /**
     * The node filter's options, declared once for every pass that selects nodes: {@code ops},
     * {@code include}, {@code exclude} and {@code min-size}, with the pass's defaults.
     *
     * @param ops     op types to consider
     * @param include node names to keep to
     * @param exclude node names to leave alone
     * @param minSize the smallest weight, in elements, that is changed
     */
    public record Options(PassOption<Set<String>> ops, PassOption<Set<String>> include, PassOption<Set<String>> exclude,
            PassOption<Long> minSize) {

        /** The four options, in the order help texts list them. */
        public List<PassOption<?>> all() {
            return List.of(ops, include, exclude, minSize);
        }

        /** The filter these options describe. */
        public NodeFilter read(PassOptionValues values) {
            return new NodeFilter(values.get(ops), values.get(include), values.get(exclude), values.get(minSize));
        }

        /** Writes a filter as option text (for a settings builder's {@code option(key, value)}). */
        public void write(NodeFilter filter, BiConsumer<String, String> options) {
            options.accept(ops.key(), ops.format(filter.opTypes()));
            options.accept(include.key(), include.format(filter.include()));
            options.accept(exclude.key(), exclude.format(filter.exclude()));
            options.accept(minSize.key(), minSize.format(filter.minWeightElements()));
        }
    }

    /** The filter's options with these defaults; any op type may be named. */
    public static Options options(Set<String> defaultOps, long defaultMinSize) {
        return new Options(PassOption.list("ops", defaultOps, "op types whose nodes may change").written("Op1+Op2"),
                PassOption.list("include", Set.of(), "if given, only these node names").written("node1+node2"),
                PassOption.list("exclude", Set.of(), "never these node names").written("node1+node2"),
                PassOption.integer("min-size", defaultMinSize, 0, Long.MAX_VALUE, "weights with fewer elements stay as they are"));
    }

    /** The filter's options with these defaults; {@code ops} may only name op types from {@code allowedOps}. */
    public static Options options(Set<String> defaultOps, Set<String> allowedOps, long defaultMinSize) {
        Options free = options(defaultOps, defaultMinSize);
        return new Options(free.ops().requiringItems(allowedOps::contains, "op types from " + String.join(", ",
                new TreeSet<>(allowedOps))), free.include(), free.exclude(), free.minSize());
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
