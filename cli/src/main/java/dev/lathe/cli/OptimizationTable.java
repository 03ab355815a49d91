package dev.lathe.cli;

import static dev.lathe.cli.TextTable.row;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.report.ConversionFidelity;
import dev.lathe.core.report.Cost;
import dev.lathe.core.report.Figures;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * Renders an {@link OptimizationReport} as aligned text for a terminal: a summary (model, inputs, runs),
 * the before/after table with an after/before ratio (static footprint, measurements, cost), fidelity and
 * the validation verdict, the savings, every step, the provider decision in one line, where the
 * optimized model went and the report files. The Markdown and HTML reports of {@code --report} hold more (bytes by data type,
 * fidelity per output, every provider candidate).
 */
final class OptimizationTable {
    private static final String NONE = Figures.NONE;

    private OptimizationTable() {
    }

    /** The whole report, naming the report files written, ending with a line break. */
    static String render(OptimizationReport report, List<Path> reportFiles) {
        BenchmarkResult measured = report.measuredAfter();
        List<String[]> summary = new ArrayList<>();
        summary.add(row("Model", report.model()));
        summary.add(row("Input shapes", TextTable.shapes(report.before().inputShapes())));
        summary.add(row("Calibration", report.data().calibration().map(source -> source.samples() + " samples from "
                + source.description()).orElse("none (no pass read calibration data)")));
        summary.add(row("Validation data", report.data().validation().samples() + " samples from "
                + report.data().validation().description()));
        String before = report.measuredBefore().provider();
        summary.add(row("Runs", measured.latencyMs().runs() + " timed, each model, on " + (before.equals(measured.provider())
                ? measured.provider() : "original: " + before + "; optimized: " + measured.provider())));
        report.conversion().ifPresent(conversion -> summary.add(row("Conversion", "from " + conversion.from()
                + ": max abs error " + Figures.significant(conversion.maxAbsError()) + " on " + conversion.samples()
                + " samples (" + Figures.significant(conversion.relativeError()) + " of the output scale, "
                + (conversion.withinTolerance() ? "within" : "BEYOND") + " the "
                + Figures.significant(ConversionFidelity.TOLERANCE) + " tolerance)")));
        StringBuilder text = new StringBuilder();
        TextTable.appendAligned(text, "", summary, false);
        TextTable.section(text, "Before and after", comparison(report), true);
        TextTable.section(text, "Fidelity (optimized against original, " + samples(report.validation().fidelity())
                + (report.data().validationGenerated() ? " of GENERATED inputs, not real data: pass --data" : "") + ")",
                fidelity(report.validation()), false);
        Cost cost = report.cost();
        TextTable.section(text, "Savings (at " + Figures.money(cost.pricing().pricePerInstanceHour(),
                cost.pricing().currency()) + " per instance-hour: " + cost.pricing().source() + ")", List.of(
                        row("Compute saved", Figures.fraction(cost.computeSavedPercent() / 100) + (cost.withinNoise()
                                ? " (within measurement noise: the two rounds of one model differed by "
                                        + Figures.fraction(cost.noisePercent() / 100) + ")" : "")),
                        row("MACs saved", Figures.fraction(cost.macsSavedPercent() / 100))), true);
        TextTable.section(text, "Steps", steps(report.steps()), false);
        text.append('\n');
        List<String[]> outcome = new ArrayList<>();
        outcome.add(row("Provider", report.provider().summary()));
        outcome.add(row("Output", output(report)));
        reportFiles.forEach(file -> outcome.add(row("Report", file.toString())));
        TextTable.appendAligned(text, "", outcome, false);
        return text.toString();
    }

