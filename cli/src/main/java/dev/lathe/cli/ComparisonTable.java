package dev.lathe.cli;

import static dev.lathe.cli.TextTable.row;

import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.OutputFidelity;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link Comparison} as aligned text for a terminal: a summary (models, provider, inputs, runs),
 * the fidelity of B against A per output, the measurements of both models side by side with B/A ratios,
 * and the provider decision.
 */
final class ComparisonTable {
    private static final String NONE = "-";

    private ComparisonTable() {
    }

    /** The whole report, ending with a line break. */
    static String render(Comparison comparison) {
        List<String[]> summary = new ArrayList<>();
        summary.add(row("Model A", comparison.modelA()));
        summary.add(row("Model B", comparison.modelB()));
        summary.add(row("Provider", BenchTable.provider(comparison.decision())));
        summary.add(row("Input shapes", TextTable.shapes(comparison.inputShapes())));
        summary.add(row("Samples", comparison.samples()));
        summary.add(row("Runs", BenchTable.runs(comparison.options()) + ", each model"));
        StringBuilder text = new StringBuilder();
        TextTable.appendAligned(text, "", summary, false);

        Fidelity fidelity = comparison.fidelity();
        List<String[]> outputs = new ArrayList<>();
        outputs.add(row("Output", "Cosine mean", "Cosine min", "Max abs error", "Mean abs error", "Top-1"));
        for (OutputFidelity output : fidelity.outputs()) {
            outputs.add(row(output.output(), Units.decimal(output.cosineMean()), Units.decimal(output.cosineMin()),
                    Units.decimal(output.maxAbsError()), Units.decimal(output.meanAbsError()),
                    output.top1Agreement().isPresent() ? Units.percent(output.top1Agreement().getAsDouble()) : NONE));
        }
        if (fidelity.outputs().size() > 1) {
            outputs.add(row("(worst)", Units.decimal(fidelity.cosineMean()), Units.decimal(fidelity.cosineMin()),
                    Units.decimal(fidelity.maxAbsError()), Units.decimal(fidelity.meanAbsError()), NONE));
        }
        TextTable.section(text, "Fidelity of B against A (" + fidelity.samples()
                + (fidelity.samples() == 1 ? " sample)" : " samples)"), outputs, true);
        if (!comparison.taskMetrics().isEmpty()) {
            List<String[]> metrics = new ArrayList<>();
            comparison.taskMetrics().forEach((name, value) -> metrics.add(row(name, Units.decimal(value))));
            TextTable.section(text, "Task metrics of B against A (" + comparison.task() + ")", metrics, false);
        }

        BenchmarkResult a = comparison.a();
        BenchmarkResult b = comparison.b();
        List<String[]> figures = new ArrayList<>();
        figures.add(row("", "A", "B", "B/A"));
        for (BenchTable.Figure figure : BenchTable.FIGURES) {
            figures.add(row(figure.label(), figure.of(a), figure.of(b),
                    Units.ratio(figure.value().applyAsDouble(b) / figure.value().applyAsDouble(a))));
        }
        boolean memory = a.peakMemoryBytes() >= 0 && b.peakMemoryBytes() >= 0;
        figures.add(row(memory ? "Peak memory (" + a.memoryMethod() + ")" : "Peak memory (not measured)",
                memory ? Units.roundedMegabytes(a.peakMemoryBytes()) : NONE,
                memory ? Units.roundedMegabytes(b.peakMemoryBytes()) : NONE,
                memory ? Units.ratio((double) b.peakMemoryBytes() / a.peakMemoryBytes()) : NONE));
        TextTable.section(text, "Measurements", figures, true);
        BenchTable.appendDecision(text, comparison.decision());
        return text.toString();
    }
}
