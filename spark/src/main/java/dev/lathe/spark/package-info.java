/**
 * Lathe on Apache Spark: {@link dev.lathe.spark.LatheSpark} computes calibration statistics on executors and
 * merges them exactly, validates an optimized model against the original over a Dataset of any size with
 * exactly aggregated metrics, and hands the pipeline a calibration source whose statistics come from the
 * cluster.
 */
package dev.lathe.spark;
