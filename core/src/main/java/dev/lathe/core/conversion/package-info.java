/**
 * Models from other frameworks, converted to ONNX and still open in their own runtime
 * ({@link dev.lathe.core.conversion.ImportedModel}), found through importers on the class path
 * ({@link dev.lathe.core.conversion.ModelImporters}); the pipeline optimizes them and reports the original
 * as "before".
 */
package dev.lathe.core.conversion;
