package dev.lathe.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.model.ShapeBinding;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedModelFootprintTest {
    @TempDir
    Path dir;

    @Test
    void mlpFootprintMatchesTheHandCount() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.mlp(dir.resolve("mlp")))) {
            SignatureInfo signature = model.signature();
            assertThat(signature.key()).isEqualTo("serving_default");
            assertThat(signature.inputs()).singleElement().satisfies(x -> {
                assertThat(x.name()).isEqualTo("x");
                assertThat(x.shape()).containsExactly(-1, 16);
            });
            Footprint footprint = SavedModelFootprint.analyze(model, signature, ShapeBinding.none().withInputShape("x", 4, 16));
            assertThat(footprint.macs()).isEqualTo(4 * 768);
            assertThat(footprint.parameters()).isEqualTo(808);
            assertThat(footprint.bytesByDataType()).containsEntry("FLOAT", 808L * 4);
        }
    }

    @Test
    void cnnFootprintMatchesTheHandCount() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.cnn(dir.resolve("cnn")))) {
            Footprint footprint = SavedModelFootprint.analyze(model, model.signature(), ShapeBinding.none());
            assertThat(footprint.macs()).isEqualTo(247_968);
        }
    }

    @Test
    void encoderFootprintMatchesTheHandCount() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.encoderBlock(dir.resolve("encoder")))) {
            Footprint footprint = SavedModelFootprint.analyze(model, model.signature(),
                    ShapeBinding.none().withInputShape("input_ids", 1, 8));
            assertThat(footprint.macs()).isEqualTo(2048 * 8 + 32 * 64);
        }
    }

    @Test
    void computeInsideLibraryFunctionsIsReportedAsNotCounted() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.withFunctionCall(dir.resolve("tf2")))) {
            Footprint footprint = SavedModelFootprint.analyze(model, model.signature(), ShapeBinding.none());
            assertThat(footprint.unresolvedNodes()).hasSize(1);
            assertThat(footprint.notes()).anyMatch(note -> note.contains("NOT counted"));
        }
    }
}
