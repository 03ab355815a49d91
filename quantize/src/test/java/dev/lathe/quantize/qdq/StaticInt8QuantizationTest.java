package dev.lathe.quantize.qdq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.PassFailedException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.calibration.ValueHistograms;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.NodeAttributes;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.Benchmark;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Static int8 (QDQ) on tiny models: the layout ONNX Runtime fuses, per-channel scales, fidelity, fallback. */
class StaticInt8QuantizationTest {
    private static final Map<String, long[]> IMAGE = Map.of("image", new long[] {1, 3, 16, 16});

    private static List<Map<String, TensorData>> samples(OnnxModel model, Map<String, long[]> shapes, long seed) {
        return InputGenerator.samples(model, shapes, 8, seed);
    }

    private static PassContext context(List<Map<String, TensorData>> samples) {
        return new PassContext(ShapeBinding.none(), samples, ProgressListener.none());
    }

    private static PassResult quantize(OnnxModel model, String spec, PassContext context) throws Exception {
        return PassRegistry.load().create(spec).apply(model, context);
    }

    private static List<String> opTypes(Graph graph) {
        return graph.nodes().stream().map(NodeProto::getOpType).toList();
    }

    private static NodeProto producer(Graph graph, String value) {
        return graph.producer(value).orElseThrow(() -> new AssertionError("nothing produces " + value));
    }

