package dev.lathe.core.runtime;

import java.util.OptionalDouble;

/**
 * How closely one output of a candidate model follows the same output of a reference model, over the
 * same input samples.
 *
 * @param output         the output's name
 * @param maxAbsError    largest absolute difference of any element in any sample
 * @param meanAbsError   mean absolute difference over all elements of all samples
 * @param cosineMean     mean over samples of the cosine similarity of the whole output tensor
 * @param cosineMin      worst sample's cosine similarity
 * @param top1Agreement  for classifier-shaped outputs ([batch, classes]), the fraction of rows whose
 *                       arg-max class agrees; empty for other outputs
 */
public record OutputFidelity(String output, double maxAbsError, double meanAbsError, double cosineMean,
        double cosineMin, OptionalDouble top1Agreement) {
}
