package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.PassFailedException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Optimizer applies passes in memory, with provenance and step records, and touches no file. */
class OptimizerTest {
    private static final PassContext CONTEXT = new PassContext(ShapeBinding.none().withDimension("batch", 2), List.of(),
            ProgressListener.none());

    @Test
    void appliesThePassesInOrderAndStampsProvenance() throws Exception {
        PassRegistry registry = PassRegistry.load();
        Optimizer optimizer = Optimizer.builder().add(registry.create("cleanup"))
                .add(registry.create("cleanup:fold=false")).build();

        Optimizer.Optimization result = optimizer.optimize(TestModels.mlp(), CONTEXT);

        assertThat(result.steps()).extracting(StepRecord::name).containsExactly("cleanup", "cleanup");
        assertThat(result.steps()).allSatisfy(step -> {
            assertThat(step.status()).isEqualTo(StepRecord.Status.OK);
            assertThat(step.after()).isNotNull();
            assertThat(step.after().inputShapes().get("x")).containsExactly(2, 4);
        });
        assertThat(result.steps().get(1).config()).containsEntry("fold", "false");
        assertThat(result.model().metadata()).containsKeys(Optimizer.VERSION_KEY, Optimizer.STEPS_KEY);
        assertThat(result.model().metadata().get(Optimizer.STEPS_KEY)).contains("\"fold\":\"false\"");
        assertThat(result.model().file()).isEmpty();

        Optimizer.Optimization quick = Optimizer.builder().add(registry.create("cleanup")).stepFootprints(false).build()
                .optimize(TestModels.mlp(), CONTEXT);
        assertThat(quick.steps().get(0).after()).isNull();
    }

    @Test
    void aFailingPassIsNamed() {
        Pass broken = new Pass() {
            @Override
            public String name() {
                return "test.broken";
            }

            @Override
            public Map<String, String> options() {
                return Map.of();
            }

            @Override
            public PassResult apply(OnnxModel model, PassContext context) {
                throw new IllegalStateException("node w2 cannot be handled");
            }
        };

        assertThatThrownBy(() -> Optimizer.builder().add(broken).build().optimize(TestModels.mlp(), CONTEXT))
                .isInstanceOf(PassFailedException.class).hasMessageContaining("test.broken")
                .hasMessageContaining("node w2 cannot be handled");
    }
}
