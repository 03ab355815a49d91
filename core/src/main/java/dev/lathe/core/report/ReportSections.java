package dev.lathe.core.report;

import static dev.lathe.core.report.TextTable.number;
import static dev.lathe.core.report.TextTable.text;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.OutputFidelity;
import dev.lathe.core.selection.ProviderDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * What the Markdown and HTML reports say, as plain sentences and {@link TextTable}s, so that both formats
 * show the same figures in the same order; the renderers only add markup and escaping.
 */
final class ReportSections {
    /** Shown in place of the output path when the model was not written. */
    static final String NOT_WRITTEN = "(not written)";

    private final OptimizationReport report;

    /**
     * One headline change, for the top of a report.
     *
     * @param label    what changed ("Size", "MACs", ...)
     * @param before   the formatted value before
     * @param after    the formatted value after
     * @param change   the relative change, e.g. {@code −74.6 %}
     * @param improved whether the value went down (every headline figure is better lower)
     */
    record Headline(String label, String before, String after, String change, boolean improved) {
    }

    /** The sections of {@code report}. */
    ReportSections(OptimizationReport report) {
        this.report = report;
    }

    /** The report itself. */
    OptimizationReport report() {
        return report;
    }

    /** Where the optimized model was written, or {@link #NOT_WRITTEN}. */
    String output() {
        return report.output().orElse(NOT_WRITTEN);
    }

    /** The title: input model → output model. */
    String title() {
        return report.model() + " → " + output();
    }

    /** The loud warning for a model written although the validation gate failed; empty otherwise. */
    Optional<String> warning() {
        if (!report.validation().writtenDespiteFailure()) {
            return Optional.empty();
        }
        return Optional.of("WARNING: the validation gate FAILED and the model was written anyway, on request. "
                + "Check the failures below before using it.");
    }

    /** How and where the models were measured, and for which input shapes. */
    String measurement() {
        BenchmarkResult after = report.measuredAfter();
        String memory = after.peakMemoryBytes() < 0 || "none".equals(after.memoryMethod())
                ? "peak memory not measured" : "peak memory measured " + after.memoryMethod();
        String shapes = report.before().inputShapes().entrySet().stream()
                .map(e -> e.getKey() + " " + dims(e.getValue()))
                .collect(Collectors.joining(", "));
        String where = report.measuredBefore().provider().equals(after.provider()) ? "Measured on " + after.provider()
                : "Original measured on " + report.measuredBefore().provider() + ", optimized on " + after.provider();
        return where + ": " + after.latencyMs().runs() + " timed runs per model, " + memory
                + ". Input shapes: " + (shapes.isEmpty() ? Figures.NONE : shapes) + ".";
    }

    /** One sentence on the conversion from another framework; empty for a model that was ONNX already. */
    Optional<String> conversionSummary() {
        return report.conversion().map(c -> "Converted from a " + c.from() + " to ONNX, checked against the original on "
                + c.samples() + " samples: max abs error " + Figures.significant(c.maxAbsError()) + " ("
                + Figures.significant(c.relativeError()) + " of the output scale " + Figures.significant(c.outputScale())
                + ", worst output " + c.worstOutput() + "; tolerance " + Figures.significant(ConversionFidelity.TOLERANCE)
                + (c.withinTolerance() ? ", met" : ", NOT MET") + "). \"Before\" is the original, measured in its own runtime.");
    }

    /** The headline changes: size, MACs, median latency and cost per million inferences. */
    List<Headline> headlines() {
        Footprint before = report.before();
        Footprint after = report.after();
        double p50Before = report.measuredBefore().latencyMs().p50();
        double p50After = report.measuredAfter().latencyMs().p50();
        Cost cost = report.cost();
        String currency = cost.pricing().currency();
        return List.of(
                headline("Size", before.sizeBytes(), after.sizeBytes(), Figures.bytes(before.sizeBytes()),
                        Figures.bytes(after.sizeBytes())),
                headline("MACs", macsValue(before), macsValue(after), macsText(before), macsText(after)),
                headline("Latency p50", p50Before, p50After, Figures.millis(p50Before), Figures.millis(p50After)),
                headline("Cost per million", cost.costPerMillionBefore(), cost.costPerMillionAfter(),
                        Figures.money(cost.costPerMillionBefore(), currency),
                        Figures.money(cost.costPerMillionAfter(), currency)));
    }

