/**
 * Data on a cluster: texts in a Spark {@code Dataset<String>}, tokenized on the executors (DJL's HuggingFace
 * tokenizer), as a calibration source whose statistics are computed where the texts are.
 */
package dev.lathe.spark.data;
