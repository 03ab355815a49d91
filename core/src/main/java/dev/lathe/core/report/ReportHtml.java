package dev.lathe.core.report;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.runtime.BenchmarkResult;
import java.util.List;

/**
 * The report as one self-contained HTML5 page: inline CSS, inline SVG charts comparing before and after
 * (size, MACs, median latency, peak memory), and the same tables as {@link ReportMarkdown}. The page
 * needs no script and refers to nothing outside itself (no fonts, stylesheets or images by URL), so it
 * opens offline and can be attached to a build. All text is escaped. The same report always gives the
 * same page.
 */
public final class ReportHtml {
    private static final String STYLE = """
            :root { --fg: #1f2933; --muted: #52606d; --line: #d9e2ec; --page: #f5f7fa; --card: #ffffff;
              --before: #9aa5b1; --after: #2680c2; --good: #2f7d32; --bad: #c62828; }
            * { box-sizing: border-box; }
            body { margin: 0; background: var(--page); color: var(--fg); line-height: 1.45;
              font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 1100px; margin: 0 auto; padding: 24px 16px 48px; }
            header h1 { font-size: 1.5rem; margin: 4px 0 12px; overflow-wrap: anywhere; }
            .eyebrow { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-size: .8rem; }
            dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 8px; }
            dl.meta dt { color: var(--muted); }
            dl.meta dd { margin: 0; overflow-wrap: anywhere; }
            .note { color: var(--muted); font-size: .9rem; }
            section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
              margin: 12px 0; }
            h2 { font-size: 1.15rem; margin: 0 0 12px; }
            h3 { font-size: 1rem; margin: 16px 0 8px; }
            .warning { background: #fdecea; border: 2px solid var(--bad); color: #8e1c1c; border-radius: 8px;
              padding: 12px 16px; margin: 16px 0; font-weight: 700; }
            .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; }
            .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
            .card .label { color: var(--muted); font-size: .85rem; }
            .card .value { font-size: 1.35rem; font-weight: 650; font-variant-numeric: tabular-nums; }
            .card .from { color: var(--muted); font-size: .85rem; }
            .better, .worse { font-weight: 600; white-space: nowrap; }
            .better { color: var(--good); }
            .worse { color: var(--bad); }
            .passed { color: var(--good); font-weight: 700; }
            .failed { color: var(--bad); font-weight: 700; }
            .charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px 32px;
              margin-bottom: 16px; }
            @media (max-width: 720px) { .charts { grid-template-columns: minmax(0, 1fr); } }
            svg.chart { width: 100%; height: auto; display: block; }
            svg text { font-size: 12px; fill: var(--fg); font-variant-numeric: tabular-nums; }
            svg .chart-title { font-size: 13px; font-weight: 600; }
            svg .tick, svg .not-measured { fill: var(--muted); }
            svg .not-measured { font-style: italic; }
            svg .axis { stroke: var(--muted); stroke-width: 1; }
            svg .bar.before { fill: var(--before); }
            svg .bar.after { fill: var(--after); }
            .table-wrap { overflow-x: auto; }
            table { border-collapse: collapse; width: 100%; font-size: .9rem; }
            th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top;
              overflow-wrap: break-word; }
            td:last-child { overflow-wrap: anywhere; min-width: 8em; }
            th { background: var(--page); font-weight: 600; }
            td.num, th.num { text-align: right; white-space: nowrap; overflow-wrap: normal; min-width: 0;
              font-variant-numeric: tabular-nums; }
            footer { color: var(--muted); font-size: .8rem; text-align: center; }
            """;

    private ReportHtml() {
    }

    /** The report as a complete HTML page. */
    public static String render(OptimizationReport report) {
        ReportSections sections = new ReportSections(report);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Lathe report: ").append(escape(sections.title())).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
        header(html, sections);
        summary(html, sections);
        comparison(html, sections);

        sections.conversionSummary().ifPresent(summary -> html.append("<section id=\"conversion\">\n<h2>Conversion</h2>\n<p>")
                .append(escape(summary)).append("</p>\n</section>\n"));
        html.append("<section id=\"fidelity\">\n<h2>Fidelity</h2>\n<p>").append(escape(sections.fidelitySummary()))
                .append("</p>\n");
        table(html, sections.fidelityByOutput());
        html.append("</section>\n");

        validation(html, sections);

        html.append("<section id=\"provider\">\n<h2>Provider</h2>\n<p>").append(escape(sections.providerSummary()))
                .append("</p>\n");
        table(html, sections.providerCandidates());
        html.append("</section>\n");

        html.append("<section id=\"cost\">\n<h2>Cost</h2>\n");
        table(html, sections.cost());
        html.append("</section>\n");

        html.append("<section id=\"steps\">\n<h2>Steps</h2>\n");
        TextTable steps = sections.steps();
        if (steps.rows().isEmpty()) {
            html.append("<p>No steps ran.</p>\n");
        } else {
            table(html, steps);
        }
        html.append("</section>\n");
        html.append("<footer>Generated by Lathe ").append(escape(report.latheVersion()))
                .append(". This page is self-contained: no scripts, no network access.</footer>\n");
        return html.append("</main>\n</body>\n</html>\n").toString();
    }

