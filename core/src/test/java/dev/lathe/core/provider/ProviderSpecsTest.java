package dev.lathe.core.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.testing.TestModels;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Provider specifications: parsing, round trips, errors, and how they become ONNX Runtime options. */
class ProviderSpecsTest {

    @Test
    void parsesTypedOptions() {
        assertThat(ProviderSpecs.parse("cpu:threads=4,arena=false"))
                .isEqualTo(new ProviderConfig.Cpu(false, 4, 0, Map.of()));
        assertThat(ProviderSpecs.parse("CUDA:device=1,mem-limit=1000,cudnn-search=heuristic,cuda-graphs=1"))
                .isEqualTo(new ProviderConfig.Cuda(1, 1000, "HEURISTIC", true, Map.of()));
        ProviderConfig.TensorRt trt = (ProviderConfig.TensorRt) ProviderSpecs.parse(
                "tensorrt:fp16=true,engine-cache=/tmp/trt,min-shapes=ids:1x1;mask:1x1");
        assertThat(trt.fp16()).contains(true);
        assertThat(trt.int8()).isEmpty();
        assertThat(trt.engineCache()).contains(Path.of("/tmp/trt"));
        assertThat(trt.profileMinShapes()).contains("ids:1x1,mask:1x1");
        assertThat(ProviderSpecs.parse("openvino:device_type=GPU"))
                .isEqualTo(new ProviderConfig.Named(Provider.OPENVINO, Map.of("device_type", "GPU")));
    }

    @Test
    void formatRoundTrips() {
        for (String spec : new String[] {"cpu", "cpu:threads=2,session.intra_op.allow_spinning=0", "cuda:device=1",
                "tensorrt:int8=true,timing-cache=/tmp/t,max-shapes=a:4x128;b:4x128,trt_dla_enable=1", "dnnl:use_arena=0"}) {
            ProviderConfig config = ProviderSpecs.parse(spec);
            assertThat(ProviderSpecs.parse(ProviderSpecs.format(config))).as(spec).isEqualTo(config);
        }
    }

    @Test
    void errorsNameWhatIsValid() {
        assertThatThrownBy(() -> ProviderSpecs.parse("gpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown provider 'gpu'").hasMessageContaining("cpu, cuda, tensorrt");
        assertThatThrownBy(() -> ProviderSpecs.parse("cpu:treads=2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'treads'").hasMessageContaining("threads, inter-threads, arena");
        assertThatThrownBy(() -> ProviderSpecs.parse("cpu:threads=many")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads").hasMessageContaining("'many'");
        assertThatThrownBy(() -> ProviderSpecs.parse("cuda:cudnn-search=fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EXHAUSTIVE, HEURISTIC or DEFAULT");
    }

    @Test
    void tensorRtPrecisionFollowsTheModelUnlessSet() {
        ProviderConfig.TensorRt automatic = ProviderConfig.TensorRt.defaults();
        assertThat(automatic.ortOptions(new ModelPrecision(true, false)))
                .containsEntry("trt_fp16_enable", "1").containsEntry("trt_int8_enable", "0");
        assertThat(automatic.ortOptions(new ModelPrecision(false, true)))
                .containsEntry("trt_fp16_enable", "0").containsEntry("trt_int8_enable", "1");
        ProviderConfig.TensorRt forced = (ProviderConfig.TensorRt) ProviderSpecs.parse("tensorrt:fp16=false");
        assertThat(forced.ortOptions(new ModelPrecision(true, false))).containsEntry("trt_fp16_enable", "0");
        assertThat(forced.fp16()).isEqualTo(Optional.of(false));
    }

    @Test
    void modelPrecisionSeesFloat16WeightsAndQuantizedOps() {
        assertThat(ModelPrecision.of(TestModels.mlp())).isEqualTo(new ModelPrecision(false, false));
        TestModels.Builder g = TestModels.builder("qdq");
        String x = g.input("x", dev.lathe.core.model.DataType.FLOAT, 1, 4);
        String q = g.node("QuantizeLinear", x, g.scalar("scale", 0.1f)).output();
        g.node("DequantizeLinear", q, g.scalar("scale", 0.1f)).output("y");
        g.output("y", dev.lathe.core.model.DataType.FLOAT, 1, 4);
        assertThat(ModelPrecision.of(TestModels.model(g.build())).int8()).isTrue();
    }
}
