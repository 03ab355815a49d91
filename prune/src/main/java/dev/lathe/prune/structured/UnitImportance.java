package dev.lathe.prune.structured;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.calibration.ChannelStatistics;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
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
    static double[] activation(Group group, MainGraphConstants constants, Map<String, ChannelStatistics> statistics)
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

    /**
     * The units kept after removing {@code removed} of them greedily by the loss a least-squares re-fit of the
     * consumers cannot absorb (the Optimal Brain Surgeon saliency): for a consumer with input Gram matrix G
     * (centred, plus a ridge λI) and weights W, removing input j costs Σ_o W[j,o]² / [G⁻¹]_jj once the other
     * inputs are re-fitted; after each removal W and G⁻¹ are updated as the re-fit would change them.
     * Consumers that are not re-fitted (k×k convolutions) add their unit's activation energy
     * ‖A_c[j]‖² · ‖W_c[j]‖² instead.
     */
    static int[] reconstruction(Group group, MainGraphConstants constants, Map<String, ChannelStatistics> statistics, int removed,
            double ridge) throws InvalidModelException {
        int channels = group.channels();
        double[] fixed = new double[channels];
        List<double[][]> inverses = new ArrayList<>();
        List<double[][]> weights = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (Read read : reads(group)) {
            ChannelStatistics values = statistics.get(read.consumer().input());
            double[][] w = consumerMatrix(constants, read.consumer());
            if (values.gram() == null) {
                double[] norms = values.sumSquares();
                for (int j = 0; j < channels; j++) {
                    double weight = 0;
                    for (double v : w[read.offset() + j]) {
                        weight += v * v;
                    }
                    fixed[j] += norms[read.offset() + j] * weight;
                }
                continue;
            }
            inverses.add(regularizedInverse(values, ridge));
            weights.add(w);
            offsets.add(read.offset());
        }
        boolean[] gone = new boolean[channels];
        for (int step = 0; step < removed; step++) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int j = 0; j < channels; j++) {
                if (gone[j]) {
                    continue;
                }
                double cost = fixed[j];
                for (int c = 0; c < inverses.size(); c++) {
                    int p = offsets.get(c) + j;
                    double squares = 0;
                    for (double v : weights.get(c)[p]) {
                        squares += v * v;
                    }
                    cost += squares / inverses.get(c)[p][p];
                }
                if (cost < bestCost) {
                    bestCost = cost;
                    best = j;
                }
            }
            gone[best] = true;
            for (int c = 0; c < inverses.size(); c++) {
                surgeonUpdate(inverses.get(c), weights.get(c), offsets.get(c) + best);
            }
        }
        int[] kept = new int[channels - removed];
        for (int j = 0, k = 0; j < channels; j++) {
            if (!gone[j]) {
                kept[k++] = j;
            }
        }
        return kept;
    }

    /** (G − s sᵀ / n + λI)⁻¹ with λ = ridge · mean(diag), by Cholesky. */
    private static double[][] regularizedInverse(ChannelStatistics values, double ridge) {
        double[][] gram = values.gram();
        int n = gram.length;
        double[] a = new double[n * n];
        double diagonal = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = gram[i][j] - values.sums()[i] * values.sums()[j] / Math.max(1, values.rows());
            }
            diagonal += a[i * n + i];
        }
        double lambda = Math.max(ridge * diagonal / n, 1e-12);
        for (int i = 0; i < n; i++) {
            a[i * n + i] += lambda;
        }
        if (!LeastSquaresRefit.cholesky(a, n)) {
            throw new IllegalStateException("regularized Gram matrix is not positive definite");
        }
        double[][] identity = new double[n][n];
        for (int i = 0; i < n; i++) {
            identity[i][i] = 1;
        }
        return LeastSquaresRefit.substitute(a, n, identity);
    }

    /** Removes input p: W ← W − H⁻¹[:,p] W[p,:] / H⁻¹[p,p]; H⁻¹ ← H⁻¹ − H⁻¹[:,p] H⁻¹[p,:] / H⁻¹[p,p]. */
    private static void surgeonUpdate(double[][] inverse, double[][] w, int p) {
        double pivot = inverse[p][p];
        double[] column = new double[inverse.length];
        for (int i = 0; i < column.length; i++) {
            column[i] = inverse[i][p];
        }
        double[] removedRow = w[p].clone();
        double[] inverseRow = inverse[p].clone();
        java.util.stream.IntStream.range(0, inverse.length).parallel().forEach(i -> {
            double factor = column[i] / pivot;
            if (factor == 0) {
                return;
            }
            double[] row = w[i];
            for (int o = 0; o < row.length; o++) {
                row[o] -= factor * removedRow[o];
            }
            double[] inverseOut = inverse[i];
            for (int k = 0; k < inverseOut.length; k++) {
                inverseOut[k] -= factor * inverseRow[k];
            }
        });
        inverse[p][p] = Double.POSITIVE_INFINITY;
    }

    /** A consumer's weights as an [inputs][outputs] matrix. */
    static double[][] consumerMatrix(MainGraphConstants constants, Consumer consumer) throws InvalidModelException {
        TensorData stored = constants.data(consumer.node(), 1);
        float[] values = stored.toFloatArray();
        boolean transposed = consumer.weightAxis() != 0;
        int in = (int) stored.shape()[consumer.weightAxis()];
        int out = values.length / in;
        double[][] weights = new double[in][out];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                weights[i][o] = transposed ? values[o * in + i] : values[i * out + o];
            }
        }
        return weights;
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
