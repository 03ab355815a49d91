package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OnnxModel#exposing}: values listed as extra outputs once, unknown values refused. */
class ExposingTest {

    @Test
    void listsNodeOutputsAndInputsOnceAfterTheExistingOutputs() {
        OnnxModel mlp = TestModels.mlp();
        String hidden = mlp.graph().nodes().get(0).getOutput(0);

        OnnxModel probe = mlp.exposing(List.of(hidden, "x", "y", hidden));

        assertThat(probe.graph().outputs()).extracting(ValueInfoProto::getName).containsExactly("y", hidden, "x");
        assertThat(probe.source()).isEqualTo(mlp.source());
        assertThat(mlp.graph().outputs()).hasSize(1);
    }

    @Test
    void unknownValuesAreRefused() {
        assertThatThrownBy(() -> TestModels.mlp().exposing(List.of("w9")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'w9'");
    }
}