    /** Escapes text for HTML content and attribute values: {@code & < > " '}. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void header(StringBuilder html, ReportSections sections) {
        OptimizationReport report = sections.report();
        html.append("<header>\n<p class=\"eyebrow\">Lathe optimization report</p>\n<h1>")
                .append(escape(sections.title())).append("</h1>\n<dl class=\"meta\">\n")
                .append("<dt>Model</dt><dd>").append(escape(report.model())).append("</dd>\n")
                .append("<dt>Output</dt><dd>").append(escape(sections.output())).append("</dd>\n")
                .append("<dt>Lathe</dt><dd>").append(escape(report.latheVersion())).append("</dd>\n")
                .append("</dl>\n<p class=\"note\">").append(escape(sections.measurement())).append("</p>\n</header>\n");
        sections.warning().ifPresent(warning -> html.append("<div class=\"warning\" role=\"alert\">⚠ ")
                .append(escape(warning)).append("</div>\n"));
    }

    private static void summary(StringBuilder html, ReportSections sections) {
        html.append("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
        for (ReportSections.Headline headline : sections.headlines()) {
            html.append("<div class=\"card\"><div class=\"label\">").append(escape(headline.label()))
                    .append("</div><div class=\"value\">").append(escape(headline.after()))
                    .append("</div><div class=\"from\">from ").append(escape(headline.before()))
                    .append(" <span class=\"").append(headline.improved() ? "better" : "worse").append("\">")
                    .append(escape(headline.change())).append("</span></div></div>\n");
        }
        ValidationOutcome outcome = sections.report().validation();
        html.append("<div class=\"card\"><div class=\"label\">Validation</div><div class=\"value ")
                .append(!outcome.checked() ? "failed\">Not checked" : outcome.passed() ? "passed\">Passed" : "failed\">FAILED")
                .append(sections.report().data().validationGenerated() ? " (generated inputs)" : "")
                .append("</div><div class=\"from\">cosine min ")
                .append(Figures.cosine(sections.report().validation().fidelity().cosineMin()))
                .append("</div></div>\n</div>\n</section>\n");
    }

    private static void comparison(StringBuilder html, ReportSections sections) {
        OptimizationReport report = sections.report();
        Footprint before = report.before();
        Footprint after = report.after();
        BenchmarkResult measuredBefore = report.measuredBefore();
        BenchmarkResult measuredAfter = report.measuredAfter();
        html.append("<section id=\"comparison\">\n<h2>Before and after</h2>\n<div class=\"charts\">\n");
        html.append(SvgBarChart.render("chart-size", "Model size", size(before.sizeBytes()), size(after.sizeBytes())))
                .append('\n');
        html.append(SvgBarChart.render("chart-macs", "Multiply-accumulates (MACs)", macs(before.macs()),
                macs(after.macs()))).append('\n');
        html.append(SvgBarChart.render("chart-latency", "Latency p50", latency(measuredBefore.latencyMs().p50()),
                latency(measuredAfter.latencyMs().p50()))).append('\n');
        html.append(SvgBarChart.render("chart-memory", "Peak memory", size(measuredBefore.peakMemoryBytes()),
                size(measuredAfter.peakMemoryBytes()))).append('\n');
        html.append("</div>\n");
        table(html, sections.comparison());
        html.append("</section>\n");
    }

    private static void validation(StringBuilder html, ReportSections sections) {
        ValidationOutcome outcome = sections.report().validation();
        boolean passed = outcome.checked() && outcome.passed();
        html.append("<section id=\"validation\">\n<h2>Validation</h2>\n<p class=\"").append(passed ? "passed" : "failed")
                .append("\">").append(escape(sections.validationVerdict())).append("</p>\n<ul class=\"data\">\n");
        sections.dataSources().forEach(source -> html.append("<li>").append(escape(source)).append("</li>\n"));
        html.append("</ul>\n");
        TextTable task = sections.taskMetrics();
        if (!task.rows().isEmpty()) {
            table(html, task);
        }
        List<String> failures = sections.failures();
        if (!failures.isEmpty()) {
            html.append("<ul>\n");
            failures.forEach(failure -> html.append("<li>").append(escape(failure)).append("</li>\n"));
            html.append("</ul>\n");
        }
        html.append("<h3>Evaluator metrics</h3>\n");
        TextTable metrics = sections.evaluatorMetrics();
        if (metrics.rows().isEmpty()) {
            html.append("<p>None.</p>\n");
        } else {
            table(html, metrics);
        }
        html.append("</section>\n");
    }

    private static SvgBarChart.Value size(long bytes) {
        return bytes < 0 ? SvgBarChart.Value.notMeasured()
                : new SvgBarChart.Value(bytes, Figures.bytes(bytes), Figures.exact(bytes) + " bytes");
    }

    private static SvgBarChart.Value macs(long macs) {
        return new SvgBarChart.Value(macs, Figures.count(macs), Figures.exact(macs) + " MACs");
    }

    private static SvgBarChart.Value latency(double millis) {
        return new SvgBarChart.Value(millis, Figures.millis(millis), Figures.exactMillis(millis));
    }

    private static void table(StringBuilder html, TextTable table) {
        html.append("<div class=\"table-wrap\"><table>\n<thead><tr>");
        for (TextTable.Column column : table.columns()) {
            html.append(column.numeric() ? "<th class=\"num\">" : "<th>").append(escape(column.header())).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : table.rows()) {
            html.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                html.append(table.columns().get(i).numeric() ? "<td class=\"num\">" : "<td>").append(escape(row.get(i)))
                        .append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table></div>\n");
    }
}
