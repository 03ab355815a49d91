/**
 * Distributed calibration: each partition runs the probe on its texts with its executor's cached session and
 * computes its part of the statistics; the driver merges the parts exactly.
 */
package dev.lathe.spark.calibration;
