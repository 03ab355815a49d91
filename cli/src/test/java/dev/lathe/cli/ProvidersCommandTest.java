package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.provider.Provider;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * {@code lathe providers} on the ONNX Runtime of the test class path, the CPU build; on a GPU host
 * ({@code -Dlathe.gpu=true}) these tests are skipped.
 */
@DisabledIfSystemProperty(named = "lathe.gpu", matches = "true")
class ProvidersCommandTest {

    @Test
    void jsonListsCpuAvailableAndGpuProvidersUnavailableWithAReason() throws Exception {
        CommandRun run = CommandRun.of("providers", "--json");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        Map<String, JsonNode> byName = new HashMap<>();
        new ObjectMapper().readTree(run.out()).get("providers").forEach(p -> byName.put(p.get("name").asText(), p));
        assertThat(byName).hasSize(Provider.values().length);
        assertThat(byName.get("cpu").get("available").asBoolean()).isTrue();
        assertThat(byName.get("cpu").get("reason").asText()).isEmpty();
        for (String gpu : new String[] {"cuda", "tensorrt"}) {
            assertThat(byName.get(gpu).get("available").asBoolean()).isFalse();
            assertThat(byName.get(gpu).get("reason").asText()).contains("onnxruntime_gpu");
        }
    }

    @Test
    void tableHasOneRowPerProviderWithTheReason() {
        CommandRun run = CommandRun.of("providers");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^Provider +Available +Reason$")
                .containsPattern("(?m)^cpu +yes$")
                .containsPattern("(?m)^cuda +no +not in this ONNX Runtime build: .*onnxruntime_gpu")
                .containsPattern("(?m)^tensorrt +no +not in this ONNX Runtime build: .*onnxruntime_gpu");
        assertThat(run.out().lines()).hasSize(1 + Provider.values().length);
    }
}
