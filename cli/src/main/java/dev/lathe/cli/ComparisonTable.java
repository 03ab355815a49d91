package dev.lathe.cli;

import static dev.lathe.cli.TextTable.row;

import dev.lathe.core.report.Figures;
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
    private static final String NONE = Figures.NONE;

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
            outputs.add(row(output.output(), Figures.cosine(output.cosineMean()), Figures.cosine(output.cosineMin()),
                    Figures.significant(output.maxAbsError()), Figures.significant(output.meanAbsError()),
                    output.top1Agreement().isPresent() ? Figures.fraction(output.top1Agreement().getAsDouble()) : NONE));
        }
        if (fidelity.outputs().size() > 1) {
            outputs.add(row("(worst)", Figures.cosine(fidelity.cosineMean()), Figures.cosine(fidelity.cosineMin()),
                    Figures.significant(fidelity.maxAbsError()), Figures.significant(fidelity.meanAbsError()), NONE));
        }
        TextTable.section(text, "Fidelity of B against A (" + fidelity.samples()
                + (fidelity.samples() == 1 ? " sample)" : " samples)"), outputs, true);
        if (!comparison.taskMetrics().isEmpty()) {
            List<String[]> metrics = new ArrayList<>();
            comparison.taskMetrics().forEach((name, value) -> metrics.add(row(name, Figures.cosine(value))));
            TextTable.section(text, "Task metrics of B against A (" + comparison.task() + ")", metrics, false);
        }

        BenchmarkResult a = comparison.a();
        BenchmarkResult b = comparison.b();
        List<String[]> figures = new ArrayList<>();
        figures.add(row("", "A", "B", "B/A"));
        for (BenchTable.Figure figure : BenchTable.FIGURES) {
            figures.add(row(figure.label(), figure.of(a), figure.of(b),
                    Figures.ratio(figure.value().applyAsDouble(a), figure.value().applyAsDouble(b))));
        }
        boolean memory = a.peakMemoryBytes() >= 0 && b.peakMemoryBytes() >= 0;
        figures.add(row(memory ? "Peak memory (" + a.memoryMethod() + ")" : "Peak memory (not measured)",
                memory ? Figures.bytes(a.peakMemoryBytes()) : NONE,
                memory ? Figures.bytes(b.peakMemoryBytes()) : NONE,
                memory ? Figures.ratio(a.peakMemoryBytes(), b.peakMemoryBytes()) : NONE));
        TextTable.section(text, "Measurements", figures, true);
        BenchTable.appendDecision(text, comparison.decision());
        return text.toString();
    }
}
