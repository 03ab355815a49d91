/**
 * Real data for Lathe through DJL: {@link dev.lathe.djl.DataFiles} opens a file or folder of text, images,
 * WAV audio or NumPy arrays as model input samples, by kind; the subpackages hold each kind and the bridge
 * that serves a model through DJL's ONNX Runtime engine.
 */
package dev.lathe.djl;
