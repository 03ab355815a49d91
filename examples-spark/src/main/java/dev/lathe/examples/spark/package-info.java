/**
 * spark-submit applications: calibrate and quantize a model with statistics computed on a cluster and validate
 * it over a whole Dataset ({@link dev.lathe.examples.spark.QuantizeOnSpark}), and the scaling measurement of
 * distributed validation ({@link dev.lathe.examples.spark.ValidationScaling}).
 */
package dev.lathe.examples.spark;
