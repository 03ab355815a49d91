package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.testing.ReportFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportWriterTest {
    private final OptimizationReport report = ReportFixtures.passed();

    @TempDir
    Path folder;

    @ParameterizedTest
    @CsvSource({"report.json, JSON", "report.md, MARKDOWN", "report.markdown, MARKDOWN", "report.html, HTML",
            "report.htm, HTML", "REPORT.HTML, HTML", "my.report.Json, JSON"})
    void formatFollowsTheExtension(String name, ReportFormat format) throws IOException {
        Path file = folder.resolve(name);

        ReportWriter.write(report, file);

        assertThat(ReportFormat.of(file)).isEqualTo(format);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(format.render(report));
        assertThat(listing(folder)).containsExactly(file.getFileName().toString());
    }

    @Test
    void eachFormatWritesItsRenderer() throws IOException {
        ReportWriter.write(report, folder.resolve("r.json"));
        ReportWriter.write(report, folder.resolve("r.md"));
        ReportWriter.write(report, folder.resolve("r.html"));

        assertThat(folder.resolve("r.json")).hasContent(ReportJson.render(report));
        assertThat(folder.resolve("r.md")).hasContent(ReportMarkdown.render(report));
        assertThat(folder.resolve("r.html")).hasContent(ReportHtml.render(report));
        assertThat(listing(folder)).containsExactlyInAnyOrder("r.json", "r.md", "r.html");
    }

    @Test
    void createsParentFoldersAndReplacesAnOldReport() throws IOException {
        Path file = folder.resolve("a/b/c/report.md");
        ReportWriter.write(ReportFixtures.failedWrittenAnyway(), file);

        ReportWriter.write(report, file);

        assertThat(file).hasContent(ReportMarkdown.render(report));
        assertThat(listing(file.getParent())).containsExactly("report.md");
    }

    @Test
    void unknownExtensionNamesTheFileAndTheSupportedOnes() throws IOException {
        Path file = folder.resolve("report.pdf");

        assertThatThrownBy(() -> ReportWriter.write(report, file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(".json, .md, .markdown, .html, .htm");
        assertThatThrownBy(() -> ReportFormat.of(folder.resolve("json"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReportFormat.of(folder.resolve(".md"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(listing(folder)).isEmpty();
    }

    @Test
    void failedWriteLeavesNoTemporaryFile() throws IOException {
        Path target = Files.createDirectories(folder.resolve("report.html"));
        Files.writeString(target.resolve("inside.txt"), "a folder that is not empty cannot be replaced by a file");

        assertThatThrownBy(() -> ReportWriter.write(report, target)).isInstanceOf(IOException.class);

        assertThat(listing(folder)).containsExactly("report.html");
        assertThat(target).isDirectory();
    }

    private static List<String> listing(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }
}
