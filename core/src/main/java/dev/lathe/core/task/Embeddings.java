package dev.lathe.core.task;

import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sentence embeddings from an encoder's token states, as sentence-transformers makes them for
 * all-MiniLM-L6-v2: the mean of the token vectors over the attention mask, then L2-normalised; and the
 * cosine similarities used to compare two models' embeddings.
 */
public final class Embeddings {
    private Embeddings() {
    }

    /**
     * The mean of the token vectors whose attention mask is non-zero, for a batch of one.
     *
     * @param hidden the last hidden state, {@code [1, tokens, dim]} in row-major order
     * @param shape  its shape
     * @param mask   the attention mask, one value per token
     * @throws IllegalArgumentException if the shape is not {@code [1, mask.length, dim]}, or no token is
     *                                  attended to
     */
    public static float[] meanPool(float[] hidden, long[] shape, long[] mask) {
        if (shape.length != 3 || shape[0] != 1 || shape[1] != mask.length || (long) hidden.length != shape[1] * shape[2]) {
            throw new IllegalArgumentException("hidden state must be [1, " + mask.length + ", dim] with "
                    + "matching data, got shape " + Arrays.toString(shape) + " and " + hidden.length + " values");
        }
        if (Arrays.stream(mask).allMatch(m -> m == 0)) {
            throw new IllegalArgumentException("attention mask has no attended token");
        }
        return mean(hidden, 0, (int) shape[1], (int) shape[2], mask);
    }

    /**
     * The mean of the {@code tokens} vectors of width {@code dim} starting at row {@code row} of
     * {@code values}, over the tokens whose mask is non-zero (all when {@code mask} is null); zeros when none is.
     */
    private static float[] mean(float[] values, int row, int tokens, int dim, long[] mask) {
        double[] sum = new double[dim];
        long attended = 0;
        for (int t = 0; t < tokens; t++) {
            if (mask != null && mask[row * tokens + t] == 0) {
                continue;
            }
            attended++;
            int base = (row * tokens + t) * dim;
            for (int d = 0; d < dim; d++) {
                sum[d] += values[base + d];
            }
        }
        float[] mean = new float[dim];
        for (int d = 0; d < dim && attended > 0; d++) {
            mean[d] = (float) (sum[d] / attended);
        }
        return mean;
    }

    /**
     * The vector scaled to unit Euclidean length (a new array).
     *
     * @throws IllegalArgumentException for a zero vector
     */
    public static float[] normalize(float[] vector) {
        double norm = Math.sqrt(dot(vector, vector));
        if (norm == 0) {
            throw new IllegalArgumentException("cannot normalise a zero vector");
        }
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] / norm);
        }
        return unit;
    }

    /**
     * The sentence embeddings of a batch: token states {@code [batch, tokens, dim]} mean-pooled over the
     * attention mask {@code [batch, tokens]} (all tokens when {@code mask} is null), or embeddings
     * {@code [batch, dim]} as they are; each L2-normalised (a zero vector stays zero).
     *
     * @throws IllegalArgumentException if the shapes do not fit together
     */
    public static List<float[]> pooled(TensorData states, TensorData mask) {
        long[] shape = states.shape();
        float[] values = states.toFloatArray();
        List<float[]> embeddings = new ArrayList<>();
        if (shape.length == 2) {
            int dim = (int) shape[1];
            for (int row = 0; row < shape[0]; row++) {
                embeddings.add(normalizeOrZero(Arrays.copyOfRange(values, row * dim, (row + 1) * dim)));
            }
            return embeddings;
        }
        if (shape.length != 3) {
            throw new IllegalArgumentException("token states must be [batch, tokens, dim] or embeddings [batch, dim], got "
                    + Arrays.toString(shape));
        }
        int tokens = (int) shape[1];
        int dim = (int) shape[2];
        long[] maskValues = mask == null ? null : mask.toLongArray();
        if (maskValues != null && maskValues.length != shape[0] * tokens) {
            throw new IllegalArgumentException("attention mask of shape " + Arrays.toString(mask.shape())
                    + " does not fit token states of shape " + Arrays.toString(shape));
        }
        for (int row = 0; row < shape[0]; row++) {
            embeddings.add(normalizeOrZero(mean(values, row, tokens, dim, maskValues)));
        }
        return embeddings;
    }

    private static float[] normalizeOrZero(float[] vector) {
        return dot(vector, vector) == 0 ? vector : normalize(vector);
    }

    /** Mean pooling over the mask followed by L2 normalisation: the sentence embedding. */
    public static float[] sentenceEmbedding(float[] hidden, long[] shape, long[] mask) {
        return normalize(meanPool(hidden, shape, mask));
    }

    /**
     * The cosine of the angle between two vectors.
     *
     * @throws IllegalArgumentException if the lengths differ or a vector is zero
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors differ in length: " + a.length + " and " + b.length);
        }
        double norms = Math.sqrt(dot(a, a) * dot(b, b));
        if (norms == 0) {
            throw new IllegalArgumentException("cosine of a zero vector is undefined");
        }
        return dot(a, b) / norms;
    }

    /**
     * The mean over sentences of the cosine between a sentence's two embeddings.
     *
     * @throws IllegalArgumentException if the lists are empty or differ in size
     */
    public static double meanCosine(List<float[]> reference, List<float[]> candidate) {
        if (reference.isEmpty() || reference.size() != candidate.size()) {
            throw new IllegalArgumentException("need two equally long, non-empty lists of embeddings, got "
                    + reference.size() + " and " + candidate.size());
        }
        double sum = 0;
        for (int i = 0; i < reference.size(); i++) {
            sum += cosine(reference.get(i), candidate.get(i));
        }
        return sum / reference.size();
    }

    /** The dot product, accumulated in double precision. */
    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
