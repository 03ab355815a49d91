/**
 * What executors keep between tasks: models shipped as bytes and, per executor JVM, one open ONNX Runtime
 * session per model, reused by every task that needs it.
 */
package dev.lathe.spark.executor;
