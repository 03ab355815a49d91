package dev.lathe.core.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Provider discovery on the ONNX Runtime of the test class path (the CPU build). The GPU test runs only
 * on a host with CUDA, against onnxruntime_gpu: {@code mvn -Pgpu verify -Dlathe.gpu=true}, which also skips the
 * test that expects the CPU build.
 */
class ProviderCatalogTest {

    @Test
    @DisabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void cpuIsAvailableAndGpuProvidersSayWhatToAdd() {
        ProviderCatalog catalog = ProviderCatalog.system();

        assertThat(catalog.availability(Provider.CPU).available()).isTrue();
        for (Provider gpu : new Provider[] {Provider.CUDA, Provider.TENSORRT}) {
            ProviderAvailability availability = catalog.availability(gpu);
            assertThat(availability.available()).isFalse();
            assertThat(availability.reason()).contains("onnxruntime_gpu");
        }
        assertThat(catalog.all()).hasSize(Provider.values().length)
                .allSatisfy(a -> assertThat(a.available() || !a.reason().isEmpty()).isTrue());
    }

    @Test
    @EnabledIfSystemProperty(named = "lathe.gpu", matches = "true")
    void cudaRunsAModelOnAGpuHost() throws Exception {
        assertThat(ProviderCatalog.system().availability(Provider.CUDA).available()).isTrue();
        try (ModelSession session = ModelSession.open(TestModels.mlp(), SessionSettings.of(ProviderConfig.Cuda.defaults()))) {
            assertThat(session.run(InputGenerator.generate(TestModels.mlp(),
                    ShapeBinding.none().withDimension("batch", 2).resolve(TestModels.mlp()), 1))).containsKey("y");
        }
    }
}
