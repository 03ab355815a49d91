package dev.lathe.tensorflow.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.report.ConversionFidelity;
import dev.lathe.tensorflow.SavedModel;
import dev.lathe.tensorflow.SavedModelFootprint;
import dev.lathe.tensorflow.SignatureInfo;
import dev.lathe.tensorflow.SignatureInputs;
import dev.lathe.tensorflow.TestSavedModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxConverterTest {
    @TempDir
    Path dir;

    @Test
    void mlpConvertsExactly() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.mlp(dir.resolve("mlp")))) {
            OnnxModel onnx = check(model, ShapeBinding.none().withInputShape("x", 3, 16));
            assertThat(ops(onnx)).contains("MatMul").doesNotContain("Transpose");
        }
    }

    @Test
    void cnnConvertsExactlyWithOneTranspose() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.cnn(dir.resolve("cnn")))) {
            OnnxModel onnx = check(model, ShapeBinding.none().withInputShape("image", 2, 32, 32, 3));
            assertThat(ops(onnx).stream().filter("Transpose"::equals)).hasSize(1);
        }
    }

    @Test
    void encoderBlockConvertsExactly() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.encoderBlock(dir.resolve("encoder")))) {
            OnnxModel onnx = check(model, ShapeBinding.none().withInputShape("input_ids", 2, 8));
            assertThat(ops(onnx)).doesNotContain("Einsum");
        }
    }

    @Test
    void lessCommonOpsConvertExactly() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.oddsAndEnds(dir.resolve("odds")))) {
            OnnxModel onnx = check(model, ShapeBinding.none().withInputShape("x", 2, 8, 8, 4));
            assertThat(ops(onnx)).contains("ConvTranspose", "Pad", "Tile", "Where", "LogSoftmax", "Sum");
        }
    }

    @Test
    void aLibraryFunctionCallIsRefusedWithTheReason() throws Exception {
        try (SavedModel model = TestSavedModels.load(TestSavedModels.withFunctionCall(dir.resolve("tf2")))) {
            assertThatThrownBy(() -> OnnxConverter.convert(model, model.signature()))
                    .isInstanceOf(UnsupportedOpsException.class)
                    .hasMessageContaining("PartitionedCall (node")
                    .hasMessageContaining("does not inline functions yet");
        }
    }

    private static OnnxModel check(SavedModel model, ShapeBinding binding) throws Exception {
        SignatureInfo signature = model.signature();
        OnnxModel onnx = OnnxConverter.convert(model, signature);
        Map<String, long[]> shapes = SignatureInputs.shapes(signature, binding);
        List<Map<String, TensorData>> samples = new ArrayList<>();
        Random random = new Random(7);
        for (int s = 0; s < 3; s++) {
            Map<String, TensorData> sample = SignatureInputs.generate(signature, shapes, s);
            if (sample.containsKey("input_ids")) {
                long[] shape = shapes.get("input_ids");
                int[] ids = new int[(int) TensorData.elementCount(shape)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = random.nextInt(50);
                }
                sample = Map.of("input_ids", TensorData.ofInts(shape, ids));
            }
            samples.add(sample);
        }
        ConversionFidelity fidelity = ConversionCheck.measure(model, signature, onnx, samples);
        assertThat(fidelity.relativeError()).isLessThanOrEqualTo(ConversionFidelity.TOLERANCE);
        Footprint tf = SavedModelFootprint.analyze(model, signature, binding);
        Footprint converted = FootprintAnalyzer.analyze(onnx, binding);
        assertThat(converted.macs()).isEqualTo(tf.macs());
        return onnx;
    }

    private static List<String> ops(OnnxModel model) {
        return model.proto().getGraph().getNodeList().stream().map(n -> n.getOpType()).toList();
    }
}