    private static double cosineMin(OnnxModel reference, OnnxModel candidate, List<Map<String, TensorData>> samples)
            throws Exception {
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            return FidelityMeter.compare(a, b, samples).cosineMin();
        }
    }

    private static Set<String> opTypesRun(OnnxModel model, Map<String, TensorData> inputs) throws Exception {
        BenchmarkOptions options = BenchmarkOptions.defaults().withRuns(1, 3)
                .withMemory(BenchmarkOptions.MemoryMeasurement.NONE).withProfile(true);
        return Benchmark.run(model, SessionSettings.cpu(), inputs, options).timeByOpTypeMs().keySet();
    }

    @Test
    void convolutionsGetPerChannelInt8WeightsInt32BiasesAndRunAsQLinearConv() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        List<Map<String, TensorData>> calibration = samples(cnn, IMAGE, 1);

        PassResult result = quantize(cnn, "quantize.static:fallback=false", context(calibration));

        OnnxModel quantized = result.model();
        Graph graph = quantized.graph();
        assertThat(opTypes(graph)).doesNotContain("BatchNormalization", "Relu").contains("QuantizeLinear");
        assertThat(result.details()).containsEntry("batchNormsFolded", 1).containsEntry("activations", "uint8");
        assertThat(result.details().get("quantized")).isEqualTo(Map.of("Conv", 1, "Conv+Relu", 1, "GlobalAveragePool", 1));
        List<NodeProto> convs = graph.nodes().stream().filter(n -> n.getOpType().equals("Conv")).toList();
        assertThat(convs).hasSize(2);
        NodeProto first = convs.get(0);
        NodeProto weight = producer(graph, first.getInput(1));
        assertThat(weight.getOpType()).isEqualTo("DequantizeLinear");
        assertThat(NodeAttributes.getInt(weight, "axis", -1)).isZero();
        TensorProto int8 = graph.initializer(weight.getInput(0)).orElseThrow();
        assertThat(int8.getDataType()).isEqualTo(DataType.INT8.code());
        assertThat(int8.getDimsList()).containsExactly(4L, 3L, 3L, 3L);
        assertThat(graph.initializer(weight.getInput(1)).orElseThrow().getDimsList()).containsExactly(4L);
        NodeProto bias = producer(graph, first.getInput(2));
        assertThat(graph.initializer(bias.getInput(0)).orElseThrow().getDataType()).isEqualTo(DataType.INT32.code());
        NodeProto input = producer(graph, first.getInput(0));
        assertThat(input.getOpType()).isEqualTo("DequantizeLinear");
        assertThat(graph.initializer(input.getInput(2)).orElseThrow().getDataType()).isEqualTo(DataType.UINT8.code());
        assertThat(graph.consumers(first.getOutput(0))).extracting(NodeProto::getOpType).containsExactly("QuantizeLinear");
        assertThat(ModelInvariants.violations(graph)).isEmpty();
        // One zero-point initializer per (type, value), however many pairs read it: they are a large share of a
        // small model's file otherwise.
        List<String> zeroPoints = graph.nodes().stream().filter(n -> n.getOpType().equals("QuantizeLinear"))
                .map(n -> n.getInput(2)).toList();
        assertThat(zeroPoints.size()).isGreaterThan(1);
        assertThat(zeroPoints.stream().distinct().map(z -> graph.initializer(z).orElseThrow()).map(t -> t.getDataType()
                + ":" + t.getRawData() + t.getInt32DataList())).doesNotHaveDuplicates();

        assertThat(cosineMin(cnn, quantized, samples(cnn, IMAGE, 2))).isGreaterThan(0.99);
        assertThat(opTypesRun(quantized, calibration.get(0))).contains("QLinearConv").doesNotContain("Conv");
        // Conv MACs for 16x16: 108·256 + 8·256, all of them in int8 now.
        Footprint footprint = FootprintAnalyzer.analyze(quantized, ShapeBinding.none().withInputShape("image", 1, 3, 16, 16));
        assertThat(footprint.macsByPrecision()).containsExactly(Map.entry("int8", 29_696L));
    }

    @Test
    void matMulAndGemmWeightsTakeOneScalePerOutputColumnAndRunInInt8() throws Exception {
        OnnxModel mlp = TestModels.mlp();
        Map<String, long[]> shapes = Map.of("x", new long[] {4, 4});
        List<Map<String, TensorData>> calibration = samples(mlp, shapes, 3);

        PassResult result = quantize(mlp, "quantize.static:fallback=false", context(calibration));

        Graph graph = result.model().graph();
        NodeProto gemm = graph.nodes().stream().filter(n -> n.getOpType().equals("Gemm")).findFirst().orElseThrow();
        NodeProto matMul = graph.nodes().stream().filter(n -> n.getOpType().equals("MatMul")).findFirst().orElseThrow();
        NodeProto gemmWeight = producer(graph, gemm.getInput(1));
        NodeProto matMulWeight = producer(graph, matMul.getInput(1));
        assertThat(NodeAttributes.getInt(gemmWeight, "axis", -1)).as("Gemm transB=1 weight [8, 4]").isZero();
        assertThat(NodeAttributes.getInt(matMulWeight, "axis", -1)).as("MatMul weight [8, 3]").isEqualTo(1);
        assertThat(graph.initializer(matMulWeight.getInput(1)).orElseThrow().getDimsList()).containsExactly(3L);
        assertThat(result.details().get("quantized")).isEqualTo(Map.of("Add", 1, "Gemm+Relu", 1, "MatMul", 1));
        assertThat(cosineMin(mlp, result.model(), samples(mlp, shapes, 4))).isGreaterThan(0.99);
        assertThat(opTypesRun(result.model(), calibration.get(0))).contains("QLinearMatMul").doesNotContain("MatMul");
    }

    @Test
    void whenTheFallbackLeavesNoConvolutionQuantizedTheFloatModelIsKept() throws Exception {
        // Input channel 0 holds ±1000 at one position and is weighted 0, channel 1 stays within ±1: the convolution's
        // 8-bit input wipes channel 1 out, so the fallback returns the convolution to float, while the Sigmoid after
        // it, reading values within ±3, quantizes well.
        TestModels.Builder g = TestModels.builder("conv_sigmoid");
        String x = g.input("x", DataType.FLOAT, 1, 2, 4, 4);
        String weight = g.floatInitializer("w", new long[] {2, 2, 1, 1}, 0, 1, 0, 0.5f);
        String conv = g.node("Conv", x, weight, g.floatInitializer("b", new long[] {2}, 0, 0))
                .intsAttr("kernel_shape", 1, 1).output();
        g.node("Sigmoid", conv).output("y");
        g.output("y", DataType.FLOAT, 1, 2, 4, 4);
        OnnxModel model = TestModels.model(g.build());
        List<Map<String, TensorData>> calibration = new ArrayList<>();
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 8; i++) {
            float[] values = new float[32];
            for (int j = 0; j < values.length; j++) {
                values[j] = (float) random.nextGaussian();
            }
            values[0] = i % 2 == 0 ? 1000 : -1000;
            calibration.add(Map.of("x", TensorData.ofFloats(new long[] {1, 2, 4, 4}, values)));
        }
        PassContext gated = new PassContext(ShapeBinding.none(), Optional.of(SampleSource.of("test", calibration)), 8,
                Optional.empty(), ValidationGate.parse("max-abs-error=0.02"), Optional.empty(), ProgressListener.none());

        PassResult result = quantize(model, "quantize.static", gated);

        assertThat(result.details().get("quantized").toString()).startsWith(
                "nothing: the fallback left no convolution or product quantized, so the float model is kept");
        assertThat(opTypes(result.model().graph())).containsExactly("Conv", "Sigmoid");
    }

    @Test
    void fallbackReturnsTheMostSensitiveNodesToFloatUntilTheGateHolds() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        List<Map<String, TensorData>> calibration = samples(cnn, IMAGE, 5);
        PassContext strict = new PassContext(ShapeBinding.none(), Optional.of(SampleSource.of("test", calibration)), 8,
                Optional.empty(), ValidationGate.parse("min-cosine=0.9999999"), Optional.empty(), ProgressListener.none());

        PassResult result = quantize(cnn, "quantize.static", strict);

        @SuppressWarnings("unchecked")
        Map<String, String> keptFloat = (Map<String, String>) result.details().get("keptFloat");
        assertThat(keptFloat).isNotEmpty();
        assertThat(result.details().get("fallback").toString()).contains("kept in float");
        // Bias corrections assume every convolution quantized: with nodes in float the original biases are used.
        assertThat(result.details().get("biasCorrection").toString())
                .endsWith("; not in the result, whose float nodes need the original biases");
        Graph graph = result.model().graph();
        for (String name : keptFloat.keySet()) {
            NodeProto node = graph.nodes().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
            Set<String> readsFrom = node.getInputList().stream().filter(input -> graph.producer(input).isPresent())
                    .map(input -> producer(graph, input).getOpType()).collect(Collectors.toSet());
            assertThat(readsFrom).as(name + " reads a dequantized weight or value").doesNotContain("DequantizeLinear");
        }
        assertThat(cosineMin(cnn, result.model(), calibration)).isGreaterThan(0.9999999);

        PassResult lenient = quantize(cnn, "quantize.static", context(calibration));
        assertThat(lenient.details()).containsEntry("fallback", "none needed (the gate held on calibration samples)")
                .doesNotContainKey("keptFloat");
    }

    @Test
    void hardSwishRunsInInt8WithItsConstantsStoredInEightBits() throws Exception {
        OnnxModel model = convHardSwishConv();
        Map<String, long[]> shapes = Map.of("x", new long[] {1, 2, 8, 8});
        List<Map<String, TensorData>> calibration = samples(model, shapes, 11);

        PassResult result = quantize(model, "quantize.static:fallback=false", context(calibration));

        Graph graph = result.model().graph();
        assertThat(opTypes(graph)).doesNotContain("Div", "Clip");
        assertThat(result.details()).containsEntry("divisionsToMultiplications", 1);
        assertThat(result.details().get("quantized")).isEqualTo(Map.of("Conv", 2, "Add+Clip", 1, "Mul", 2));
        NodeProto add = graph.nodes().stream().filter(n -> n.getOpType().equals("Add")).findFirst().orElseThrow();
        NodeProto three = producer(graph, add.getInput(1));
        assertThat(three.getOpType()).isEqualTo("DequantizeLinear");
        assertThat(graph.initializer(three.getInput(0)).orElseThrow().getDataType()).isEqualTo(DataType.UINT8.code());
        assertThat(cosineMin(model, result.model(), samples(model, shapes, 12))).isGreaterThan(0.99);
        assertThat(opTypesRun(result.model(), calibration.get(0))).contains("QLinearAdd", "QLinearMul", "QLinearConv")
                .doesNotContain("Add", "Mul", "Conv");
    }

    @Test
    void aHardSwishLeftInFloatBecomesHardSigmoidTimesX() throws Exception {
        OnnxModel model = convHardSwishConv();
        Map<String, long[]> shapes = Map.of("x", new long[] {1, 2, 8, 8});
        List<Map<String, TensorData>> calibration = samples(model, shapes, 11);

        PassResult result = quantize(model, "quantize.static:fallback=false,ops=Conv", context(calibration));

        assertThat(opTypes(result.model().graph())).contains("HardSigmoid").doesNotContain("Clip", "Add");
        assertThat(result.details()).containsEntry("hardSwishesRewritten", "1 left in float, as x * HardSigmoid(x)");
        assertThat(cosineMin(model, result.model(), samples(model, shapes, 12))).isGreaterThan(0.99);
    }

    /** Conv → hard-swish as exporters write it, x · (clip(x + 3, 0, 6) / 6) → Conv, on [1, 2, 8, 8]. */
    private static OnnxModel convHardSwishConv() {
        TestModels.Builder g = TestModels.builder("hard_swish");
        String x = g.input("x", DataType.FLOAT, 1, 2, 8, 8);
        String conv = g.node("Conv", x, g.weight("w", 4, 2, 1, 1), g.weight("b", 4)).intsAttr("kernel_shape", 1, 1).output();
        String shifted = g.node("Add", conv, g.scalar("three", 3f)).output();
        String clipped = g.node("Clip", shifted, g.scalar("zero", 0f), g.scalar("six", 6f)).output();
        String gate = g.node("Div", clipped, g.scalar("divisor", 6f)).output();
        String swish = g.node("Mul", conv, gate).output();
        g.node("Conv", swish, g.weight("w2", 2, 4, 1, 1), g.weight("b2", 2)).intsAttr("kernel_shape", 1, 1).output("y");
        g.output("y", DataType.FLOAT, 1, 2, 8, 8);
        return TestModels.model(g.build());
    }

    @Test
    void valuesThatALayerNormDividesByStayInFloat() throws Exception {
        TestModels.Builder g = TestModels.builder("layer_norm");
        String x = g.input("x", DataType.FLOAT, 1, 6, 8);
        String h = g.node("MatMul", x, g.weight("w", 8, 8)).output();
        String mean = g.node("ReduceMean", h).intsAttr("axes", -1).output();
        String centered = g.node("Sub", h, mean).output();
        String squared = g.node("Mul", centered, centered).output();
        String variance = g.node("ReduceMean", squared).intsAttr("axes", -1).output();
        String padded = g.node("Add", variance, g.scalar("eps", 1e-5f)).output();
        String deviation = g.node("Sqrt", padded).output();
        String normalized = g.node("Div", centered, deviation).output();
        g.node("MatMul", normalized, g.weight("w2", 8, 4)).output("y");
        g.output("y", DataType.FLOAT, 1, 6, 4);
        OnnxModel model = TestModels.model(g.build());
        Map<String, long[]> shapes = Map.of("x", new long[] {1, 6, 8});

        PassResult result = quantize(model, "quantize.static:fallback=false", context(samples(model, shapes, 13)));

        Graph graph = result.model().graph();
        assertThat(result.details().get("quantized")).isEqualTo(Map.of("MatMul", 2));
        NodeProto sqrt = graph.nodes().stream().filter(n -> n.getOpType().equals("Sqrt")).findFirst().orElseThrow();
        NodeProto div = graph.nodes().stream().filter(n -> n.getOpType().equals("Div")).findFirst().orElseThrow();
        assertThat(producer(graph, sqrt.getInput(0)).getOpType()).isEqualTo("Add");
        assertThat(div.getInputList()).allSatisfy(input -> assertThat(producer(graph, input).getOpType())
                .isNotEqualTo("DequantizeLinear"));
        assertThat(cosineMin(model, result.model(), samples(model, shapes, 14))).isGreaterThan(0.99);
    }

    @Test
    void tensorRtPlacementQuantizesOnlyWeightedInputsSymmetrically() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        List<Map<String, TensorData>> calibration = samples(cnn, IMAGE, 15);
        PassContext forTensorRt = new PassContext(ShapeBinding.none(), Optional.of(SampleSource.of("test", calibration)), 8,
                Optional.of(ProviderConfig.defaults(Provider.TENSORRT)), ValidationGate.taskDefaults(), Optional.empty(),
                ProgressListener.none());

        PassResult result = quantize(cnn, "quantize.static:fallback=false", forTensorRt);

        Graph graph = result.model().graph();
        assertThat(result.details()).containsEntry("placement", "tensorrt").containsEntry("activations", "int8-symmetric");
        assertThat(opTypes(graph)).contains("Relu").doesNotContain("BatchNormalization");
        for (NodeProto conv : graph.nodes().stream().filter(n -> n.getOpType().equals("Conv")).toList()) {
            NodeProto input = producer(graph, conv.getInput(0));
            assertThat(input.getOpType()).isEqualTo("DequantizeLinear");
            TensorProto zeroPoint = graph.initializer(input.getInput(2)).orElseThrow();
            assertThat(zeroPoint.getDataType()).isEqualTo(DataType.INT8.code());
            assertThat(result.model().tensorData(zeroPoint).toByteArray()).containsOnly((byte) 0);
            assertThat(graph.consumers(conv.getOutput(0))).extracting(NodeProto::getOpType).doesNotContain("QuantizeLinear");
            assertThat(graph.initializer(conv.getInput(2))).as("bias stays float").isPresent();
        }
        assertThat(cosineMin(cnn, result.model(), samples(cnn, IMAGE, 16))).isGreaterThan(0.99);
        PassResult forcedOnCpu = quantize(cnn, "quantize.static:fallback=false,placement=tensorrt", context(calibration));
        assertThat(forcedOnCpu.details()).containsEntry("placement", "tensorrt");
    }

    @Test
    void biasCorrectionGivesEveryConvolutionTheFloatChannelMeansOnTheCalibrationSamples() throws Exception {
        TestModels.Builder g = TestModels.builder("conv-chain");
        String x = g.input("x", DataType.FLOAT, 1, 4, 12, 12);
        String first = g.node("Conv", x, g.weight("w1", 8, 4, 3, 3), g.positiveWeight("b1", 8)).named("c1")
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String relu = g.node("Relu", first).output();
        String depthwise = g.node("Conv", relu, g.weight("w2", 8, 1, 3, 3)).named("c2").intsAttr("kernel_shape", 3, 3)
                .intsAttr("pads", 1, 1, 1, 1).intAttr("group", 8).output();
        g.node("Conv", depthwise, g.weight("w3", 4, 8, 1, 1), g.weight("b3", 4)).named("c3")
                .intsAttr("kernel_shape", 1, 1).output("y");
        g.output("y", DataType.FLOAT, 1, 4, 12, 12);
        OnnxModel model = TestModels.model(g.build());
        List<Map<String, TensorData>> calibration = samples(model, Map.of("x", new long[] {1, 4, 12, 12}), 30);
        List<String> convolutions = List.of("c1", "c2", "c3");
        Map<String, double[]> reference = channelMeans(model, convolutions, calibration);

        // Weights rounded to nearest: GPTQ would move the float means the correction aims at (see ConvRoundingTest).
        PassResult corrected = quantize(model, "quantize.static:fallback=false,weight-rounding=nearest",
                context(calibration));
        PassResult plain = quantize(model, "quantize.static:fallback=false,weight-rounding=nearest,bias-correction=false",
                context(calibration));

        // c2 has no bias: it is left without one (a new int32 bias would cost file size).
        assertThat((String) corrected.details().get("biasCorrection")).startsWith("2 convolutions, means over 8 calibration samples")
                .endsWith("; 1 without a bias left as they are");
        assertThat(corrected.model().graph().nodes().stream().filter(n -> n.getName().equals("c2")).findFirst()
                .orElseThrow().getInputCount()).isEqualTo(2);
        assertThat(plain.details()).containsEntry("biasCorrection", "off");
        assertThat(corrected.details()).containsEntry("weightRounding", "nearest");
        // On these random inputs GPTQ has nothing to exploit, and the pass measures nearest rounding better.
        assertThat((String) quantize(model, "quantize.static:fallback=false", context(calibration)).details()
                .get("weightRounding")).startsWith("nearest, GPTQ measured worse: on the 8 check samples mean output "
                        + "cosine ");
        // The pass takes its means over the first 8 calibration samples (all of them here): there each corrected
        // convolution's channel means equal the float model's, up to the int32 rounding of the corrected bias.
        Map<String, double[]> correctedMeans = channelMeans(corrected.model(), convolutions, calibration);
        correctedMeans.remove("c2");
        double correctedGap = largestMeanGap(correctedMeans, reference);
        double plainGap = largestMeanGap(channelMeans(plain.model(), convolutions, calibration), reference);
        // Measured: 1.5e-4 corrected (the int32 bias step, input scale times weight scale, is about that size
        // here), 1.6e-2 without.
        assertThat(correctedGap).isLessThan(1e-3);
        assertThat(plainGap).isGreaterThan(20 * correctedGap);
    }

    @Test
    void gptqRoundingIsKeptWhereItMeasuresBetterOnTheCheckSamples() throws Exception {
        OnnxModel model = ConvRoundingTest.convolutions();
        PassResult result = quantize(model, "quantize.static:fallback=false",
                context(ConvRoundingTest.smoothImages(12, 1)));

        String said = (String) result.details().get("weightRounding");
        assertThat(said).startsWith("gptq: 4 convolutions over 12 calibration samples")
                .contains("; on the 12 check samples mean output cosine ");
        Matcher scores = Pattern.compile("cosine ([0-9.]+) with GPTQ, ([0-9.]+) rounding")
                .matcher(said);
        assertThat(scores.find()).isTrue();
        assertThat(Double.parseDouble(scores.group(1))).isGreaterThanOrEqualTo(Double.parseDouble(scores.group(2)));
    }

    /** Each named Conv's output means per channel over the samples, by an independent run (optimizations off). */
    private static Map<String, double[]> channelMeans(OnnxModel model, List<String> convolutions,
            List<Map<String, TensorData>> samples) throws Exception {
        Map<String, String> outputs = convolutions.stream().collect(Collectors.toMap(name -> name,
                name -> model.graph().nodes().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow()
                        .getOutput(0)));
        Map<String, double[]> means = new java.util.HashMap<>();
        try (ModelSession session = ModelSession.open(model.exposing(outputs.values()),
                SessionSettings.cpu().withOptimization(false))) {
            for (Map<String, TensorData> sample : samples.subList(0, 8)) {
                Map<String, TensorData> results = session.run(sample);
                outputs.forEach((conv, value) -> {
                    float[] data = results.get(value).toFloatArray();
                    int channels = (int) results.get(value).shape()[1];
                    double[] mean = means.computeIfAbsent(conv, c -> new double[channels]);
                    int perChannel = data.length / channels;
                    for (int i = 0; i < data.length; i++) {
                        mean[i / perChannel] += data[i] / perChannel / 8.0;
                    }
                });
            }
        }
        return means;
    }

    /**
     * The largest gap between a model's channel means and the float model's, over the convolutions the first map
     * holds, relative to the largest float mean of that convolution.
     */
    private static double largestMeanGap(Map<String, double[]> candidate, Map<String, double[]> reference) {
        double largest = 0;
        for (Map.Entry<String, double[]> conv : candidate.entrySet()) {
            double[] expected = reference.get(conv.getKey());
            double scale = java.util.Arrays.stream(expected).map(Math::abs).max().orElseThrow();
            for (int c = 0; c < expected.length; c++) {
                largest = Math.max(largest, Math.abs(expected[c] - conv.getValue()[c]) / scale);
            }
        }
        return largest;
    }

    @Test
    void theModelsOutputsKeepTheirWholeRangeWhateverTheCalibration() throws Exception {
        TestModels.Builder g = TestModels.builder("probabilities");
        String x = g.input("x", DataType.FLOAT, 1, 2, 8, 8);
        String logits = g.node("Conv", x, g.weight("w", 1, 2, 1, 1), g.floatInitializer("b", new long[] {1}, -3f))
                .intsAttr("kernel_shape", 1, 1).output();
        g.node("Sigmoid", logits).output("y");
        g.output("y", DataType.FLOAT, 1, 1, 8, 8);
        OnnxModel model = TestModels.model(g.build());
        List<Map<String, TensorData>> calibration = samples(model, Map.of("x", new long[] {1, 2, 8, 8}), 40);

        PassResult entropy = quantize(model, "quantize.static:calibration=entropy,fallback=false", context(calibration));
        PassResult minMax = quantize(model, "quantize.static:calibration=minmax,fallback=false", context(calibration));

        // Mostly near 0 with a few large probabilities: KL divergence alone clips the output well below its maximum.
        assertThat(outputScale(entropy.model(), "y")).isEqualTo(outputScale(minMax.model(), "y"));
        assertThat((String) entropy.details().get("calibration"))
                .endsWith("; the model's outputs keep their whole range (min/max)");
    }

    /** The scale of the DequantizeLinear that writes a graph output. */
    private static float outputScale(OnnxModel model, String output) throws Exception {
        NodeProto dequantize = producer(model.graph(), output);
        assertThat(dequantize.getOpType()).isEqualTo("DequantizeLinear");
        return model.tensorData(model.graph().initializer(dequantize.getInput(1)).orElseThrow()).toFloatArray()[0];
    }

    @Test
    void aNodeKeptInFloatReadsTheClampedValueOfAReluThatAQuantizedConvAbsorbed() throws Exception {
        TestModels.Builder g = TestModels.builder("relu-then-float");
        String x = g.input("x", DataType.FLOAT, 1, 2, 8, 8);
        String conv = g.node("Conv", x, g.weight("w", 4, 2, 3, 3), g.weight("b", 4)).named("conv")
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String relu = g.node("Relu", conv).output();
        g.node("Mul", relu, g.scalar("two", 2f)).named("double").output("y");
        g.output("y", DataType.FLOAT, 1, 4, 8, 8);
        OnnxModel model = TestModels.model(g.build());
        List<Map<String, TensorData>> calibration = samples(model, Map.of("x", new long[] {1, 2, 8, 8}), 50);
        StaticInt8Settings settings = StaticInt8Settings.builder().build();
        ModelEditor editor = model.edit();
        Map<String, float[]> ranges = new java.util.LinkedHashMap<>();
        ValueHistograms.collect(model, QdqPlan.candidates(editor.mainGraph(), settings.filter()), calibration, 8)
                .histograms().forEach((value, histogram) -> ranges.put(value, histogram.minMax()));
        QdqPlan plan = QdqPlan.of(model, editor.mainGraph(), settings.filter(), Set.of("double"), ranges::containsKey,
                false);
        assertThat(plan.targets()).anyMatch(target -> target.name().equals("conv") && target.fused().isPresent());

        QdqWriter.write(model, editor.mainGraph(), plan, ranges, settings);
        editor.removeDeadNodes();
        OnnxModel quantized = editor.build();

        // The Relu is gone (the Conv's Q/DQ pair clamps at zero): the float Mul must read the dequantized value,
        // not the Conv's unclamped output (which gave negative outputs and, on PP-OCRv3 detection, an accuracy
        // fallback that made the map worse the more nodes it kept in float).
        assertThat(opTypes(quantized.graph())).doesNotContain("Relu");
        assertThat(producer(quantized.graph(), producer(quantized.graph(), "y").getInput(0)).getOpType())
                .isEqualTo("DequantizeLinear");
        assertThat(cosineMin(model, quantized, calibration)).isGreaterThan(0.999);
    }

    @Test
    void theSameSamplesGiveTheSameModel() throws Exception {
        OnnxModel cnn = TestModels.cnnWithBatchNorm();
        List<Map<String, TensorData>> calibration = samples(cnn, IMAGE, 6);

        byte[] once = quantize(cnn, "quantize.static:calibration=entropy", context(calibration)).model().proto().toByteArray();
        byte[] twice = quantize(cnn, "quantize.static:calibration=entropy", context(calibration)).model().proto().toByteArray();

        assertThat(once).isEqualTo(twice);
    }

    @Test
    void withoutCalibrationSamplesThePassRefuses() {
        assertThatThrownBy(() -> quantize(TestModels.cnnWithBatchNorm(), "quantize.static", context(List.of())))
                .isInstanceOf(PassFailedException.class).hasMessageContaining("quantize.static needs real calibration data");
    }

    @Test
    void anOpset12ModelIsRaisedTo13WithSqueezeAxesAsAnInput() throws Exception {
        TestModels.Builder g = TestModels.builder("opset12").opset("", 12);
        String x = g.input("x", DataType.FLOAT, 1, 2, 8, 8);
        String conv = g.node("Conv", x, g.weight("w", 4, 2, 1, 1), g.weight("b", 4)).intsAttr("kernel_shape", 1, 1).output();
        String pooled = g.node("GlobalAveragePool", conv).output();
        g.node("Squeeze", pooled).intsAttr("axes", 2, 3).output("y");
        g.output("y", DataType.FLOAT, 1, 4);
        OnnxModel model = TestModels.model(g.build());
        Map<String, long[]> shapes = Map.of("x", new long[] {1, 2, 8, 8});

        PassResult result = quantize(model, "quantize.static:fallback=false", context(samples(model, shapes, 7)));

        assertThat(result.model().opsetVersion("")).contains(13L);
        assertThat(result.details()).containsEntry("opset", "12 -> 13");
        NodeProto squeeze = result.model().graph().nodes().stream().filter(n -> n.getOpType().equals("Squeeze"))
                .findFirst().orElseThrow();
        assertThat(squeeze.getInputCount()).isEqualTo(2);
        assertThat(NodeAttributes.find(squeeze, "axes")).isEmpty();
        assertThat(cosineMin(model, result.model(), samples(model, shapes, 8))).isGreaterThan(0.99);
    }

    @Test
    void settingsRoundTripThroughTheirOptions() {
        StaticInt8Settings settings = StaticInt8Settings.builder().calibration(StaticInt8Settings.Calibration.ENTROPY)
                .activationType(StaticInt8Settings.ActivationType.INT8).reduceRange(true).biasCorrection(false).fallback(false).build();

        assertThat(StaticInt8Settings.from(settings.options())).isEqualTo(settings);
        assertThat(new StaticInt8Quantization(settings).options()).containsEntry("calibration", "entropy")
                .containsEntry("activations", "int8");
        assertThatThrownBy(() -> StaticInt8Settings.from(Map.of("calibration", "kl")))
                .hasMessageContaining("calibration").hasMessageContaining("entropy");
    }
}
