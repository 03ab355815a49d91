package dev.lathe.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.testing.ReportFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportJsonTest {

    @Test
    void fullReportMatchesTheGoldenFile() throws IOException {
        assertThat(ReportJson.render(ReportFixtures.passed())).isEqualTo(golden());
    }

    @Test
    void failedGateWrittenAnywayKeepsEveryKeyAndSaysSo() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(golden());
        JsonNode failed = ReportJson.toTree(ReportFixtures.failedWrittenAnyway());

        assertThat(fieldPaths(failed, "")).isEqualTo(fieldPaths(golden, ""));
        assertThat(failed.at("/validation/passed").asBoolean()).isFalse();
        assertThat(failed.at("/validation/writtenDespiteFailure").asBoolean()).isTrue();
        assertThat(failed.at("/validation/failures/0").asText()).contains("last_hidden_state");
        assertThat(failed.at("/before/peakMemoryBytes").asLong()).isEqualTo(-1);
        assertThat(failed.at("/measurement/memoryMethod").asText()).isEqualTo("none");
    }

    private static String golden() throws IOException {
        try (InputStream in = ReportJsonTest.class.getResourceAsStream("/report/golden-report.json")) {
            assertThat(in).as("golden-report.json on the test classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every object key path in the tree, array elements merged, in document order. */
    private static List<String> fieldPaths(JsonNode node, String path) {
        List<String> paths = new ArrayList<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                paths.add(path + "/" + field.getKey());
                paths.addAll(fieldPaths(field.getValue(), path + "/" + field.getKey()));
            });
        } else if (node.isArray()) {
            Set<String> merged = new LinkedHashSet<>();
            node.forEach(element -> merged.addAll(fieldPaths(element, path + "/[]")));
            paths.addAll(merged);
        }
        return paths;
    }
}
