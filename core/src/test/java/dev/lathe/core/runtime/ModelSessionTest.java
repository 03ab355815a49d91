package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions on real ONNX Runtime: results, model sources, lifecycle and errors. */
class ModelSessionTest {

    /** y = x · [[1, 2], [3, 4]] + [10, 20]. */
    private static OnnxModel affine() {
        TestModels.Builder g = TestModels.builder("affine");
        String x = g.input("x", DataType.FLOAT, "batch", 2);
        String product = g.node("MatMul", x, g.floatInitializer("w", new long[] {2, 2}, 1, 2, 3, 4)).output();
        g.node("Add", product, g.floatInitializer("b", new long[] {2}, 10, 20)).output("y");
        g.output("y", DataType.FLOAT, "batch", 2);
        return TestModels.model(g.build());
    }

    @Test
    void runReturnsTheComputedOutputs() throws Exception {
        try (ModelSession session = ModelSession.open(affine(), SessionSettings.cpu())) {
            Map<String, TensorData> outputs = session.run(Map.of("x", TensorData.ofFloats(new long[] {2, 2}, 1, 0, 0.5f, 1)));

            assertThat(outputs.get("y").shape()).containsExactly(2, 2);
            assertThat(outputs.get("y").toFloatArray()).containsExactly(11, 22, 13.5f, 25);
            assertThat(session.inputNames()).containsExactly("x");
            assertThat(session.outputNames()).containsExactly("y");
            assertThat(session.sessionInitMillis()).isPositive();
        }
    }

    @Test
    void opensModelsWithExternalDataWhetherLoadedFromAFileOrEdited(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("affine.onnx");
        affine().save(file, SaveOptions.external(0));
        OnnxModel loaded = OnnxModel.load(file);
        OnnxModel edited = loaded.edit().putMetadata("edited", "yes").build();
        Map<String, TensorData> input = Map.of("x", TensorData.ofFloats(new long[] {1, 2}, 1, 1));

        for (OnnxModel model : new OnnxModel[] {loaded, edited}) {
            try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
                assertThat(session.run(input).get("y").toFloatArray()).containsExactly(14, 26);
            }
        }
    }

    @Test
    void shapeConstantsStayInlineSoOnnxRuntimeCanLoadFullyExternalModels(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("block.onnx");
        TestModels.transformerBlock().save(file, SaveOptions.external(0));
        OnnxModel loaded = OnnxModel.load(file);

        assertThat(loaded.graph().initializer("head_shape").orElseThrow().getDataLocation())
                .isNotEqualTo(dev.lathe.core.onnx.Onnx.TensorProto.DataLocation.EXTERNAL);
        assertThat(OnnxModel.isExternal(loaded.graph().initializer("embedding").orElseThrow())).isTrue();
        try (ModelSession session = ModelSession.open(loaded, SessionSettings.cpu())) {
            assertThat(session.run(InputGenerator.generate(loaded, Map.of("input_ids", new long[] {1, 3},
                    "attention_mask", new long[] {1, 3}), 1)).get("hidden").shape()).containsExactly(1, 3, 8);
        }
    }

    @Test
    void closeIsIdempotentAndAClosedSessionRefusesWork() throws Exception {
        ModelSession session = ModelSession.open(affine(), SessionSettings.cpu());
        session.close();
        session.close();

        assertThatThrownBy(() -> session.run(Map.of())).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void runtimeErrorsAreTranslatedAndNameTheModel() throws Exception {
        try (ModelSession session = ModelSession.open(affine(), SessionSettings.cpu())) {
            assertThatThrownBy(() -> session.run(Map.of("x", TensorData.ofFloats(new long[] {1, 3}, 1, 2, 3))))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("affine");
        }
        TestModels.Builder g = TestModels.builder("unknown_op");
        String x = g.input("x", DataType.FLOAT, 1);
        g.node("NoSuchOperator", x).output("y");
        g.output("y", DataType.FLOAT, 1);
        assertThatThrownBy(() -> ModelSession.open(TestModels.model(g.build()), SessionSettings.cpu()))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("unknown_op")
                .hasMessageContaining("cpu");
    }

    @Test
    void profilingMustBeRequestedBeforeItCanEnd() throws Exception {
        try (ModelSession session = ModelSession.open(affine(), SessionSettings.cpu())) {
            assertThatThrownBy(session::endProfiling).isInstanceOf(IllegalStateException.class);
        }
    }
}
