/**
 * What a model is for and how to judge an optimized copy of it: {@link dev.lathe.core.task.Task} (sentence
 * embedding, classifier, dense map, CTC sequence, generic; detected from the model) and
 * {@link dev.lathe.core.task.TaskMetrics} (mean-pooled embedding cosine and nearest-neighbour overlap, top-k
 * agreement, map IoU, greedy-decode agreement), metrics that expose damage a whole-tensor cosine hides.
 */
package dev.lathe.core.task;
