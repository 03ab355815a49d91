package dev.lathe.core.pipeline;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.report.OptimizationReport;
import java.nio.file.Path;

/**
 * What a pipeline run produced.
 *
 * @param output    where the optimized model was written
 * @param optimized the optimized model (as written, provenance included)
 * @param report    the before/after report
 */
public record PipelineResult(Path output, OnnxModel optimized, OptimizationReport report) {
}
