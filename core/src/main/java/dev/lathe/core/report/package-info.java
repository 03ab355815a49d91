/**
 * The report of an optimization run ({@link dev.lathe.core.report.OptimizationReport}: footprints, steps,
 * provider decision, validation, data sources, cost) and its renderings as JSON (a stable schema, see
 * {@code docs/report-schema.md}), Markdown and a self-contained HTML page
 * ({@link dev.lathe.core.report.ReportWriter}, written atomically).
 */
package dev.lathe.core.report;