    /**
     * The before/after table: static footprint (MACs also by precision), measurements, sparsity and bytes by
     * data type.
     */
    TextTable comparison() {
        Footprint before = report.before();
        Footprint after = report.after();
        BenchmarkResult measuredBefore = report.measuredBefore();
        BenchmarkResult measuredAfter = report.measuredAfter();
        TextTable table = TextTable.of(text("Metric"), number("Before"), number("After"), number("Ratio"),
                number("Change"));
        compare(table, "Size", before.sizeBytes(), after.sizeBytes(), value -> Figures.bytes((long) value));
        compare(table, "Parameters (float)", before.parameters(), after.parameters(), value -> Figures.count((long) value));
        compare(table, "Quantized weights", before.quantizedParameters(), after.quantizedParameters(),
                value -> Figures.count((long) value));
        table.row("MACs", macsText(before), macsText(after), Figures.ratio(macsValue(before), macsValue(after)),
                Figures.change(macsValue(before), macsValue(after)));
        TreeSet<String> precisions = new TreeSet<>(before.macsByPrecision().keySet());
        precisions.addAll(after.macsByPrecision().keySet());
        for (String precision : precisions) {
            compare(table, "MACs " + precision, before.macsByPrecision().getOrDefault(precision, 0L),
                    after.macsByPrecision().getOrDefault(precision, 0L), value -> Figures.count((long) value));
        }
        compare(table, "Latency p50", measuredBefore.latencyMs().p50(), measuredAfter.latencyMs().p50(), Figures::millis);
        compare(table, "Latency p90", measuredBefore.latencyMs().p90(), measuredAfter.latencyMs().p90(), Figures::millis);
        compare(table, "Latency p99", measuredBefore.latencyMs().p99(), measuredAfter.latencyMs().p99(), Figures::millis);
        compare(table, "Throughput", measuredBefore.throughputPerSec(), measuredAfter.throughputPerSec(),
                Figures::throughput);
        long memoryBefore = measuredBefore.peakMemoryBytes();
        long memoryAfter = measuredAfter.peakMemoryBytes();
        if (memoryBefore < 0 || memoryAfter < 0) {
            table.row("Peak memory", Figures.bytes(memoryBefore), Figures.bytes(memoryAfter), Figures.NONE, Figures.NONE);
        } else {
            compare(table, "Peak memory", memoryBefore, memoryAfter, value -> Figures.bytes((long) value));
        }
        compare(table, "Session init", measuredBefore.sessionInitMs(), measuredAfter.sessionInitMs(), Figures::millis);
        table.row("Sparsity", Figures.fraction(before.sparsity()), Figures.fraction(after.sparsity()), Figures.NONE,
                Figures.pointChange(before.sparsity(), after.sparsity()));
        TreeSet<String> types = new TreeSet<>(before.bytesByDataType().keySet());
        types.addAll(after.bytesByDataType().keySet());
        for (String type : types) {
            compare(table, "Bytes " + type, before.bytesByDataType().getOrDefault(type, 0L),
                    after.bytesByDataType().getOrDefault(type, 0L), value -> Figures.bytes((long) value));
        }
        return table;
    }

    /** One sentence with the aggregate fidelity figures. */
    String fidelitySummary() {
        Fidelity fidelity = report.validation().fidelity();
        return "Optimized against original on " + fidelity.samples() + " samples: cosine similarity mean "
                + Figures.cosine(fidelity.cosineMean()) + ", min " + Figures.cosine(fidelity.cosineMin())
                + "; absolute error max " + Figures.significant(fidelity.maxAbsError()) + ", mean "
                + Figures.significant(fidelity.meanAbsError()) + " (worst output for each figure).";
    }

    /** Fidelity per output. */
    TextTable fidelityByOutput() {
        TextTable table = TextTable.of(text("Output"), number("Cosine mean"), number("Cosine min"),
                number("Max abs error"), number("Mean abs error"), number("Top-1 agreement"));
        for (OutputFidelity output : report.validation().fidelity().outputs()) {
            table.row(output.output(), Figures.cosine(output.cosineMean()), Figures.cosine(output.cosineMin()),
                    Figures.significant(output.maxAbsError()), Figures.significant(output.meanAbsError()),
                    output.top1Agreement().isPresent() ? Figures.fraction(output.top1Agreement().getAsDouble())
                            : Figures.NONE);
        }
        return table;
    }

    /** One sentence: whether the validation gate passed (or checked nothing), and what became of the model. */
    String validationVerdict() {
        ValidationOutcome validation = report.validation();
        String on = report.data().validationGenerated() ? " (on GENERATED inputs, not real data)" : "";
        if (!validation.checked()) {
            return "Not checked: no thresholds were set, fidelity was only measured" + on + ".";
        }
        if (validation.passed()) {
            return "Passed: every threshold held" + on + " (" + String.join("; ", validation.thresholds()) + ").";
        }
        int count = validation.failures().size();
        return "FAILED: " + count + (count == 1 ? " threshold" : " thresholds") + " did not hold" + on + "; "
                + (validation.writtenDespiteFailure() ? "the model was written anyway, on request."
                        : "the model was not written.");
    }