    private static List<String[]> comparison(OptimizationReport report) {
        Footprint before = report.before();
        Footprint after = report.after();
        BenchmarkResult measuredBefore = report.measuredBefore();
        BenchmarkResult measuredAfter = report.measuredAfter();
        Cost cost = report.cost();
        List<String[]> rows = new ArrayList<>();
        rows.add(row("", "Before", "After", "After/Before"));
        rows.add(compare("Size", before.sizeBytes(), after.sizeBytes(), value -> Figures.bytes((long) value)));
        rows.add(compare("Parameters (float)", before.parameters(), after.parameters(), value -> Figures.count((long) value)));
        rows.add(compare("Quantized weights", before.quantizedParameters(), after.quantizedParameters(),
                value -> Figures.count((long) value)));
        rows.add(compare("MACs", before.complete() ? before.macs() : Double.NaN, after.complete() ? after.macs() : Double.NaN,
                value -> Double.isNaN(value) ? "unknown" : Figures.count((long) value)));
        java.util.TreeSet<String> precisions = new java.util.TreeSet<>(before.macsByPrecision().keySet());
        precisions.addAll(after.macsByPrecision().keySet());
        if (precisions.size() > 1 || !before.macsByPrecision().keySet().equals(after.macsByPrecision().keySet())) {
            for (String precision : precisions) {
                rows.add(compare("  " + precision, before.macsByPrecision().getOrDefault(precision, 0L),
                        after.macsByPrecision().getOrDefault(precision, 0L), value -> Figures.count((long) value)));
            }
        }
        rows.add(compare("Latency p50", measuredBefore.latencyMs().p50(), measuredAfter.latencyMs().p50(), Figures::exactMillis));
        rows.add(compare("Latency p90", measuredBefore.latencyMs().p90(), measuredAfter.latencyMs().p90(), Figures::exactMillis));
        rows.add(compare("Latency p99", measuredBefore.latencyMs().p99(), measuredAfter.latencyMs().p99(), Figures::exactMillis));
        rows.add(compare("Throughput", measuredBefore.throughputPerSec(), measuredAfter.throughputPerSec(),
                Figures::throughput));
        long memoryBefore = measuredBefore.peakMemoryBytes();
        long memoryAfter = measuredAfter.peakMemoryBytes();
        rows.add(memoryBefore < 0 || memoryAfter < 0
                ? row("Peak memory", "not measured", "not measured", NONE)
                : compare("Peak memory (" + measuredAfter.memoryMethod() + ")", memoryBefore, memoryAfter,
                        value -> Figures.bytes((long) value)));
        rows.add(compare("Session init", measuredBefore.sessionInitMs(), measuredAfter.sessionInitMs(), Figures::exactMillis));
        rows.add(row("Sparsity", Figures.fraction(before.sparsity()), Figures.fraction(after.sparsity()), NONE));
        rows.add(compare("Cost per million", cost.costPerMillionBefore(), cost.costPerMillionAfter(),
                value -> Figures.money(value, cost.pricing().currency())));
        return rows;
    }

    private static String[] compare(String label, double before, double after, DoubleFunction<String> format) {
        return row(label, format.apply(before), format.apply(after), Figures.ratio(before, after));
    }

    private static List<String[]> fidelity(ValidationOutcome validation) {
        Fidelity fidelity = validation.fidelity();
        List<String[]> rows = new ArrayList<>();
        validation.taskMetrics().forEach((name, value) -> rows.add(row(name + " (" + validation.task() + ")",
                Figures.cosine(value))));
        rows.add(row("Cosine mean", Figures.cosine(fidelity.cosineMean())));
        rows.add(row("Cosine min", Figures.cosine(fidelity.cosineMin())));
        rows.add(row("Max abs error", Figures.significant(fidelity.maxAbsError())));
        rows.add(row("Validation", verdict(validation)));
        return rows;
    }

    /** Whether the gate held and, if not, each threshold it missed and what became of the model. */
    private static String verdict(ValidationOutcome validation) {
        if (!validation.checked()) {
            return "not checked (no thresholds)";
        }
        if (validation.passed()) {
            return "passed (" + String.join("; ", validation.thresholds()) + ")";
        }
        return "FAILED (" + String.join("; ", validation.failures()) + ")"
                + (validation.writtenDespiteFailure() ? ", written anyway on request" : ", not written");
    }

    private static List<String[]> steps(List<StepRecord> steps) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("#", "Step", "Options", "Duration", "Status", "Details"));
        int index = 1;
        for (StepRecord step : steps) {
            rows.add(row(Integer.toString(index++), step.name(), pairs(step.config()), Figures.exactMillis(step.durationMs()),
                    step.status().name().toLowerCase(Locale.ROOT), pairs(step.details())));
        }
        return rows;
    }

    private static String output(OptimizationReport report) {
        if (report.output().isEmpty()) {
            return "not written (validation failed)";
        }
        return report.output().get()
                + (report.validation().writtenDespiteFailure() ? " (written although validation FAILED, on request)" : "");
    }

    private static String samples(Fidelity fidelity) {
        return fidelity.samples() + (fidelity.samples() == 1 ? " sample" : " samples");
    }

    private static String pairs(Map<String, ?> map) {
        return map.isEmpty() ? NONE : map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
