package dev.lathe.cli;

import static dev.lathe.cli.TextTable.row;

import dev.lathe.core.report.Figures;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.selection.ProviderDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Renders a {@link BenchReport} as aligned text for a terminal: a summary (model, provider, inputs, runs,
 * session creation, latency percentiles, throughput, peak memory), the provider decision with the reason
 * for every candidate and, when profiled, the op types that took the most time.
 */
final class BenchTable {
    /** The timed figures of a benchmark, in report order, with their labels and formats. */
    static final List<Figure> FIGURES = List.of(
            new Figure("Session init", BenchmarkResult::sessionInitMs, Figures::exactMillis),
            new Figure("Latency mean", r -> r.latencyMs().mean(), Figures::exactMillis),
            new Figure("Latency p50", r -> r.latencyMs().p50(), Figures::exactMillis),
            new Figure("Latency p90", r -> r.latencyMs().p90(), Figures::exactMillis),
            new Figure("Latency p99", r -> r.latencyMs().p99(), Figures::exactMillis),
            new Figure("Throughput", BenchmarkResult::throughputPerSec, Figures::throughput));
    private static final int TOP_OP_TYPES = 10;

    /**
     * One figure of a benchmark result.
     *
     * @param label  its name in reports
     * @param value  reads it off a result
     * @param format writes it with its unit
     */
    record Figure(String label, ToDoubleFunction<BenchmarkResult> value, DoubleFunction<String> format) {

        /** The figure of a result, with its unit. */
        String of(BenchmarkResult result) {
            return format.apply(value.applyAsDouble(result));
        }
    }

    private BenchTable() {
    }

    /** The whole report, ending with a line break. */
    static String render(BenchReport report) {
        BenchmarkResult result = report.result();
        List<String[]> summary = new ArrayList<>();
        summary.add(row("Model", report.model()));
        summary.add(row("Provider", provider(report.decision())));
        summary.add(row("Input shapes", TextTable.shapes(report.inputShapes())));
        summary.add(row("Runs", runs(report.options())));
        for (Figure figure : FIGURES) {
            summary.add(row(figure.label(), figure.of(result)));
        }
        summary.add(row("Peak memory", result.peakMemoryBytes() < 0 ? "not measured"
                : Figures.bytesAndExact(result.peakMemoryBytes()) + ", " + memoryMethod(result.memoryMethod())));
        StringBuilder text = new StringBuilder();
        TextTable.appendAligned(text, "", summary, false);
        appendDecision(text, report.decision());
        if (report.options().profile()) {
            TextTable.section(text, "Time by op type (per run)", opTypes(result.timeByOpTypeMs()), true);
        }
        return text.toString();
    }

    /** The selected provider and the policy that chose it, e.g. {@code cpu (4 threads), policy prefer}. */
    static String provider(ProviderDecision decision) {
        return decision.selected().describe() + ", policy " + decision.policy();
    }

    /** The run counts, e.g. {@code 100 timed after 10 warm-up}. */
    static String runs(BenchmarkOptions options) {
        return options.timedRuns() + " timed after " + options.warmupRuns() + " warm-up";
    }

    /** Appends the section that gives every candidate provider and why it was or was not selected. */
    static void appendDecision(StringBuilder text, ProviderDecision decision) {
        List<String[]> rows = new ArrayList<>();
        for (ProviderDecision.Candidate candidate : decision.candidates()) {
            String median = candidate.medianLatencyMs().isPresent()
                    ? " (median " + Figures.exactMillis(candidate.medianLatencyMs().getAsDouble()) + ")" : "";
            String outcome = candidate.selected() ? "selected: " : "";
            rows.add(row(candidate.provider(), outcome + candidate.reason() + median));
        }
        TextTable.section(text, "Provider decision (policy " + decision.policy() + ")", rows, false);
    }

    private static String memoryMethod(String method) {
        return switch (method) {
            case "forked" -> "measured in a child JVM";
            case "in-process" -> "measured in this process";
            default -> "measured " + method;
        };
    }

    /** The slowest op types, the rest summed in one row. */
    private static List<String[]> opTypes(Map<String, Double> byOpType) {
        double sum = byOpType.values().stream().mapToDouble(Double::doubleValue).sum();
        double total = sum > 0 ? sum : 1;
        List<String[]> rows = new ArrayList<>();
        double rest = 0;
        int index = 0;
        for (Map.Entry<String, Double> entry : byOpType.entrySet()) {
            if (index++ < TOP_OP_TYPES) {
                rows.add(row(entry.getKey(), Figures.exactMillis(entry.getValue()), Figures.fraction(entry.getValue() / total)));
            } else {
                rest += entry.getValue();
            }
        }
        if (byOpType.size() > TOP_OP_TYPES) {
            rows.add(row("(" + (byOpType.size() - TOP_OP_TYPES) + " other op types)", Figures.exactMillis(rest),
                    Figures.fraction(rest / total)));
        }
        return rows;
    }
}
