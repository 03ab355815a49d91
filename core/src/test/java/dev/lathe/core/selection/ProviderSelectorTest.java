package dev.lathe.core.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.ProviderUnavailableException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderAvailability;
import dev.lathe.core.provider.ProviderCatalog;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Selection logic against injected availability tables, and the "fastest" policy on real ONNX Runtime. */
class ProviderSelectorTest {
    private static final BenchmarkOptions QUICK = BenchmarkOptions.defaults().withRuns(1, 5);
    private static final ProviderAvailability CPU = ProviderAvailability.available("cpu");
    private static final ProviderAvailability CUDA = ProviderAvailability.available("cuda");
    private static final ProviderAvailability NO_CUDA = ProviderAvailability.unavailable("cuda", "CUDA libraries not found");
    private static final ProviderAvailability NO_TENSORRT = ProviderAvailability.unavailable("tensorrt", "not in this build");

    @Test
    void autoFallsBackToCpuAndSaysWhy() throws Exception {
        ProviderSelector selector = new ProviderSelector(ProviderCatalog.of(Map.of(Provider.CPU, CPU,
                Provider.CUDA, NO_CUDA, Provider.TENSORRT, NO_TENSORRT)), QUICK);

        ProviderDecision decision = selector.select(ProviderPolicy.auto(), TestModels.mlp(), Map.of());

        assertThat(decision.selected().provider()).isEqualTo(Provider.CPU);
        assertThat(decision.candidates()).extracting(ProviderDecision.Candidate::reason).containsExactly(
                "unavailable: not in this build", "unavailable: CUDA libraries not found", "first available (fallback)");
        assertThat(decision.summary()).startsWith("cpu (prefer: first available (fallback))").contains("CUDA libraries not found");
    }

    @Test
    void autoPrefersCudaWhenTensorRtIsMissing() throws Exception {
        ProviderSelector selector = new ProviderSelector(ProviderCatalog.of(Map.of(Provider.CPU, CPU,
                Provider.CUDA, CUDA, Provider.TENSORRT, NO_TENSORRT)), QUICK);

        ProviderDecision decision = selector.select(ProviderPolicy.auto(), TestModels.mlp(), Map.of());

        assertThat(decision.selected().provider()).isEqualTo(Provider.CUDA);
        assertThat(decision.candidates().get(2).reason()).isEqualTo("not needed: cuda comes first");
        assertThat(decision.candidates().get(2).selected()).isFalse();
    }

    @Test
    void requireFailsWithTheReasonWhenUnavailable() {
        ProviderSelector selector = new ProviderSelector(ProviderCatalog.of(Map.of(Provider.CPU, CPU,
                Provider.CUDA, NO_CUDA)), QUICK);

        assertThatThrownBy(() -> selector.select(ProviderPolicy.require(ProviderConfig.Cuda.defaults()),
                TestModels.mlp(), Map.of()))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("'cuda' is required")
                .hasMessageContaining("CUDA libraries not found");
    }

    @Test
    void preferenceWithNothingAvailableFails() {
        ProviderSelector selector = new ProviderSelector(ProviderCatalog.of(Map.of()), QUICK);

        assertThatThrownBy(() -> selector.select(ProviderPolicy.auto(), TestModels.mlp(), Map.of()))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("not in the availability table");
    }

    @Test
    void fastestBenchmarksEveryAvailableCandidateAndPicksTheLowestMedian() throws Exception {
        OnnxModel model = TestModels.transformerBlock();
        Map<String, long[]> shapes = ShapeBinding.none().withDimension("batch", 2).withDimension("seq", 16).resolve(model);
        ProviderSelector selector = new ProviderSelector(ProviderCatalog.of(Map.of(Provider.CPU, CPU,
                Provider.CUDA, NO_CUDA, Provider.TENSORRT, NO_TENSORRT)), QUICK);

        ProviderDecision decision = selector.select(ProviderPolicy.fastest(List.of(1, 2)), model,
                InputGenerator.generate(model, shapes, 1));

        List<ProviderDecision.Candidate> tried = decision.candidates().stream()
                .filter(c -> c.medianLatencyMs().isPresent()).toList();
        assertThat(tried).extracting(ProviderDecision.Candidate::provider)
                .containsExactly("cpu (1 thread)", "cpu (2 threads)");
        ProviderDecision.Candidate winner = tried.stream().filter(ProviderDecision.Candidate::selected).findFirst().orElseThrow();
        assertThat(tried).allSatisfy(c -> assertThat(c.medianLatencyMs().getAsDouble())
                .isGreaterThanOrEqualTo(winner.medianLatencyMs().getAsDouble()));
        assertThat(decision.selected().describe()).isEqualTo(winner.provider());
        assertThat(decision.candidates()).filteredOn(c -> !c.available()).hasSize(2);
    }
}
