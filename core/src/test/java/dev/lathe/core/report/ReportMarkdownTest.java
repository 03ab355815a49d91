package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.testing.ReportFixtures;
import org.junit.jupiter.api.Test;

class ReportMarkdownTest {
    private final String markdown = ReportMarkdown.render(ReportFixtures.passed());

    @Test
    void titleNamesModelAndOutput() {
        assertThat(markdown).startsWith(
                "# Lathe report: models/all-minilm-l6-v2.onnx → build/all-minilm-l6-v2.opt.onnx\n");
    }

    @Test
    void beforeAfterTableHasFormattedFiguresRatiosAndChanges() {
        assertThat(markdown)
                .contains("| Metric | Before | After | Ratio | Change |\n|---|---:|---:|---:|---:|\n")
                .contains("| Size | 90.39 MB | 22.60 MB | 0.25× | −75.0 % |\n")
                .contains("| Parameters (float) | 22.57 M | 150.53 K | 0.01× | −99.3 % |\n")
                .contains("| Quantized weights | 0 | 21.91 M | — | — |\n")
                .contains("| MACs | 1.43 G | 1.08 G | 0.75× | −25.0 % |\n")
                .contains("| Latency p50 | 23.80 ms | 10.40 ms | 0.44× | −56.3 % |\n")
                .contains("| Latency p90 | 26.40 ms | 11.80 ms | 0.45× | −55.3 % |\n")
                .contains("| Latency p99 | 31.90 ms | 14.20 ms | 0.45× | −55.5 % |\n")
                .contains("| Throughput | 41.5/s | 96.2/s | 2.32× | +131.8 % |\n")
                .contains("| Peak memory | 612.00 MB | 298.00 MB | 0.49× | −51.3 % |\n")
                .contains("| Session init | 412.50 ms | 198.25 ms | 0.48× | −51.9 % |\n")
                .contains("| Sparsity | 0.0 % | 25.0 % | — | +25.0 pp |\n")
                .contains("| Bytes FLOAT | 90.26 MB | 602.1 kB | 0.01× | −99.3 % |\n")
                .contains("| Bytes INT8 | 0 B | 21.91 MB | — | — |\n");
    }

    @Test
    void headlinesSummarizeTheMainChanges() {
        assertThat(markdown)
                .contains("- **Size:** 90.39 MB → 22.60 MB (−75.0 %)\n")
                .contains("- **Cost per million:** 1.1948 USD → 0.5154 USD (−56.9 %)\n");
    }

    @Test
    void fidelityValidationProviderAndCostSections() {
        assertThat(markdown)
                .contains("cosine similarity mean 0.998710, min 0.997020; absolute error max 0.0412, mean 0.00315")
                .contains("| logits | 0.999530 | 0.998110 | 0.0123 | 0.00101 | 96.9 % |\n")
                .contains("| last_hidden_state | 0.998710 | 0.997020 | 0.0412 | 0.00315 | — |\n")
                .contains("**Passed: every threshold held (embedding-cosine >= 0.98; overlap@10 >= 0.8).**")
                .contains("- Validation: 32 samples from sentences.txt (400 texts), held-out 25 %: 100 samples.\n")
                .contains("| overlap@10 | 0.953000 |\n")
                .contains("| accuracy | 0.912 | 0.905 | −0.8 % |\n")
                .contains("Selected cpu (4 threads) by the fastest policy.")
                .contains("| cuda (device 0) | no | no | — | unavailable: Failed to find CUDA shared provider |\n")
                .contains("| cpu (4 threads) | yes | yes | 23.80 ms | fastest available |\n")
                .contains("| Price source | fixture: AWS on-demand c7i.xlarge, 2024 |\n")
                .contains("| Cost per million inferences, before | 1.1948 USD |\n")
                .contains("| Cost per million inferences, after | 0.5154 USD |\n")
                .contains("| Compute saved | 56.9 % |\n")
                .contains("| MACs saved | 25.0 % |\n")
                .doesNotContain("WARNING");
    }

    @Test
    void stepsTableEscapesPipesAndTags() {
        assertThat(markdown).contains("| 1 | quantize.int8 | mode=dynamic; per-channel=true | 1234.50 ms | ok | 1.43 G "
                + "| 150.53 K | 23.10 MB | quantizedNodes=72; kept=\\<Softmax> & 'LayerNorm' \\| \"fp32\" |\n")
                .contains("| 2 | prune.structured | target=ffn; ratio=0.25 | 456.25 ms | ok | 1.08 G | 150.53 K "
                        + "| 22.60 MB | removedChannels=384 |\n");
        long headerPipes = -1;
        for (String line : markdown.lines().toList()) {
            if (!line.startsWith("|")) {
                headerPipes = -1;
                continue;
            }
            long pipes = line.replace("\\|", "").chars().filter(c -> c == '|').count();
            if (headerPipes < 0) {
                headerPipes = pipes;
            }
            assertThat(pipes).as("cell separators in %s", line).isEqualTo(headerPipes);
        }
    }

    @Test
    void failedGateWrittenAnywayIsLoudAndMemoryNotMeasured() {
        String failed = ReportMarkdown.render(ReportFixtures.failedWrittenAnyway());

        assertThat(failed.lines().skip(2).findFirst()).contains(
                "> **⚠ WARNING: the validation gate FAILED and the model was written anyway, on request. "
                        + "Check the failures below before using it.**");
        assertThat(failed)
                .contains("**FAILED: 1 threshold did not hold; the model was written anyway, on request.**")
                .contains("- cosineMin 0.997020 < 0.999 on output last_hidden_state\n")
                .contains("| Peak memory | not measured | not measured | — | — |\n")
                .contains("peak memory not measured");
    }

    @Test
    void sameReportSameText() {
        assertThat(ReportMarkdown.render(ReportFixtures.passed())).isEqualTo(markdown);
    }
}
