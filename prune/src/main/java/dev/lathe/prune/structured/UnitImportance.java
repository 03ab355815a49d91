package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.prune.structured.ChannelActivations.Statistics;
import dev.lathe.prune.structured.ChannelGroups.Consumer;
import dev.lathe.prune.structured.ChannelGroups.Group;
import dev.lathe.prune.structured.ChannelGroups.Producer;
import dev.lathe.prune.structured.ChannelGroups.Segment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Scores the units of a channel group, and picks the ones to remove.
 *
 * <ul>
 *   <li>Activation-aware: score(j) = Σ over the consumers c reading unit j of ‖A_c[j]‖₂ · ‖W_c[j]‖₂, where
 *       A_c[j] is the consumer's input channel j over every calibration sample and position and W_c[j] is
 *       the slice of the consumer's weight on that input (a row of W2 for a feed-forward layer, the
 *       [out, kh, kw] filters on input channel j for a convolution). The product bounds the norm of the
 *       unit's contribution to the consumer's output.</li>
 *   <li>Magnitude: score(j) = ‖W_p[j]‖₂ · ‖W_c[j]‖₂, the norms of all producers' weights writing unit j
 *       and of all consumers' weights reading it.</li>
 * </ul>
 *
 * Consumers reached through a concatenation count with the unit's position in the concatenation.
 */
final class UnitImportance {
    private UnitImportance() {
    }

    /**
     * A consumer reading a group's channels, the group's channel j being the consumer's input channel
     * {@code offset + j}.
     *
     * @param holder   the group the consumer reads directly (the group itself or a concatenation's)
     * @param consumer the consumer
     * @param offset   where the group's channels start among the consumer's inputs
     */
    record Read(Group holder, Consumer consumer, int offset) {
    }

    /** The consumers that read a group's channels, directly or through concatenations. */
    static List<Read> reads(Group group) {
        return reads(group, 0);
    }

    private static List<Read> reads(Group group, int offset) {
        List<Read> reads = new ArrayList<>();
        group.consumers().forEach(c -> reads.add(new Read(group, c, offset)));
        for (Segment feed : group.feeds()) {
            reads.addAll(reads(feed.group(), offset + feed.offset()));
        }
        return reads;
    }

    /** Activation-aware scores; {@code statistics} must hold every value a consumer of the group reads. */
    static double[] activation(Group group, MainGraphConstants constants, Map<String, Statistics> statistics)
            throws InvalidModelException {
        double[] scores = new double[group.channels()];
        for (Read read : reads(group)) {
            double[] activation = statistics.get(read.consumer().input()).norms();
            double[] weight = squaredNorms(constants, read.consumer().node(), read.consumer().weightAxis());
            for (int j = 0; j < scores.length; j++) {
                scores[j] += activation[read.offset() + j] * Math.sqrt(weight[read.offset() + j]);
            }
        }
        return scores;
    }

    /** Weight magnitude scores. */
    static double[] magnitude(Group group, MainGraphConstants constants) throws InvalidModelException {
        double[] produced = new double[group.channels()];
        for (Producer producer : group.producers()) {
            double[] norms = squaredNorms(constants, producer.node(), producer.weightAxis());
            for (int j = 0; j < produced.length; j++) {
                produced[j] += norms[j];
            }
        }
        double[] consumed = new double[group.channels()];
        for (Read read : reads(group)) {
            double[] norms = squaredNorms(constants, read.consumer().node(), read.consumer().weightAxis());
            for (int j = 0; j < consumed.length; j++) {
                consumed[j] += norms[read.offset() + j];
            }
        }
        double[] scores = new double[group.channels()];
        for (int j = 0; j < scores.length; j++) {
            scores[j] = Math.sqrt(produced[j]) * Math.sqrt(consumed[j]);
        }
        return scores;
    }

    /** Per index along {@code axis} of a node's weight (input 1), the sum of squares of its slice. */
    static double[] squaredNorms(MainGraphConstants constants, NodeProto node, int axis) throws InvalidModelException {
        TensorData weight = constants.data(node, 1);
        long[] shape = weight.shape();
        float[] values = weight.toFloatArray();
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        double[] norms = new double[(int) shape[axis]];
        for (int i = 0; i < values.length; i++) {
            norms[(int) ((i / inner) % shape[axis])] += (double) values[i] * values[i];
        }
        return norms;
    }

    /** The indices kept once the {@code removed} lowest scores are dropped (ties: the lower index goes first). */
    static int[] keptAfterRemoving(double[] scores, int removed) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[a], scores[b]) : Integer.compare(a, b));
        boolean[] drop = new boolean[scores.length];
        for (int i = 0; i < removed; i++) {
            drop[order[i]] = true;
        }
        int[] kept = new int[scores.length - removed];
        for (int i = 0, k = 0; i < scores.length; i++) {
            if (!drop[i]) {
                kept[k++] = i;
            }
        }
        return kept;
    }
}
