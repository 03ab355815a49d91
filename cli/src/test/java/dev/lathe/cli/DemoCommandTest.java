package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.PassRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe demo}: all-MiniLM-L6-v2 optimized with the best recipe installed, measured and reported. */
@Tag("slow")
class DemoCommandTest {
    @TempDir
    Path folder;

    @Test
    void demoOptimizesMiniLmPrintsTheTableAndWritesTheHtmlReport() throws Exception {
        boolean quantize = PassRegistry.load().factories().containsKey(DemoCommand.QUANTIZE_PASS);
        Path reports = folder.resolve("reports");

        CommandRun run = CommandRun.of("demo", "--report-dir", reports.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        String[] lines = run.out().split("\n");
        assertThat(lines[0]).isEqualTo("all-MiniLM-L6-v2 at batch 1, sequence 128: 1,434,451,968 MatMul MACs (1.43 G), "
                + "22.57 M parameters (22,565,428)");
        if (!quantize) {
            assertThat(lines[1]).isEqualTo("quantization passes are not installed; running cleanup only");
        }
        assertThat(run.out())
                .containsPattern("(?m)^Model +all-MiniLM-L6-v2 \\(embedded\\)$")
                .containsPattern("(?m)^Input shapes +input_ids=1x[0-9]+, attention_mask=1x[0-9]+, token_type_ids=1x[0-9]+$")
                .containsPattern("(?m)^Validation data +100 samples from built-in English sentences \\(400\\), held-out 25 %")
                .containsPattern("(?m)^  overlap@10 \\(sentence-embedding\\) +0\\.9[0-9]+$")
                .containsPattern("(?m)^Runs +30 timed, each model, on cpu")
                .containsPattern("(?m)^  Size +90\\.[0-9]{2} MB +[0-9.]+ MB +[0-9.]+×$")
                .containsPattern("(?m)^  Parameters \\(float\\) +22\\.57 M +[0-9.]+( [KM])? +[0-9.]+×$")
                .containsPattern("(?m)^  Quantized weights +0 +[0-9.]+( [KM])? +—$")
                .containsPattern("(?m)^  MACs +[0-9.]+ [GM] +[0-9.]+ [GM] +[0-9.]+×$")
                .containsPattern("(?m)^  Latency p50 +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+×$")
                .containsPattern("(?m)^  Peak memory \\(forked\\) +[0-9.]+ MB +[0-9.]+ MB +[0-9.]+×$")
                .containsPattern("(?m)^  Cost per million ")
                .containsPattern("(?m)^  Validation +passed \\(embedding-cosine >= 0\\.98; overlap@10 >= 0\\.8\\)$")
                .containsPattern("(?m)^  1 +cleanup +— ")
                .containsPattern("(?m)^Provider +cpu")
                .containsPattern("(?m)^Report +" + reports.resolve(DemoCommand.REPORT_FILE) + "$")
                .contains("keep it with -o FILE");
        if (quantize) {
            assertThat(run.out()).containsPattern("(?m)^  2 +" + DemoCommand.QUANTIZE_PASS + " ");
        }
        Path html = reports.resolve(DemoCommand.REPORT_FILE);
        assertThat(html).exists();
        assertThat(Files.readString(html)).contains("<svg", "all-MiniLM-L6-v2 (embedded)");
    }

    @Test
    void outputKeepsTheOptimizedModel() throws Exception {
        Path output = folder.resolve("minilm.onnx");

        CommandRun run = CommandRun.of("demo", "--report-dir", folder.toString(), "-o", output.toString(), "--quiet");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^Output +" + output + "$").doesNotContain("keep it with -o");
        assertThat(OnnxModel.load(output).metadata()).containsKey("lathe.pipeline");
    }
}
