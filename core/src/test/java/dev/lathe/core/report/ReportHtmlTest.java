package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.testing.ReportFixtures;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportHtmlTest {
    private static final List<String> CHARTS = List.of("chart-size", "chart-macs", "chart-latency", "chart-memory");

    private final String page = ReportHtml.render(ReportFixtures.passed());
    private final String failed = ReportHtml.render(ReportFixtures.failedWrittenAnyway());

    @Test
    void pageRefersToNothingOutsideItself() {
        for (String html : List.of(page, failed)) {
            assertThat(html).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:")
                    .doesNotContainIgnoringCase("src=").doesNotContainIgnoringCase("href=")
                    .doesNotContainIgnoringCase("url(").doesNotContainIgnoringCase("@import")
                    .doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
                    .doesNotContainIgnoringCase("<img").doesNotContainIgnoringCase("<iframe")
                    .doesNotContainIgnoringCase("<object").doesNotContainIgnoringCase("<embed");
            assertThat(html.replace("-->", "")).doesNotContain("//");
        }
    }

    @Test
    void isOneHtml5PageWithInlineStyle() {
        assertThat(page).startsWith("<!DOCTYPE html>\n<html lang=\"en\">").endsWith("</html>\n")
                .contains("<meta charset=\"utf-8\">").contains("<style>").contains("system-ui")
                .contains("<title>Lathe report: models/all-minilm-l6-v2.onnx → build/all-minilm-l6-v2.opt.onnx</title>")
                .contains("<dt>Lathe</dt><dd>0.1.0-test</dd>");
    }

    @Test
    void escapesUserText() {
        assertThat(page).contains("kept=&lt;Softmax&gt; &amp; &#39;LayerNorm&#39; | &quot;fp32&quot;")
                .doesNotContain("<Softmax>");
        assertThat(ReportHtml.escape("<a href=\"x\">'&'</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    @Test
    void fourAccessibleChartsWithBeforeAndAfterBars() {
        for (String id : CHARTS) {
            String svg = svg(page, id);
            assertThat(svg).contains("role=\"img\"").contains("aria-label=\"")
                    .contains("<rect class=\"bar before\"").contains("<rect class=\"bar after\"")
                    .contains("<title>Before: ").contains("<title>After: ").contains("<text");
        }
        assertThat(svg(page, "chart-size")).contains("aria-label=\"Model size: before 90.39 MB, after 22.60 MB (0.25×)\"")
                .contains("<title>Before: 90,387,606 bytes</title>").contains("width=\"270.0\"")
                .contains("width=\"67.5\"");
        assertThat(svg(page, "chart-memory")).contains("<title>After: 298,000,000 bytes</title>")
                .doesNotContain("not measured");
    }

    @Test
    void memoryNotMeasuredIsSaidInsteadOfDrawn() {
        String memory = svg(failed, "chart-memory");
        assertThat(memory).doesNotContain("<rect").contains("aria-label=\"Peak memory: before not measured, after not measured\"");
        assertThat(memory.split("not measured</text>", -1)).hasSize(3);
        assertThat(svg(failed, "chart-latency")).contains("<rect class=\"bar after\"");
    }

    @Test
    void summaryTablesAndWarning() {
        assertThat(page).contains("<div class=\"value\">22.60 MB</div><div class=\"from\">from 90.39 MB "
                        + "<span class=\"better\">−75.0 %</span>")
                .contains("<td>Size</td><td class=\"num\">90.39 MB</td><td class=\"num\">22.60 MB</td>"
                        + "<td class=\"num\">0.25×</td><td class=\"num\">−75.0 %</td>")
                .contains("<section id=\"fidelity\">").contains("<section id=\"validation\">")
                .contains("<section id=\"provider\">").contains("<section id=\"cost\">").contains("<section id=\"steps\">")
                .contains("<td>cpu (4 threads)</td><td>yes</td><td>yes</td><td class=\"num\">23.80 ms</td>")
                .contains("<td>Cost per million inferences, after</td><td>0.5154 USD</td>")
                .doesNotContain("role=\"alert\"");
        assertThat(failed).contains("<div class=\"warning\" role=\"alert\">⚠ WARNING: the validation gate FAILED")
                .contains("<li>cosineMin 0.997020 &lt; 0.999 on output last_hidden_state</li>")
                .contains("<td>Peak memory</td><td class=\"num\">not measured</td><td class=\"num\">not measured</td>");
    }

    @Test
    void sameReportSamePage() {
        assertThat(ReportHtml.render(ReportFixtures.passed())).isEqualTo(page);
    }

    /** The {@code <svg>} element with this id. */
    static String svg(String html, String id) {
        Matcher matcher = Pattern.compile("<svg[^>]*\\bid=\"" + id + "\"[^>]*>.*?</svg>", Pattern.DOTALL).matcher(html);
        assertThat(matcher.find()).as("<svg id=\"%s\"> in the page", id).isTrue();
        return matcher.group();
    }
}
