package dev.lathe.quantize.fp16;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.PassFailedException;
import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code quantize.fp16} on the tiny test models: ONNX Runtime loads and runs every result, outputs stay
 * within a relative 1e-2 of float32 (relative to the output's largest magnitude), and the graph shows the
 * expected types, Casts and constants.
 */
class Float16ConversionTest {
    private static final PassContext CONTEXT = new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none());
    private static final double TOLERANCE = 1e-2;

    private static PassResult convert(OnnxModel model, String spec) {
        try {
            return PassRegistry.load().create(spec).apply(model, CONTEXT);
        } catch (Exception e) {
            throw new AssertionError("conversion with " + spec + " failed", e);
        }
    }

    private static Map<String, long[]> shapes(String model) {
        return switch (model) {
            case "mlp", "constantNodeWeights" -> Map.of("x", new long[] {2, 4});
            case "cnnWithBatchNorm" -> Map.of("image", new long[] {1, 3, 6, 5});
            case "transformerBlock" -> Map.of("input_ids", new long[] {2, 5}, "attention_mask", new long[] {2, 5});
            case "ifSubgraphWeights" -> Map.of("x", new long[] {1, 4}, "flag", new long[0]);
            default -> throw new IllegalArgumentException(model);
        };
    }

    private static OnnxModel testModel(String name) {
        return switch (name) {
            case "mlp" -> TestModels.mlp();
            case "constantNodeWeights" -> TestModels.constantNodeWeights();
            case "cnnWithBatchNorm" -> TestModels.cnnWithBatchNorm();
            case "transformerBlock" -> TestModels.transformerBlock();
            case "ifSubgraphWeights" -> TestModels.ifSubgraphWeights();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Stream<Arguments> modelsAndOptions() {
        return Stream.of("mlp", "constantNodeWeights", "cnnWithBatchNorm", "transformerBlock", "ifSubgraphWeights")
                .flatMap(model -> Stream.of("", ":target=gpu", ":target=gpu,keep-io-types=false", ":compute=fp32")
                        .map(options -> Arguments.of(model, options)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndOptions")
    void everyResultRunsInOnnxRuntimeWithinTolerance(String name, String options) throws Exception {
        OnnxModel model = testModel(name);

        PassResult result = convert(model, Float16Conversion.NAME + options);

        assertThat(ModelInvariants.violations(result.model().graph())).isEmpty();
        assertSameOutputs(model, result.model(), InputGenerator.generate(model, shapes(name), 1));
        assertThat(result.details()).containsKeys("nodesConverted", "constantsConverted", "valuesConverted",
                "castsInserted", "nodesKeptInFloat32", "constantsClamped", "valuesClamped");
    }

    @Test
    void cpuTargetRunsGemmAndMatMulInFloat16AndKeepsTheRestWithCasts() throws Exception {
        OnnxModel mlp = TestModels.mlp();

        PassResult result = convert(mlp, "quantize.fp16:compute=fp16");

        OnnxModel converted = result.model();
        assertThat(initializerType(converted, "w1")).isEqualTo(DataType.FLOAT16);
        assertThat(initializerType(converted, "b1")).isEqualTo(DataType.FLOAT16);
        assertThat(initializerType(converted, "w2")).isEqualTo(DataType.FLOAT16);
        assertThat(initializerType(converted, "b2")).isEqualTo(DataType.FLOAT);
        assertThat(elemType(converted.graph().inputs().get(0))).isEqualTo(DataType.FLOAT);
        assertThat(elemType(converted.graph().outputs().get(0))).isEqualTo(DataType.FLOAT);
        // x → fp16 for Gemm, Gemm → fp32 for Relu, Relu → fp16 for MatMul, MatMul → fp32 for Add.
        assertThat(result.details()).containsEntry("castsInserted", 4).containsEntry("constantsConverted", 3)
                .containsEntry("nodesConverted", 2).containsEntry("nodesKeptInFloat32", Map.of("Add", 1, "Relu", 1));
        assertThat(opTypes(converted)).filteredOn("Cast"::equals).hasSize(4);
    }

    @Test
    void targetAndComputeFollowTheSelectedProviderByDefault() throws Exception {
        OnnxModel mlp = TestModels.mlp();
        PassContext cuda = new PassContext(ShapeBinding.none(), Optional.empty(), PassContext.DEFAULT_CALIBRATION_LIMIT,
                Optional.of(ProviderConfig.defaults(Provider.CUDA)), ProgressListener.none());

        PassResult withoutProvider = convert(mlp, "quantize.fp16");
        PassResult onCuda = PassRegistry.load().create("quantize.fp16").apply(mlp, cuda);

        // No provider (or the CPU): float16 storage, float32 arithmetic, since the CPU's float16 MatMul is slow.
        assertThat(withoutProvider.details().get("target")).isEqualTo("cpu (auto: no provider selected)");
        assertThat(withoutProvider.details().get("compute")).isEqualTo(
                "fp32: weights stored in float16 (auto: the CPU provider's float16 MatMul is several times slower than float32)");
        assertThat(withoutProvider.model().proto()).isEqualTo(convert(mlp, "quantize.fp16:target=cpu,compute=fp32").model().proto());
        assertThat(onCuda.details().get("target")).isEqualTo("gpu (auto: the cuda provider)");
        assertThat(onCuda.details().get("compute")).isEqualTo("fp16 (auto: GPU providers have float16 kernels)");
        assertThat(onCuda.model().proto()).isEqualTo(convert(mlp, "quantize.fp16:target=gpu,compute=fp16").model().proto());
    }

    @Test
    void keepIoTypesFalseExposesFloat16InputsAndOutputs() throws Exception {
        OnnxModel mlp = TestModels.mlp();

        PassResult result = convert(mlp, "quantize.fp16:target=gpu,keep-io-types=false");

        OnnxModel converted = result.model();
        assertThat(elemType(converted.graph().inputs().get(0))).isEqualTo(DataType.FLOAT16);
        assertThat(elemType(converted.graph().outputs().get(0))).isEqualTo(DataType.FLOAT16);
        assertThat(result.details()).containsEntry("castsInserted", 0).containsEntry("nodesKeptInFloat32", Map.of());
        assertThat(opTypes(converted)).doesNotContain("Cast");
        Map<String, TensorData> inputs = InputGenerator.generate(mlp, shapes("mlp"), 3);
        float[] x = inputs.get("x").toFloatArray();
        try (ModelSession half = ModelSession.open(converted, SessionSettings.cpu())) {
            TensorData y = half.run(Map.of("x", TensorData.ofFloat16(new long[] {2, 4}, x))).get("y");
            assertThat(y.dataType()).isEqualTo(DataType.FLOAT16);
            assertClose(run(mlp, inputs).get("y").toFloatArray(), y.toFloatArray(), "y");
        }
    }

    @Test
    void keepIoTypesTrueCastsAtTheBoundary() throws Exception {
        PassResult result = convert(TestModels.mlp(), "quantize.fp16:target=gpu");

        OnnxModel converted = result.model();
        assertThat(elemType(converted.graph().inputs().get(0))).isEqualTo(DataType.FLOAT);
        assertThat(elemType(converted.graph().outputs().get(0))).isEqualTo(DataType.FLOAT);
        assertThat(result.details()).containsEntry("castsInserted", 2);
        NodeProto last = converted.graph().producer("y").orElseThrow();
        assertThat(last.getOpType()).isEqualTo("Cast");
        assertThat(last.getAttribute(0).getI()).isEqualTo(DataType.FLOAT.code());
        NodeProto first = converted.graph().consumers("x").get(0);
        assertThat(first.getOpType()).isEqualTo("Cast");
        assertThat(first.getAttribute(0).getI()).isEqualTo(DataType.FLOAT16.code());
    }

    @Test
    void gpuTargetConvertsTheWholeTransformerBlockAndLeavesIntegersAlone() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        PassResult result = convert(block, "quantize.fp16:target=gpu");

        OnnxModel converted = result.model();
        for (TensorProto initializer : converted.graph().initializers().values()) {
            TensorProto original = block.graph().initializer(initializer.getName()).orElseThrow();
            DataType expected = original.getDataType() == DataType.FLOAT.code() ? DataType.FLOAT16
                    : DataType.fromCode(original.getDataType()).orElseThrow();
            assertThat(DataType.fromCode(initializer.getDataType())).as(initializer.getName()).contains(expected);
            if (expected != DataType.FLOAT16) {
                assertThat(initializer).isEqualTo(original);
            }
        }
        NodeProto maskCast = converted.graph().consumers("attention_mask").get(0);
        assertThat(maskCast.getOpType()).isEqualTo("Cast");
        assertThat(maskCast.getAttribute(0).getI()).isEqualTo(DataType.FLOAT16.code());
        assertThat(result.details()).containsEntry("castsInserted", 1).containsEntry("nodesKeptInFloat32", Map.of());
    }

    @Test
    void cpuTargetKeepsOperatorsWithoutCpuFloat16Kernels() throws Exception {
        PassResult result = convert(TestModels.transformerBlock(), "quantize.fp16:compute=fp16");

        @SuppressWarnings("unchecked")
        Map<String, Integer> kept = (Map<String, Integer>) result.details().get("nodesKeptInFloat32");
        assertThat(kept).containsKeys("Add", "Softmax", "Sigmoid", "Div", "Mul", "Sub").doesNotContainKeys("MatMul",
                "Reshape", "Transpose");
        for (NodeProto node : result.model().graph().nodes()) {
            if (node.getOpType().equals("MatMul")) {
                for (String input : node.getInputList()) {
                    assertThat(valueType(result.model(), input)).as(node.getName() + " reads " + input)
                            .isEqualTo(DataType.FLOAT16);
                }
            }
        }
    }

    @Test
    void blockListKeepsOperatorsInFloat32BehindCasts() throws Exception {
        PassResult result = convert(TestModels.mlp(), "quantize.fp16:target=gpu,block=MatMul");

        OnnxModel converted = result.model();
        assertThat(result.details()).containsEntry("nodesKeptInFloat32", Map.of("MatMul", 1));
        assertThat(initializerType(converted, "w2")).isEqualTo(DataType.FLOAT);
        NodeProto matMul = converted.graph().nodes().stream().filter(n -> n.getOpType().equals("MatMul")).findFirst()
                .orElseThrow();
        NodeProto feeding = converted.graph().producer(matMul.getInput(0)).orElseThrow();
        assertThat(feeding.getOpType()).isEqualTo("Cast");
        assertThat(feeding.getAttribute(0).getI()).isEqualTo(DataType.FLOAT.code());
        assertThat(((Float16Conversion) PassRegistry.load().create("quantize.fp16:block=MatMul")).blockList())
                .contains("MatMul", "Range", "Add");
    }

    @Test
    void excludedNodesStayInFloat32() throws Exception {
        PassResult result = convert(TestModels.mlp(), "quantize.fp16:target=gpu,exclude=Gemm");

        assertThat(result.details()).containsEntry("nodesKeptInFloat32", Map.of("Gemm", 1));
        assertThat(initializerType(result.model(), "w1")).isEqualTo(DataType.FLOAT);
        assertThat(initializerType(result.model(), "w2")).isEqualTo(DataType.FLOAT16);
    }

    @Test
    void aSmallConstantReadByBothSidesGetsAFloat32Copy() throws Exception {
        TestModels.Builder g = TestModels.builder("shared_constant");
        String x = g.input("x", DataType.FLOAT, 2, 4);
        String scale = g.weight("scale", 4);
        String product = g.node("MatMul", g.node("Mul", x, scale).output(), g.weight("w", 4, 4)).output();
        g.node("Add", product, scale).named("bias_add").output("y");
        g.output("y", DataType.FLOAT, 2, 4);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = convert(model, "quantize.fp16:target=gpu,exclude=bias_add");

        assertThat(initializerType(result.model(), "scale")).isEqualTo(DataType.FLOAT16);
        assertThat(initializerType(result.model(), "scale_fp32")).isEqualTo(DataType.FLOAT);
        assertThat(result.details()).containsEntry("constantsDuplicatedInFloat32", 1);
        assertSameOutputs(model, result.model(), InputGenerator.generate(model, Map.of("x", new long[] {2, 4}), 2));
    }

    @Test
    void outOfRangeConstantsAreClampedAndTinyOnesKeptAsSmallestSubnormal() throws Exception {
        TestModels.Builder g = TestModels.builder("extreme_constants");
        String x = g.input("x", DataType.FLOAT, 1, 5);
        String c = g.floatInitializer("c", new long[] {1, 5}, 1e6f, -3.4e38f, 1e-10f, 0.5f, Float.NEGATIVE_INFINITY);
        g.node("Add", x, c).output("y");
        g.output("y", DataType.FLOAT, 1, 5);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = convert(model, "quantize.fp16:target=gpu");

        assertThat(result.details()).containsEntry("constantsClamped", 1).containsEntry("valuesClamped", 2L)
                .containsEntry("valuesRaisedToSmallestSubnormal", 1L);
        float[] stored = result.model().tensorData(result.model().graph().initializer("c").orElseThrow()).toFloatArray();
        assertThat(stored).containsExactly(65504f, -65504f, 0x1p-24f, 0.5f, Float.NEGATIVE_INFINITY);
        try (ModelSession session = ModelSession.open(result.model(), SessionSettings.cpu())) {
            float[] y = session.run(Map.of("x", TensorData.ofFloats(new long[] {1, 5}, 0, 0, 0, 0, 0))).get("y").toFloatArray();
            assertThat(y).containsExactly(65504f, -65504f, 0x1p-24f, 0.5f, Float.NEGATIVE_INFINITY);
        }
    }

    @Test
    void aNodeReadingAConstantBeyondFloat16RangeStaysFloat32UnlessClampingIsHarmless() throws Exception {
        TestModels.Builder g = TestModels.builder("huge_variance");
        String x = g.input("x", DataType.FLOAT, 1, 2, 3, 3);
        String variance = g.floatInitializer("variance", new long[] {2}, 4.8e7f, 0.5f);
        String normalized = g.node("BatchNormalization", x, g.positiveWeight("scale", 2), g.weight("bias", 2),
                g.weight("mean", 2), variance).named("bn").output();
        String mask = g.floatInitializer("mask", new long[] {1, 2, 1, 1}, 0f, -3.4e38f);
        g.node("Add", normalized, mask).output("y");
        g.output("y", DataType.FLOAT, 1, 2, 3, 3);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = convert(model, "quantize.fp16:target=gpu");

        assertThat(result.details()).containsEntry("nodesKeptForOutOfRangeConstants", 1)
                .containsEntry("nodesKeptInFloat32", Map.of("BatchNormalization", 1)).containsEntry("constantsClamped", 1);
        assertThat(initializerType(result.model(), "variance")).isEqualTo(DataType.FLOAT);
        assertThat(initializerType(result.model(), "mask")).isEqualTo(DataType.FLOAT16);
        Map<String, TensorData> inputs = InputGenerator.generate(model, Map.of("x", new long[] {1, 2, 3, 3}), 7);
        float[] expected = run(model, inputs).get("y").toFloatArray();
        float[] actual = run(result.model(), inputs).get("y").toFloatArray();
        for (int i = 0; i < 9; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-2f));
            assertThat(actual[9 + i]).isLessThan(-65000f).isFinite();
        }
    }

    @Test
    void constantNodeValuesAreConverted() throws Exception {
        PassResult result = convert(TestModels.constantNodeWeights(), "quantize.fp16:target=gpu");

        List<NodeProto> constants = result.model().graph().nodes().stream().filter(Graph::isConstantNode).toList();
        assertThat(constants).hasSize(4);
        for (NodeProto constant : constants) {
            assertThat(Graph.constantNodeValue(constant).orElseThrow().getDataType()).as(constant.getOutput(0))
                    .isEqualTo(DataType.FLOAT16.code());
        }
        assertThat(result.details()).containsEntry("constantsConverted", 4);
    }

    @Test
    void ifSubgraphWeightsAreConvertedAndBranchOutputsKeepTheirTypes() throws Exception {
        OnnxModel model = TestModels.ifSubgraphWeights();

        PassResult result = convert(model, "quantize.fp16:compute=fp16");

        List<Graph> branches = result.model().graph().withAllSubgraphs().subList(1, 3);
        for (Graph branch : branches) {
            assertThat(branch.initializers().values()).extracting(TensorProto::getDataType)
                    .containsOnly(DataType.FLOAT16.code());
            assertThat(elemType(branch.outputs().get(0))).isEqualTo(DataType.FLOAT);
            assertThat(branch.nodes()).extracting(NodeProto::getOpType).contains("Cast", "MatMul");
        }
        for (boolean flag : new boolean[] {true, false}) {
            Map<String, TensorData> inputs = new LinkedHashMap<>(InputGenerator.generate(model, shapes("ifSubgraphWeights"), 4));
            inputs.put("flag", TensorData.ofBooleans(new long[0], flag));
            assertSameOutputs(model, result.model(), inputs);
        }
    }

    @Test
    void loopBodiesAreConvertedBehindFloat32Boundaries() throws Exception {
        TestModels.Builder g = TestModels.builder("loop");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        TestModels.Builder body = g.subgraph("body");
        body.input("iteration", DataType.INT64);
        String condition = body.input("condition", DataType.BOOL);
        String state = body.input("state", DataType.FLOAT, 1, 4);
        body.node("Identity", condition).output("condition_out");
        body.node("Tanh", body.node("MatMul", state, body.weight("w_body", 4, 4)).output()).output("state_out");
        body.output("condition_out", DataType.BOOL).output("state_out", DataType.FLOAT, 1, 4);
        String trips = g.int64Initializer("trips", new long[0], 3);
        String always = g.initializer("always", TensorData.ofBooleans(new long[0], true));
        g.node("Loop", trips, always, x).graphAttr("body", body.buildGraph()).output("y");
        g.output("y", DataType.FLOAT, 1, 4);
        OnnxModel model = TestModels.model(g.build());

        for (String options : List.of(":compute=fp16", ":target=gpu")) {
            PassResult result = convert(model, "quantize.fp16" + options);

            Graph converted = result.model().graph().withAllSubgraphs().get(1);
            assertThat(DataType.fromCode(converted.initializer("w_body").orElseThrow().getDataType())).contains(DataType.FLOAT16);
            assertThat(converted.proto().getInputList()).extracting(Float16ConversionTest::elemType)
                    .containsExactly(DataType.INT64, DataType.BOOL, DataType.FLOAT);
            assertThat(converted.outputs()).extracting(Float16ConversionTest::elemType).containsExactly(DataType.BOOL, DataType.FLOAT);
            assertSameOutputs(model, result.model(), InputGenerator.generate(model, Map.of("x", new long[] {1, 4}), 8));
        }
    }

    @Test
    void declaredValueTypesFollowTheConversion() throws Exception {
        OnnxModel plain = TestModels.mlp();
        var proto = plain.proto().toBuilder();
        for (NodeProto node : plain.graph().nodes()) {
            for (String output : node.getOutputList()) {
                if (!output.equals("y")) {
                    proto.getGraphBuilder().addValueInfo(ValueInfoProto.newBuilder().setName(output).setType(
                            plain.graph().inputs().get(0).getType().toBuilder().clearTensorType().setTensorType(
                                    plain.graph().inputs().get(0).getType().getTensorType().toBuilder().clearShape())));
                }
            }
        }
        OnnxModel model = TestModels.model(proto.build());

        PassResult result = convert(model, "quantize.fp16:target=gpu");

        assertThat(result.model().graph().proto().getValueInfoList()).extracting(Float16ConversionTest::elemType)
                .containsOnly(DataType.FLOAT16);
        assertSameOutputs(model, result.model(), InputGenerator.generate(model, shapes("mlp"), 9));
    }

    @Test
    void convertedConstantOfShapeFillsWithFloat16() throws Exception {
        TestModels.Builder g = TestModels.builder("constant_of_shape");
        String x = g.input("x", DataType.FLOAT, 2, 3);
        TensorProto fill = TensorCodec.encode("fill", TensorData.ofFloats(new long[] {1}, 1.5f));
        String filled = g.node("ConstantOfShape", g.node("Shape", x).output()).tensorAttr("value", fill).output();
        g.node("Mul", x, filled).output("y");
        g.output("y", DataType.FLOAT, 2, 3);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = convert(model, "quantize.fp16:target=gpu");

        NodeProto node = result.model().graph().nodes().stream().filter(n -> n.getOpType().equals("ConstantOfShape"))
                .findFirst().orElseThrow();
        assertThat(node.getAttribute(0).getT().getDataType()).isEqualTo(DataType.FLOAT16.code());
        assertSameOutputs(model, result.model(), InputGenerator.generate(model, Map.of("x", new long[] {2, 3}), 5));
    }

    @Test
    void weightsOnlyStoresLargeWeightsInFloat16AndComputesInFloat32() throws Exception {
        TestModels.Builder g = TestModels.builder("weights_only");
        String x = g.input("x", DataType.FLOAT, 2, 64);
        String hidden = g.node("Add", g.node("MatMul", x, g.weight("w", 64, 128)).output(), g.weight("b", 128)).output();
        g.node("Relu", hidden).output("y");
        g.output("y", DataType.FLOAT, 2, 128);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = convert(model, "quantize.fp16:compute=fp32");

        assertThat(initializerType(result.model(), "w")).isEqualTo(DataType.FLOAT16);
        assertThat(initializerType(result.model(), "b")).isEqualTo(DataType.FLOAT);
        assertThat(result.details()).containsEntry("nodesConverted", 0).containsEntry("castsInserted", 1)
                .containsEntry("constantsConverted", 1);
        NodeProto matMul = result.model().graph().nodes().stream().filter(n -> n.getOpType().equals("MatMul"))
                .findFirst().orElseThrow();
        assertThat(valueType(result.model(), matMul.getInput(1))).isEqualTo(DataType.FLOAT);
        assertSameOutputs(model, result.model(), InputGenerator.generate(model, Map.of("x", new long[] {2, 64}), 6));
    }

    @Test
    void conversionIsDeterministic() {
        byte[] first = convert(TestModels.transformerBlock(), "quantize.fp16").model().proto().toByteArray();
        byte[] second = convert(TestModels.transformerBlock(), "quantize.fp16").model().proto().toByteArray();
        byte[] ifFirst = convert(TestModels.ifSubgraphWeights(), "quantize.fp16:target=gpu").model().proto().toByteArray();
        byte[] ifSecond = convert(TestModels.ifSubgraphWeights(), "quantize.fp16:target=gpu").model().proto().toByteArray();

        assertThat(first).isEqualTo(second);
        assertThat(ifFirst).isEqualTo(ifSecond);
    }

    @Test
    void convertingAConvertedModelAgainChangesNothing() {
        for (String spec : List.of("quantize.fp16:compute=fp16", "quantize.fp16:target=gpu", "quantize.fp16:keep-io-types=false")) {
            OnnxModel once = convert(TestModels.transformerBlock(), spec).model();

            PassResult twice = convert(once, spec);

            assertThat(twice.details()).as(spec).containsEntry("castsInserted", 0).containsEntry("constantsConverted", 0)
                    .containsEntry("valuesConverted", 0L);
            assertThat(twice.model().proto()).as(spec).isEqualTo(once.proto());
        }
    }

    @Test
    void aCastToFloatReadOnlyByFloat32NodesStaysFloat32() {
        PassResult result = convert(TestModels.transformerBlock(), "quantize.fp16:compute=fp16");

        NodeProto maskCast = result.model().graph().consumers("attention_mask").get(0);
        assertThat(maskCast.getAttribute(0).getI()).isEqualTo(DataType.FLOAT.code());
        assertThat(result.model().graph().consumers(maskCast.getOutput(0))).extracting(NodeProto::getOpType)
                .containsExactly("Sub");
    }

    @Test
    void theInputModelIsNotChanged() {
        OnnxModel model = TestModels.transformerBlock();
        byte[] before = model.proto().toByteArray();

        convert(model, "quantize.fp16:target=gpu");

        assertThat(model.proto().toByteArray()).isEqualTo(before);
    }

    @Test
    void badOptionsAreRejectedWithClearMessages() {
        PassRegistry registry = PassRegistry.load();

        assertThatThrownBy(() -> registry.create("quantize.fp16:keep-io=false"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'keep-io'")
                .hasMessageContaining("keep-io-types");
        assertThatThrownBy(() -> registry.create("quantize.fp16:target=tpu"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("option target").hasMessageContaining("cpu, gpu");
        assertThatThrownBy(() -> registry.create("quantize.fp16:keep-io-types=maybe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keep-io-types");
        assertThatThrownBy(() -> registry.create("quantize.fp16:compute=int8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fp16, fp32");
        assertThatThrownBy(() -> registry.create("quantize.fp16:block=Soft max"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("option block").hasMessageContaining("Soft max");
        assertThatThrownBy(() -> registry.create("quantize.fp16:exclude=nowhere").apply(TestModels.mlp(), CONTEXT))
                .isInstanceOf(PassFailedException.class).hasMessageContaining("nowhere").hasMessageContaining("exclude");
    }

    @Test
    void theFactoryIsRegisteredAndReportsItsOptions() {
        Float16Conversion pass = (Float16Conversion) PassRegistry.load().create("quantize.fp16:block=Softmax+Erf,target=gpu");

        assertThat(pass.name()).isEqualTo("quantize.fp16");
        assertThat(pass.options()).containsExactly(Map.entry("block", "Softmax+Erf"), Map.entry("target", "gpu"));
        assertThat(pass.settings().options()).containsEntry("keep-io-types", "true").containsEntry("target", "gpu")
                .containsEntry("compute", "auto").containsEntry("block", "Erf+Softmax").containsEntry("exclude", "");
        assertThat(pass.settings()).isEqualTo(Float16Settings.builder().target(Float16Conversion.Target.GPU)
                .block(java.util.Set.of("Softmax", "Erf")).build()).isEqualTo(Float16Settings.from(pass.settings().options()));
        assertThat(new Float16Conversion(pass.settings()).options()).isEqualTo(pass.settings().options());
        assertThat(PassRegistry.load().factories().get("quantize.fp16").description()).contains(
                "keep-io-types=true|false (default true)", "target=auto|cpu|gpu (default auto)", "compute=auto|fp16|fp32 (default auto)",
                "block=Op1+Op2 (default none)", "exclude=node1+node2 (default none)");
        assertThat(pass.blockList()).contains("Softmax", "Erf", "Range").doesNotContain("Add");
    }

    // ---- helpers ----

    private static Map<String, TensorData> run(OnnxModel model, Map<String, TensorData> inputs) throws Exception {
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            return session.run(inputs);
        }
    }

    private static void assertSameOutputs(OnnxModel expectedModel, OnnxModel actualModel, Map<String, TensorData> inputs)
            throws Exception {
        Map<String, TensorData> expected = run(expectedModel, inputs);
        Map<String, TensorData> actual = run(actualModel, asDeclared(actualModel, inputs));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, tensor) -> {
            assertThat(actual.get(name).shape()).isEqualTo(tensor.shape());
            assertClose(tensor.toFloatArray(), actual.get(name).toFloatArray(), name);
        });
    }

    /** The inputs with float32 tensors rounded to float16 where the model declares float16 inputs. */
    private static Map<String, TensorData> asDeclared(OnnxModel model, Map<String, TensorData> inputs) {
        Map<String, TensorData> declared = new LinkedHashMap<>(inputs);
        for (ValueInfoProto input : model.graph().inputs()) {
            TensorData given = inputs.get(input.getName());
            if (elemType(input) == DataType.FLOAT16 && given.dataType() == DataType.FLOAT) {
                declared.put(input.getName(), TensorData.ofFloat16(given.shape(), given.toFloatArray()));
            }
        }
        return declared;
    }

    private static void assertClose(float[] expected, float[] actual, String output) {
        double scale = 0;
        for (float value : expected) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", output, i)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOLERANCE * Math.max(scale, 1e-6)));
        }
    }

    private static DataType initializerType(OnnxModel model, String name) {
        return DataType.fromCode(model.graph().initializer(name).orElseThrow(() -> new AssertionError("no initializer " + name))
                .getDataType()).orElseThrow();
    }

    private static DataType elemType(ValueInfoProto value) {
        return DataType.fromCode(value.getType().getTensorType().getElemType()).orElseThrow();
    }

    /** The type of a main-graph value: a Cast's target, an initializer's type, or the converted node's data type. */
    private static DataType valueType(OnnxModel model, String value) {
        return ElementTypes.infer(model.graph()).of(value).orElseThrow(() -> new AssertionError("unknown type of " + value));
    }

    private static List<String> opTypes(OnnxModel model) {
        return model.graph().nodes().stream().map(NodeProto::getOpType).toList();
    }
}
