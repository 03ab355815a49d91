/**
 * Distributed validation: the original and the optimized model run side by side on the executors, each
 * partition sums its part of the fidelity and the task's metrics, and the driver merges the parts exactly and
 * judges them with the pipeline's gate.
 */
package dev.lathe.spark.validation;
