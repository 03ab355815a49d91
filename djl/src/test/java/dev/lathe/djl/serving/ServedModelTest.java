package dev.lathe.djl.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.ProviderUnavailableException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderCatalog;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import dev.lathe.djl.serving.ServingOptions.Optimization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedModelTest {
    @TempDir
    Path dir;

    private Path write(OnnxModel model, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, model.proto().toByteArray());
        return file;
    }

    private static void assertClose(Map<String, TensorData> actual, Map<String, TensorData> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, tensor) -> {
            assertThat(actual.get(name).dataType()).as(name).isEqualTo(tensor.dataType());
            assertThat(actual.get(name).shape()).as(name).containsExactly(tensor.shape());
            float[] want = tensor.toFloatArray();
            float[] got = actual.get(name).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertThat(Math.abs(got[i] - want[i])).as("%s[%d]", name, i)
                        .isLessThanOrEqualTo(1e-5f * Math.max(1f, Math.abs(want[i])));
            }
        });
    }

    @Test
    void servesASmallModelWithTheSameOutputsAsModelSession() throws Exception {
        OnnxModel mlp = TestModels.mlp();
        Path file = write(mlp, "mlp.onnx");
        float[] x = new float[3 * 4];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Map<String, TensorData> inputs = Map.of("x", TensorData.ofFloats(new long[] {3, 4}, x));

        Map<String, TensorData> expected;
        try (ModelSession session = ModelSession.open(mlp, SessionSettings.cpu())) {
            expected = session.run(inputs);
        }
        ServingOptions options = ServingOptions.cpu().withThreads(1, 1).withOptimization(Optimization.EXTENDED);
        try (ServedModel served = ServedModel.load(file, options)) {
            assertThat(served.inputNames()).containsExactly("x");
            assertClose(served.run(inputs), expected);

            // The ZooModel is an ordinary DJL model: a Predictor over NDList works as well.
            try (NDManager manager = served.zooModel().getNDManager().newSubManager();
                    Predictor<NDList, NDList> predictor = served.zooModel().newPredictor()) {
                NDArray array = manager.create(x, new Shape(3, 4));
                NDList out = predictor.predict(new NDList(array));
                assertThat(out.singletonOrThrow().toFloatArray()).containsExactly(expected.get("y").toFloatArray());
            }
        }
        ServedModel closed = ServedModel.load(file, options);
        closed.close();
        closed.close(); // harmless
        assertThatThrownBy(closed::zooModel).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void servesMiniLmWithTheSameEmbeddingsAsModelSession() throws Exception {
        Path file = RealModels.miniLm(dir);
        long[] ids = {101, 7592, 2088, 1010, 2023, 2003, 1037, 3231, 6251, 1012, 102};
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1);
        long[] shape = {1, ids.length};
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", TensorData.ofLongs(shape, ids));
        inputs.put("attention_mask", TensorData.ofLongs(shape, mask));
        inputs.put("token_type_ids", TensorData.ofLongs(shape, new long[ids.length]));

        Map<String, TensorData> expected;
        try (ModelSession session = ModelSession.open(OnnxModel.load(file), SessionSettings.cpu())) {
            expected = session.run(inputs);
        }
        try (ServedModel served = ServedModel.load(file, ServingOptions.cpu().withThreads(2, 1))) {
            Map<String, TensorData> actual = served.run(inputs);
            assertClose(actual, expected);
            assertThat(actual.values().iterator().next().shape()).containsExactly(1, ids.length, 384);
        }
    }

    @Test
    void optionsUseTheNamesDjlReads() {
        assertThat(ServingOptions.cpu().criteriaOptions()).containsExactly(Map.entry("optLevel", "ALL_OPT"));
        assertThat(ServingOptions.cpu().withThreads(4, 2).withOptimization(Optimization.NONE).criteriaOptions())
                .containsExactly(Map.entry("intraOpNumThreads", "4"), Map.entry("interOpNumThreads", "2"),
                        Map.entry("optLevel", "NO_OPT"));
        assertThat(ServingOptions.cuda(1).device().isGpu()).isTrue();
        assertThat(ServingOptions.cuda(1).device().getDeviceId()).isEqualTo(1);
        assertThat(ServingOptions.cuda(0).criteriaOptions()).doesNotContainKey("ortDevice");
        assertThat(ServingOptions.tensorrt(0).criteriaOptions()).containsEntry("ortDevice", "TensorRT");
        assertThat(ServingOptions.cpu().device().isGpu()).isFalse();
        assertThatThrownBy(() -> new ServingOptions(Provider.OPENVINO, 0, 0, 0, Optimization.ALL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openvino")
                .hasMessageContaining("[cpu, cuda, tensorrt, rocm, coreml]");
        assertThatThrownBy(() -> ServingOptions.cpu().withThreads(-1, 0)).hasMessageContaining("must not be negative");
    }

    @Test
    void errorsNameTheFileAndTheProvider() throws Exception {
        assertThatThrownBy(() -> ServedModel.load(dir.resolve("missing.onnx"), ServingOptions.cpu()))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("missing.onnx: no such model file");
        Path text = Files.writeString(dir.resolve("model.txt"), "x");
        assertThatThrownBy(() -> ServedModel.load(text, ServingOptions.cpu()))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining(".onnx files only");
        Path garbage = Files.write(dir.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> ServedModel.load(garbage, ServingOptions.cpu()))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("garbage.onnx");
        if (!ProviderCatalog.system().availability(Provider.CUDA).available()) {
            Path mlp = write(TestModels.mlp(), "mlp.onnx");
            assertThatThrownBy(() -> ServedModel.load(mlp, ServingOptions.cuda(0)))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("mlp.onnx").hasMessageContaining("cuda");
        }
    }

    @Test
    void runRejectsTypesDjlCannotCarry() throws Exception {
        Path file = write(TestModels.mlp(), "mlp.onnx");
        try (ServedModel served = ServedModel.load(file, ServingOptions.cpu())) {
            Map<String, TensorData> inputs = Map.of("x", TensorData.ofSmallValues(DataType.UINT16, new long[] {1, 4}, 1, 2, 3, 4));
            assertThatThrownBy(() -> served.run(inputs)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("input x").hasMessageContaining("UINT16");
        }
    }
}
