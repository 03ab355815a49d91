package dev.lathe.core.task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Nearest-neighbour overlap, the retrieval view of fidelity: for each sentence, the fraction of its
 * {@code k} nearest neighbours (by cosine, itself excluded) under the reference embeddings that are also
 * among its {@code k} nearest under the candidate embeddings, averaged over all sentences. Ties in
 * similarity are broken by the lower sentence index, so the result is deterministic.
 */
public final class NeighbourOverlap {
    private NeighbourOverlap() {
    }

    /**
     * The indexes of the {@code k} sentences most similar to sentence {@code index}, most similar first.
     *
     * @throws IllegalArgumentException if {@code k} is not between 1 and the number of other sentences
     */
    public static int[] nearest(List<float[]> embeddings, int index, int k) {
        if (k < 1 || k >= embeddings.size()) {
            throw new IllegalArgumentException("k must be between 1 and " + (embeddings.size() - 1) + ", got " + k);
        }
        float[] query = embeddings.get(index);
        double[] similarity = new double[embeddings.size()];
        List<Integer> others = new ArrayList<>(embeddings.size() - 1);
        for (int j = 0; j < embeddings.size(); j++) {
            if (j != index) {
                similarity[j] = Embeddings.cosine(query, embeddings.get(j));
                others.add(j);
            }
        }
        others.sort(Comparator.<Integer>comparingDouble(j -> -similarity[j]).thenComparingInt(j -> j));
        return others.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The mean over sentences of |nearest_k(reference) ∩ nearest_k(candidate)| / k.
     *
     * @throws IllegalArgumentException if the lists differ in size or {@code k} is out of range
     */
    public static double overlapAt(int k, List<float[]> reference, List<float[]> candidate) {
        if (reference.size() != candidate.size()) {
            throw new IllegalArgumentException("embedding lists differ in size: " + reference.size() + " and "
                    + candidate.size());
        }
        double sum = 0;
        for (int i = 0; i < reference.size(); i++) {
            int[] expected = nearest(reference, i, k);
            int[] actual = nearest(candidate, i, k);
            int shared = 0;
            for (int e : expected) {
                for (int a : actual) {
                    if (e == a) {
                        shared++;
                        break;
                    }
                }
            }
            sum += (double) shared / k;
        }
        return sum / reference.size();
    }
}