    /** Where the calibration and validation samples came from, one sentence each. */
    List<String> dataSources() {
        DataSources data = report.data();
        String calibration = data.calibration().map(source -> "Calibration: " + source.samples() + " samples from "
                + source.description() + (source.generated() ? " (GENERATED inputs, not real data)." : "."))
                .orElse("Calibration: none (no pass read calibration data).");
        DataSources.Source validation = data.validation();
        String held = validation.generated()
                ? " (GENERATED inputs: fidelity was NOT measured on real data; pass real samples with --data)."
                : ".";
        return List.of(calibration, "Validation: " + validation.samples() + " samples from " + validation.description()
                + held);
    }

    /** The task's metrics, optimized against original; no rows for a generic task. */
    TextTable taskMetrics() {
        TextTable table = TextTable.of(text("Metric (" + report.validation().task() + ")"), number("Value"));
        report.validation().taskMetrics().forEach((name, value) -> table.row(name, Figures.cosine(value)));
        return table;
    }

    /** One line per threshold that did not hold. */
    List<String> failures() {
        return report.validation().failures();
    }

    /** Evaluator metrics by name, original against optimized; no rows when there were none. */
    TextTable evaluatorMetrics() {
        TextTable table = TextTable.of(text("Metric"), number("Original"), number("Optimized"), number("Change"));
        new TreeMap<>(report.validation().metrics()).forEach((name, values) -> table.row(name,
                Figures.significant(values[0]), Figures.significant(values[1]), Figures.change(values[0], values[1])));
        return table;
    }

    /** One sentence: the provider chosen and by which policy. */
    String providerSummary() {
        ProviderDecision provider = report.provider();
        return "Selected " + provider.selected().describe() + " by the " + provider.policy() + " policy.";
    }

    /** Every candidate provider and why it won or lost. */
    TextTable providerCandidates() {
        TextTable table = TextTable.of(text("Candidate"), text("Available"), text("Selected"), number("Median latency"),
                text("Reason"));
        for (ProviderDecision.Candidate candidate : report.provider().candidates()) {
            table.row(candidate.provider(), yesNo(candidate.available()), yesNo(candidate.selected()),
                    candidate.medianLatencyMs().isPresent() ? Figures.millis(candidate.medianLatencyMs().getAsDouble())
                            : Figures.NONE,
                    candidate.reason());
        }
        return table;
    }

    /** The price used, cost per million inferences before and after, and what was saved. */
    TextTable cost() {
        Cost cost = report.cost();
        String currency = cost.pricing().currency();
        return TextTable.of(text("Item"), text("Value"))
                .row("Price per instance-hour", Figures.money(cost.pricing().pricePerInstanceHour(), currency))
                .row("Price source", cost.pricing().source())
                .row("Cost per million inferences, before", Figures.money(cost.costPerMillionBefore(), currency))
                .row("Cost per million inferences, after", Figures.money(cost.costPerMillionAfter(), currency))
                .row("Compute saved", Figures.percent(cost.computeSavedPercent())
                        + (cost.withinNoise() ? " (within measurement noise)" : ""))
                .row("Measurement noise", Figures.percent(cost.noisePercent()))
                .row("MACs saved", Figures.percent(cost.macsSavedPercent()));
    }

    /** Every step with its options, time, status, footprint after it and details. */
    TextTable steps() {
        TextTable table = TextTable.of(number("#"), text("Step"), text("Options"), number("Duration"), text("Status"),
                number("MACs after"), number("Parameters after"), number("Size after"), text("Details"));
        int index = 1;
        for (StepRecord step : report.steps()) {
            Footprint after = step.after();
            table.row(Integer.toString(index++), step.name(), pairs(step.config()), Figures.millis(step.durationMs()),
                    step.status().name().toLowerCase(Locale.ROOT),
                    after == null ? Figures.NONE : Figures.count(after.macs()),
                    after == null ? Figures.NONE : Figures.count(after.parameters()),
                    after == null ? Figures.NONE : Figures.bytes(after.sizeBytes()),
                    pairs(step.details()));
        }
        return table;
    }

    /** The MACs, or NaN when the footprint could not count them all. */
    private static double macsValue(Footprint footprint) {
        return footprint.complete() ? footprint.macs() : Double.NaN;
    }

    /** The MACs as text, {@code unknown} when the footprint could not count them all. */
    private static String macsText(Footprint footprint) {
        return footprint.complete() ? Figures.count(footprint.macs()) : "unknown";
    }

    private static Headline headline(String label, double before, double after, String beforeText, String afterText) {
        return new Headline(label, beforeText, afterText, Figures.change(before, after), after < before);
    }

    private static void compare(TextTable table, String label, double before, double after,
            DoubleFunction<String> format) {
        table.row(label, format.apply(before), format.apply(after), Figures.ratio(before, after),
                Figures.change(before, after));
    }

    private static String dims(long[] shape) {
        List<String> dims = new ArrayList<>();
        for (long dim : shape) {
            dims.add(Long.toString(dim));
        }
        return dims.isEmpty() ? "scalar" : String.join("×", dims);
    }

    private static String pairs(Map<String, ?> map) {
        if (map.isEmpty()) {
            return Figures.NONE;
        }
        return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
