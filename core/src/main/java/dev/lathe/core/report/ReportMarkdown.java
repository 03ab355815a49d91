package dev.lathe.core.report;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The report as Markdown (GitHub flavour), for pull requests and terminals: a title with the input and
 * output model, the headline changes, a before/after table with ratio and change, then fidelity,
 * validation, provider, cost and the steps. Table cells escape pipe characters; line breaks inside values
 * become spaces, and a {@code <} that could start an HTML tag is backslash-escaped. The same report always gives the same text.
 */
public final class ReportMarkdown {
    private static final Pattern TAG_START = Pattern.compile("<(?=[A-Za-z/!?])");

    private ReportMarkdown() {
    }

    /** The report as Markdown text, ending with a line break. */
    public static String render(OptimizationReport report) {
        ReportSections sections = new ReportSections(report);
        StringBuilder md = new StringBuilder();
        md.append("# Lathe report: ").append(line(sections.title())).append("\n\n");
        sections.warning().ifPresent(warning -> md.append("> **⚠ ").append(line(warning)).append("**\n\n"));
        md.append("Lathe ").append(line(report.latheVersion())).append(". ").append(line(sections.measurement()))
                .append("\n\n");
        for (ReportSections.Headline headline : sections.headlines()) {
            md.append("- **").append(headline.label()).append(":** ").append(headline.before()).append(" → ")
                    .append(headline.after()).append(" (").append(headline.change()).append(")\n");
        }

        md.append("\n## Before and after\n\n");
        table(md, sections.comparison());

        md.append("\n## Data\n\n");
        sections.dataSources().forEach(source -> md.append("- ").append(line(source)).append('\n'));

        sections.conversionSummary().ifPresent(summary -> md.append("\n## Conversion\n\n").append(line(summary)).append('\n'));
        md.append("\n## Fidelity\n\n").append(line(sections.fidelitySummary())).append("\n\n");
        TextTable task = sections.taskMetrics();
        if (!task.rows().isEmpty()) {
            table(md, task);
            md.append('\n');
        }
        table(md, sections.fidelityByOutput());

        md.append("\n## Validation\n\n**").append(line(sections.validationVerdict())).append("**\n");
        List<String> failures = sections.failures();
        if (!failures.isEmpty()) {
            md.append('\n');
            failures.forEach(failure -> md.append("- ").append(line(failure)).append('\n'));
        }
        TextTable metrics = sections.evaluatorMetrics();
        md.append("\nEvaluator metrics:").append(metrics.rows().isEmpty() ? " none.\n" : "\n\n");
        if (!metrics.rows().isEmpty()) {
            table(md, metrics);
        }

        md.append("\n## Provider\n\n").append(line(sections.providerSummary())).append("\n\n");
        table(md, sections.providerCandidates());

        md.append("\n## Cost\n\n");
        table(md, sections.cost());

        md.append("\n## Steps\n\n");
        TextTable steps = sections.steps();
        if (steps.rows().isEmpty()) {
            md.append("No steps ran.\n");
        } else {
            table(md, steps);
        }
        return md.toString();
    }

    private static void table(StringBuilder md, TextTable table) {
        md.append('|');
        table.columns().forEach(column -> md.append(' ').append(cell(column.header())).append(" |"));
        md.append("\n|");
        table.columns().forEach(column -> md.append(column.numeric() ? "---:|" : "---|"));
        md.append('\n');
        for (List<String> row : table.rows()) {
            md.append('|');
            row.forEach(value -> md.append(' ').append(cell(value)).append(" |"));
            md.append('\n');
        }
    }

    /** A table cell: pipes escaped, on one line. */
    private static String cell(String value) {
        return line(value).replace("|", "\\|");
    }

    /**
     * Text on one line: line breaks become spaces, and a {@code <} that could open an HTML tag is
     * backslash-escaped so that Markdown viewers show it instead of dropping it as markup.
     */
    private static String line(String value) {
        return TAG_START.matcher(value.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ')).replaceAll("\\\\<");
    }
}
