package dev.lathe.core.task;

import dev.lathe.core.model.TensorData;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulates a task's metrics over validation samples, comparing a candidate model's outputs with a
 * reference model's on the same inputs. The metric names (keys of {@link #results()}):
 * <ul>
 *   <li>sentence embeddings: {@value #EMBEDDING_COSINE} (mean over sentences of the cosine between the two
 *       embeddings), {@value #EMBEDDING_COSINE_MIN} (the worst sentence) and {@value #OVERLAP} (mean share of
 *       each sentence's 10 nearest neighbours, by cosine, that both models agree on; measured with at least
 *       11 sentences);</li>
 *   <li>classifiers: {@value #TOP1} and {@value #TOP5} (share of rows whose reference top class is the
 *       candidate's top class, or among its top five);</li>
 *   <li>dense maps: {@value #IOU} (intersection over union of the pixels above the threshold, over all
 *       samples; not measured when neither model marks any pixel, as on inputs unlike the task's data);</li>
 *   <li>sequences: {@value #DECODE} (share of rows whose greedy CTC decodes are identical).</li>
 * </ul>
 * Metrics measured on consecutive parts of the samples (on several machines) and {@link #merge merged} in
 * the parts' order equal those measured in one pass: counts add and embeddings are kept in sample order, so
 * every figure comes from the same sums and counts, never from averages of averages.
 */
public final class TaskMetrics implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Mean embedding cosine. */
    public static final String EMBEDDING_COSINE = "embedding-cosine";
    /** Worst embedding cosine. */
    public static final String EMBEDDING_COSINE_MIN = "embedding-cosine-min";
    /** Nearest-neighbour overlap@10. */
    public static final String OVERLAP = "overlap@10";
    /** Top-1 agreement. */
    public static final String TOP1 = "top1-agreement";
    /** Top-5 agreement. */
    public static final String TOP5 = "top5-agreement";
    /** IoU of thresholded maps. */
    public static final String IOU = "map-iou";
    /** Greedy decode agreement. */
    public static final String DECODE = "decode-agreement";
    /** The default map threshold (DB text detectors binarise their probability map at 0.3). */
    public static final double DEFAULT_MAP_THRESHOLD = 0.3;
    private static final int NEIGHBOURS = 10;

    private final Task task;
    private final List<float[]> referenceEmbeddings = new ArrayList<>();
    private final List<float[]> candidateEmbeddings = new ArrayList<>();
    private long rows;
    private long top1;
    private long top5;
    private long classes;
    private long intersection;
    private long union;

    private TaskMetrics(Task task) {
        this.task = task;
    }

    /** An empty accumulator for a task. */
    public static TaskMetrics of(Task task) {
        return new TaskMetrics(task);
    }

    /** The task these metrics are for. */
    public Task task() {
        return task;
    }

    /**
     * Adds one validation sample.
     *
     * @param inputs    the sample's inputs (the attention mask is read from them)
     * @param reference the reference model's outputs
     * @param candidate the candidate model's outputs
     * @throws IllegalArgumentException if an output the task needs is missing or changed shape
     */
    public void add(Map<String, TensorData> inputs, Map<String, TensorData> reference, Map<String, TensorData> candidate) {
        if (task instanceof Task.SentenceEmbedding embedding) {
            TensorData mask = embedding.maskInput().map(inputs::get).orElse(null);
            referenceEmbeddings.addAll(Embeddings.pooled(required(reference, embedding.output()), mask));
            candidateEmbeddings.addAll(Embeddings.pooled(required(candidate, embedding.output()), mask));
        } else if (task instanceof Task.Classifier classifier) {
            addScores(required(reference, classifier.output()), required(candidate, classifier.output()));
        } else if (task instanceof Task.DenseMap map) {
            addMap(required(reference, map.output()), required(candidate, map.output()), map.threshold());
        } else if (task instanceof Task.SequenceDecode sequence) {
            addDecodes(required(reference, sequence.output()), required(candidate, sequence.output()));
        }
    }

    /**
     * These metrics followed by those of the next part of the samples, as if measured in one pass (this one
     * changes, {@code next} does not).
     *
     * @throws IllegalArgumentException if the two are for different tasks
     */
    public void merge(TaskMetrics next) {
        if (!task.equals(next.task)) {
            throw new IllegalArgumentException("cannot merge " + next.task + " metrics into " + task + " metrics");
        }
        referenceEmbeddings.addAll(next.referenceEmbeddings);
        candidateEmbeddings.addAll(next.candidateEmbeddings);
        rows += next.rows;
        top1 += next.top1;
        top5 += next.top5;
        classes = Math.max(classes, next.classes);
        intersection += next.intersection;
        union += next.union;
    }

    /** The metrics measured so far, by name; empty for a generic task or before any sample. */
    public Map<String, Double> results() {
        Map<String, Double> results = new LinkedHashMap<>();
        if (task instanceof Task.SentenceEmbedding && !referenceEmbeddings.isEmpty()) {
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < referenceEmbeddings.size(); i++) {
                double cosine = Embeddings.cosine(referenceEmbeddings.get(i), candidateEmbeddings.get(i));
                sum += cosine;
                min = Math.min(min, cosine);
            }
            results.put(EMBEDDING_COSINE, sum / referenceEmbeddings.size());
            results.put(EMBEDDING_COSINE_MIN, min);
            if (referenceEmbeddings.size() > NEIGHBOURS) {
                results.put(OVERLAP, NeighbourOverlap.overlapAt(NEIGHBOURS, referenceEmbeddings, candidateEmbeddings));
            }
        } else if (task instanceof Task.Classifier && rows > 0) {
            results.put(TOP1, (double) top1 / rows);
            if (classes >= 5) {
                results.put(TOP5, (double) top5 / rows);
            }
        } else if (task instanceof Task.DenseMap && union > 0) {
            results.put(IOU, (double) intersection / union);
        } else if (task instanceof Task.SequenceDecode && rows > 0) {
            results.put(DECODE, (double) top1 / rows);
        }
        return results;
    }

    private static TensorData required(Map<String, TensorData> outputs, String name) {
        TensorData value = outputs.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the task's output '" + name + "' is missing; outputs: " + outputs.keySet());
        }
        return value;
    }

    private void addScores(TensorData reference, TensorData candidate) {
        checkSameShape(reference, candidate);
        long[] shape = reference.shape();
        int width = (int) shape[shape.length - 1];
        float[] a = reference.toFloatArray();
        float[] b = candidate.toFloatArray();
        classes = width;
        for (int row = 0; row < a.length / width; row++) {
            int expected = argMax(a, row * width, width);
            int[] best = topK(b, row * width, width, Math.min(5, width));
            rows++;
            top1 += best[0] == expected ? 1 : 0;
            top5 += Arrays.stream(best).anyMatch(c -> c == expected) ? 1 : 0;
        }
    }

    private void addMap(TensorData reference, TensorData candidate, double threshold) {
        checkSameShape(reference, candidate);
        float[] a = reference.toFloatArray();
        float[] b = candidate.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            boolean on = a[i] > threshold;
            boolean onToo = b[i] > threshold;
            intersection += on && onToo ? 1 : 0;
            union += on || onToo ? 1 : 0;
        }
        rows++;
    }

    private void addDecodes(TensorData reference, TensorData candidate) {
        checkSameShape(reference, candidate);
        long[] shape = reference.shape();
        int steps = (int) shape[1];
        int width = (int) shape[2];
        float[] a = reference.toFloatArray();
        float[] b = candidate.toFloatArray();
        for (int row = 0; row < shape[0]; row++) {
            rows++;
            top1 += greedyDecode(a, row, steps, width).equals(greedyDecode(b, row, steps, width)) ? 1 : 0;
        }
    }

    /** CTC greedy decode: arg-max per step, repeats collapsed, blanks (class 0) dropped. */
    static List<Integer> greedyDecode(float[] scores, int row, int steps, int width) {
        List<Integer> decoded = new ArrayList<>();
        int previous = -1;
        for (int step = 0; step < steps; step++) {
            int best = argMax(scores, (row * steps + step) * width, width);
            if (best != previous && best != 0) {
                decoded.add(best);
            }
            previous = best;
        }
        return decoded;
    }

    private static void checkSameShape(TensorData reference, TensorData candidate) {
        if (!Arrays.equals(reference.shape(), candidate.shape())) {
            throw new IllegalArgumentException("the task's output changed shape: " + Arrays.toString(reference.shape())
                    + " became " + Arrays.toString(candidate.shape()));
        }
    }

    private static int argMax(float[] values, int from, int width) {
        int best = 0;
        for (int i = 1; i < width; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }

    private static int[] topK(float[] values, int from, int width, int k) {
        Integer[] order = new Integer[width];
        for (int i = 0; i < width; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> x.equals(y) ? 0 : values[from + y] != values[from + x]
                ? Float.compare(values[from + y], values[from + x]) : Integer.compare(x, y));
        int[] best = new int[k];
        for (int i = 0; i < k; i++) {
            best[i] = order[i];
        }
        return best;
    }
}
