/**
 * Runnable benchmarks. {@link dev.lathe.bench.QuantizationComparison} measures Lathe's quantization recipes
 * against the fp32 all-MiniLM-L6-v2 encoder and the twin made by ONNX Runtime's Python quantizer, on the
 * English sentences this module ships: size, single-thread latency, embedding cosine and nearest-neighbour
 * overlap, next to the targets of the quantization issue.
 */
package dev.lathe.bench;
