package dev.lathe.core.report;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.selection.ProviderDecision;
import java.util.List;
import java.util.Optional;

/**
 * Everything one optimization run found out: the footprint before and after (static and measured on the
 * selected provider), each step, the provider decision, the validation outcome and the cost. Rendered as
 * JSON ({@link ReportJson}), Markdown ({@link ReportMarkdown}) or HTML ({@link ReportHtml}).
 *
 * @param latheVersion   the Lathe version that produced it
 * @param model          the input model's name or path
 * @param output         where the optimized model was written; empty when it was not
 * @param before         static footprint of the input model
 * @param after          static footprint of the optimized model
 * @param measuredBefore the input model measured on the selected provider
 * @param measuredAfter  the optimized model measured the same way
 * @param steps          the steps in order
 * @param provider       how the provider was chosen
 * @param validation     the validation gate's outcome
 * @param data           where the calibration and validation samples came from
 * @param cost           cost per million inferences before and after
 * @param conversion     for a model converted from another framework: how closely the conversion matches
 *                       the original (then "before" was measured in the original's runtime)
 */
public record OptimizationReport(String latheVersion, String model, Optional<String> output, Footprint before,
        Footprint after, BenchmarkResult measuredBefore, BenchmarkResult measuredAfter, List<StepRecord> steps,
        ProviderDecision provider, ValidationOutcome validation, DataSources data, Cost cost,
        Optional<ConversionFidelity> conversion) {

    /** Copies the step list. */
    public OptimizationReport {
        steps = List.copyOf(steps);
    }

    /** The same report, recording where the model was written and how validation ended. */
    public OptimizationReport written(String path, ValidationOutcome finalValidation) {
        return new OptimizationReport(latheVersion, model, Optional.of(path), before, after, measuredBefore, measuredAfter,
                steps, provider, finalValidation, data, cost, conversion);
    }
}
