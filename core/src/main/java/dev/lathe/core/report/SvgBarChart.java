package dev.lathe.core.report;

import java.util.Locale;

/**
 * An inline SVG chart with two horizontal bars, before and after, scaled to the larger value, for the HTML
 * report. Bars are {@code <rect class="bar before">} and {@code <rect class="bar after">} with a
 * {@code <title>} tooltip holding the exact value; labels and the axis are {@code <text>}. A value that
 * was not measured gets the text "not measured" instead of a bar. Colors come from the page's CSS.
 */
final class SvgBarChart {
    private static final int WIDTH = 440;
    private static final int HEIGHT = 126;
    private static final int BAR_X = 64;
    private static final int BAR_MAX = 270;
    private static final int BAR_HEIGHT = 26;
    private static final int BEFORE_Y = 30;
    private static final int AFTER_Y = 64;
    private static final int AXIS_BOTTOM = 98;

    private SvgBarChart() {
    }

    /**
     * One bar's value.
     *
     * @param amount the value in the chart's unit; negative when not measured
     * @param label  the value as shown next to the bar, e.g. {@code 90.39 MB}
     * @param exact  the exact value, shown as the bar's tooltip
     */
    record Value(double amount, String label, String exact) {
        /** A value that was not measured. */
        static Value notMeasured() {
            return new Value(-1, Figures.NOT_MEASURED, Figures.NOT_MEASURED);
        }

        /** Whether there is a value to draw. */
        boolean measured() {
            return amount >= 0;
        }
    }

    /**
     * The chart as an {@code <svg>} element.
     *
     * @param id     the element id, stable for tests and links (e.g. {@code chart-size})
     * @param title  what is compared, e.g. "Model size"
     * @param before the original model's value
     * @param after  the optimized model's value
     */
    static String render(String id, String title, Value before, Value after) {
        double max = Math.max(before.measured() ? before.amount() : 0, after.measured() ? after.amount() : 0);
        String ratio = before.measured() && after.measured() ? " (" + Figures.ratio(before.amount(), after.amount()) + ")" : "";
        String description = title + ": before " + before.label() + ", after " + after.label() + ratio;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"").append(ReportHtml.escape(id)).append("\" class=\"chart\" role=\"img\" aria-label=\"")
                .append(ReportHtml.escape(description)).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" preserveAspectRatio=\"xMinYMin meet\">\n");
        svg.append("<text class=\"chart-title\" x=\"0\" y=\"16\">").append(ReportHtml.escape(title)).append("</text>\n");
        bar(svg, "before", "Before", BEFORE_Y, before, max);
        bar(svg, "after", "After", AFTER_Y, after, max);
        svg.append("<line class=\"axis\" x1=\"").append(BAR_X).append("\" y1=\"").append(BEFORE_Y - 4)
                .append("\" x2=\"").append(BAR_X).append("\" y2=\"").append(AXIS_BOTTOM).append("\"/>\n");
        svg.append("<line class=\"axis\" x1=\"").append(BAR_X).append("\" y1=\"").append(AXIS_BOTTOM)
                .append("\" x2=\"").append(BAR_X + BAR_MAX).append("\" y2=\"").append(AXIS_BOTTOM).append("\"/>\n");
        svg.append("<text class=\"tick\" x=\"").append(BAR_X).append("\" y=\"").append(AXIS_BOTTOM + 16)
                .append("\" text-anchor=\"middle\">0</text>\n");
        if (max > 0) {
            String maxLabel = before.measured() && before.amount() == max ? before.label() : after.label();
            svg.append("<text class=\"tick\" x=\"").append(BAR_X + BAR_MAX).append("\" y=\"").append(AXIS_BOTTOM + 16)
                    .append("\" text-anchor=\"end\">").append(ReportHtml.escape(maxLabel)).append("</text>\n");
        }
        return svg.append("</svg>").toString();
    }

    private static void bar(StringBuilder svg, String kind, String name, int y, Value value, double max) {
        int textY = y + BAR_HEIGHT / 2 + 4;
        svg.append("<text class=\"label\" x=\"").append(BAR_X - 8).append("\" y=\"").append(textY)
                .append("\" text-anchor=\"end\">").append(name).append("</text>\n");
        if (!value.measured()) {
            svg.append("<text class=\"not-measured\" x=\"").append(BAR_X + 8).append("\" y=\"").append(textY).append("\">")
                    .append(Figures.NOT_MEASURED).append("</text>\n");
            return;
        }
        double width = value.amount() == 0 ? 0 : Math.max(1, BAR_MAX * value.amount() / max);
        svg.append("<rect class=\"bar ").append(kind).append("\" x=\"").append(BAR_X).append("\" y=\"").append(y)
                .append("\" width=\"").append(String.format(Locale.ROOT, "%.1f", width)).append("\" height=\"")
                .append(BAR_HEIGHT).append("\" rx=\"3\"><title>").append(name).append(": ")
                .append(ReportHtml.escape(value.exact())).append("</title></rect>\n");
        svg.append("<text class=\"value\" x=\"").append(String.format(Locale.ROOT, "%.1f", BAR_X + width + 6))
                .append("\" y=\"").append(textY).append("\">").append(ReportHtml.escape(value.label())).append("</text>\n");
    }
}
