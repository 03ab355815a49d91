package dev.lathe.core.report;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The formats a report can be written in, each known by its file extensions. */
public enum ReportFormat {
    /** JSON with the stable schema of {@code docs/report-schema.md} ({@link ReportJson}). */
    JSON(ReportJson::render, ".json"),
    /** Markdown for pull requests and terminals ({@link ReportMarkdown}). */
    MARKDOWN(ReportMarkdown::render, ".md", ".markdown"),
    /** A self-contained HTML page with charts ({@link ReportHtml}). */
    HTML(ReportHtml::render, ".html", ".htm");

    private final Function<OptimizationReport, String> renderer;
    private final List<String> extensions;

    ReportFormat(Function<OptimizationReport, String> renderer, String... extensions) {
        this.renderer = renderer;
        this.extensions = List.of(extensions);
    }

    /** The file extensions of this format, with their dot, lower case (e.g. {@code .md}, {@code .markdown}). */
    public List<String> extensions() {
        return extensions;
    }

    /** The report as text in this format. */
    public String render(OptimizationReport report) {
        return renderer.apply(report);
    }

    /**
     * The format a file's extension names, ignoring case.
     *
     * @throws IllegalArgumentException if the extension is none of {@link #supportedExtensions()}
     */
    public static ReportFormat of(Path file) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        for (ReportFormat format : values()) {
            for (String extension : format.extensions) {
                if (lower.endsWith(extension) && lower.length() > extension.length()) {
                    return format;
                }
            }
        }
        throw new IllegalArgumentException("report file " + file + " has no supported extension; use one of "
                + supportedExtensions());
    }

    /** Every supported extension, comma-separated, e.g. {@code .json, .md, .markdown, .html, .htm}. */
    public static String supportedExtensions() {
        return Arrays.stream(values()).flatMap(format -> format.extensions.stream()).collect(Collectors.joining(", "));
    }
}
