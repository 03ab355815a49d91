package dev.lathe.quantize.weightonly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.core.data.InputGenerator;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import dev.lathe.quantize.WeightQuantizer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The weight-only passes on tiny models: emitted operators, what ONNX Runtime computes, every weight location. */
class WeightOnlyQuantizationTest {
    private static final PassContext NO_CALIBRATION = new PassContext(ShapeBinding.none(), List.of(), ProgressListener.none());

    private static PassResult quantize(OnnxModel model, String spec) throws Exception {
        return quantize(model, spec, NO_CALIBRATION);
    }

    private static PassResult quantize(OnnxModel model, String spec, PassContext context) throws Exception {
        PassResult result = PassRegistry.load().create(spec).apply(model, context);
        assertThat(ModelInvariants.violations(result.model().graph())).isEmpty();
        return result;
    }

    private static PassContext calibrated(List<Map<String, TensorData>> samples) {
        return new PassContext(ShapeBinding.none(), samples, ProgressListener.none());
    }

    private static List<String> opTypes(Graph graph) {
        return graph.nodes().stream().map(NodeProto::getOpType).toList();
    }

    private static NodeProto only(Graph graph, String opType) {
        List<NodeProto> found = graph.nodes().stream().filter(n -> n.getOpType().equals(opType)).toList();
        assertThat(found).as("%s nodes", opType).hasSize(1);
        return found.get(0);
    }

    private static long attribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).mapToLong(AttributeProto::getI)
                .findFirst().orElseThrow();
    }

    private static float[] values(OnnxModel model, Graph graph, String name) throws Exception {
        return model.tensorData(graph.initializer(name).orElseThrow()).toFloatArray();
    }

    private static byte[] bytes(OnnxModel model, Graph graph, String name) throws Exception {
        TensorData data = model.tensorData(graph.initializer(name).orElseThrow());
        assertThat(data.dataType()).isEqualTo(DataType.UINT8);
        byte[] out = new byte[(int) data.byteSize()];
        data.rawBytes().get(out);
        return out;
    }

    /** Cosine similarity of the two models' outputs on seeded inputs (the worst output's mean). */
    private static double cosine(OnnxModel reference, OnnxModel candidate, Map<String, long[]> shapes) throws Exception {
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            return FidelityMeter.compare(a, b, InputGenerator.samples(reference, shapes, 4, 11)).cosineMean();
        }
    }

    private static float[] run(OnnxModel model, Map<String, TensorData> inputs, String output) throws Exception {
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            return session.run(inputs).get(output).toFloatArray();
        }
    }

    /** One field of every entry of a list of maps in the step details. */
    private static List<Object> field(Object entries, String key) {
        return ((List<?>) entries).stream().map(e -> (Object) ((Map<?, ?>) e).get(key)).toList();
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** y = x · w + b with x [2, 40], w [40, 6], b [6]: K is not a multiple of 16. */
    private static OnnxModel linear() {
        TestModels.Builder g = TestModels.builder("linear");
        String x = g.input("x", DataType.FLOAT, 2, 40);
        String product = g.node("MatMul", x, g.weight("w", 40, 6)).named("project").output();
        g.node("Add", g.weight("b", 6), product).output("y");
        g.output("y", DataType.FLOAT, 2, 6);
        return TestModels.model(g.build());
    }

    @Test
    void matMulAndBiasBecomeOneMatMulNBitsThatOnnxRuntimeReadsAsTheSpecSays() throws Exception {
        OnnxModel model = linear();

        PassResult result = quantize(model, "quantize.int4:block=16,accuracy-level=0");

        OnnxModel quantized = result.model();
        Graph graph = quantized.graph();
        assertThat(opTypes(graph)).containsExactly("MatMulNBits");
        NodeProto node = graph.nodes().get(0);
        assertThat(node.getDomain()).isEqualTo("com.microsoft");
        assertThat(node.getName()).isEqualTo("project");
        assertThat(node.getOutput(0)).isEqualTo("y");
        assertThat(node.getInputList()).containsExactly("x", "w_Q4", "w_scales", "w_zero_points", "", "b");
        assertThat(new long[] {attribute(node, "K"), attribute(node, "N"), attribute(node, "bits"),
                attribute(node, "block_size"), attribute(node, "accuracy_level")}).containsExactly(40, 6, 4, 16, 0);
        assertThat(graph.initializer("w_Q4").orElseThrow().getDimsList()).containsExactly(6L, 3L, 8L);
        assertThat(graph.initializer("w_scales").orElseThrow().getDimsList()).containsExactly(6L, 3L);
        assertThat(graph.initializer("w_zero_points").orElseThrow().getDimsList()).containsExactly(6L, 2L);
        assertThat(graph.initializer("w")).isEmpty();
        assertThat(quantized.opsets()).containsEntry("com.microsoft", 1L).containsEntry("", TestModels.OPSET);
        assertThat(result.details()).containsEntry("method", "rtn").containsEntry("nodesQuantized", 1)
                .containsEntry("weightsQuantized", 1).containsEntry("biasesFolded", 1)
                .containsEntry("weightBytesBefore", 40L * 6 * 4).containsEntry("weightBytesAfter", 6L * 3 * 8 + 6 * 3 * 4 + 6 * 2);

        // Decode B, scales and zero points as the MatMulNBits spec lays them out, independently of the pass.
        byte[] codes = bytes(quantized, graph, "w_Q4");
        byte[] zeros = bytes(quantized, graph, "w_zero_points");
        float[] scales = values(quantized, graph, "w_scales");
        float[] bias = values(model, model.graph(), "b");
        float[] x = gaussian(new Random(1), 80);
        float[] expected = new float[12];
        for (int row = 0; row < 2; row++) {
            for (int n = 0; n < 6; n++) {
                double sum = bias[n];
                for (int k = 0; k < 40; k++) {
                    int block = k / 16;
                    int packed = codes[n * 24 + block * 8 + (k % 16) / 2] & 0xff;
                    int code = k % 2 == 0 ? packed & 0xf : packed >> 4;
                    int zeroByte = zeros[n * 2 + block / 2] & 0xff;
                    int zero = block % 2 == 0 ? zeroByte & 0xf : zeroByte >> 4;
                    sum += x[row * 40 + k] * (code - zero) * scales[n * 3 + block];
                }
                expected[row * 6 + n] = (float) sum;
            }
        }
        float[] actual = run(quantized, Map.of("x", TensorData.ofFloats(new long[] {2, 40}, x)), "y");
        for (int i = 0; i < 12; i++) {
            assertThat(actual[i]).as("y[%d]", i).isCloseTo(expected[i], within(1e-4f));
        }
        float[] original = run(model, Map.of("x", TensorData.ofFloats(new long[] {2, 40}, x)), "y");
        double error = 0;
        double norm = 0;
        for (int i = 0; i < 12; i++) {
            error += (actual[i] - original[i]) * (double) (actual[i] - original[i]);
            norm += original[i] * (double) original[i];
        }
        assertThat(Math.sqrt(error / norm)).as("relative error against float").isLessThan(0.15);
    }

    @Test
    void symmetricWeightsAndTablesWithNegativeScalesRunInOnnxRuntime() throws Exception {
        OnnxModel model = linear();
        float[] x = gaussian(new Random(2), 80);
        Map<String, TensorData> inputs = Map.of("x", TensorData.ofFloats(new long[] {2, 40}, x));
        float[] original = run(model, inputs, "y");
        for (String level : List.of("0", "4")) {
            PassResult result = quantize(model, "quantize.int4:sym,block=16,accuracy-level=" + level);
            Graph graph = result.model().graph();
            assertThat(only(graph, "MatMulNBits").getInputList()).containsExactly("x", "w_Q4", "w_scales", "", "", "b");
            float[] scales = values(result.model(), graph, "w_scales");
            assertThat(IntStream.range(0, scales.length).mapToDouble(i -> scales[i])).as("scales of both signs")
                    .anyMatch(v -> v < 0).anyMatch(v -> v > 0);
            float[] actual = run(result.model(), inputs, "y");
            double error = 0;
            double norm = 0;
            for (int i = 0; i < 12; i++) {
                error += (actual[i] - original[i]) * (double) (actual[i] - original[i]);
                norm += original[i] * (double) original[i];
            }
            assertThat(Math.sqrt(error / norm)).as("relative error at accuracy level %s", level).isLessThan(0.15);
        }

        OnnxModel table = lookup(32);
        PassResult symmetric = quantize(table, "quantize.int4:sym,embedding-block=16");
        assertThat(only(symmetric.model().graph(), "GatherBlockQuantized").getInputCount()).isEqualTo(3);
        Map<String, TensorData> ids = Map.of("ids", TensorData.ofLongs(new long[] {3}, 0, 4, 1));
        float[] expected = run(table, ids, "out");
        float[] actual = run(symmetric.model(), ids, "out");
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(0.15f));
        }
    }

    @Test
    void gemmWithTransposedWeightAndBiasIsQuantizedWhenSelected() throws Exception {
        OnnxModel mlp = TestModels.mlp();

        PassResult result = quantize(mlp, "quantize.int8-weights:ops=MatMul+Gemm,block=16");

        Graph graph = result.model().graph();
        assertThat(opTypes(graph)).containsExactly("MatMulNBits", "Relu", "MatMulNBits");
        NodeProto gemm = graph.nodes().get(0);
        assertThat(new long[] {attribute(gemm, "K"), attribute(gemm, "N"), attribute(gemm, "bits")}).containsExactly(4, 8, 8);
        assertThat(gemm.getInput(5)).isEqualTo("b1");
        assertThat(graph.initializer(gemm.getInput(1)).orElseThrow().getDimsList()).containsExactly(8L, 1L, 16L);
        assertThat(result.details()).containsEntry("nodesQuantized", 2).containsEntry("biasesFolded", 1);
        assertThat(cosine(mlp, result.model(), Map.of("x", new long[] {5, 4}))).isGreaterThan(0.9995);
    }

    @Test
    void gemmsThatDoNotReduceToMatMulPlusBiasAreSkippedWithTheReason() throws Exception {
        TestModels.Builder g = TestModels.builder("gemms");
        String x = g.input("x", DataType.FLOAT, 4, 4);
        String a = g.node("Gemm", x, g.weight("wa", 4, 4)).named("transposed_a").intAttr("transA", 1).output();
        String b = g.node("Gemm", a, g.weight("wb", 4, 4)).named("scaled").floatAttr("alpha", 2f).output();
        g.node("Gemm", b, g.weight("wc", 4, 4), g.weight("c", 4, 4)).named("full_c").output("y");
        g.output("y", DataType.FLOAT, 4, 4);

        PassResult result = quantize(TestModels.model(g.build()), "quantize.int4:ops=Gemm");

        assertThat(opTypes(result.model().graph())).containsExactly("Gemm", "Gemm", "Gemm");
        assertThat(result.details()).containsEntry("nodesQuantized", 0);
        assertThat(result.details().get("skipped")).asList().containsExactly(
                Map.of("node", "transposed_a", "op", "Gemm", "reason", "Gemm with transA=1"),
                Map.of("node", "scaled", "op", "Gemm", "reason", "Gemm with alpha=2.0, beta=1.0 (only 1 and 1 are folded)"),
                Map.of("node", "full_c", "op", "Gemm", "reason", "C is not a constant float bias [4] or [1, 4]"));
        assertThat(result.model().opsets()).doesNotContainKey("com.microsoft");
    }

    @Test
    void int4DefaultsQuantizeTheTransformerBlocksProjectionsAndEmbedding() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        PassResult result = quantize(block, "quantize.int4");

        Graph graph = result.model().graph();
        assertThat(opTypes(graph).stream().filter("MatMulNBits"::equals)).hasSize(6);
        assertThat(opTypes(graph).stream().filter("MatMul"::equals)).as("attention score MatMuls").hasSize(2);
        NodeProto gather = only(graph, "GatherBlockQuantized");
        assertThat(gather.getInputList()).containsExactly("embedding_Q4", "input_ids", "embedding_scales",
                "embedding_zero_points");
        assertThat(new long[] {attribute(gather, "bits"), attribute(gather, "block_size"), attribute(gather, "gather_axis"),
                attribute(gather, "quantize_axis")}).containsExactly(4, 32, 0, 1);
        assertThat(graph.initializer("embedding_Q4").orElseThrow().getDimsList()).containsExactly(16L, 4L);
        assertThat(result.details()).containsEntry("nodesQuantized", 6).containsEntry("biasesFolded", 6)
                .containsEntry("gathersQuantized", 1).containsEntry("tablesQuantized", 1)
                .containsEntry("tableBytesBefore", 16L * 8 * 4).containsEntry("tableBytesAfter", 16L * 4 + 16 * 4 + 16);
        assertThat(result.model().opsets()).containsEntry("com.microsoft", 1L);
        Map<String, long[]> shapes = Map.of("input_ids", new long[] {2, 5}, "attention_mask", new long[] {2, 5});
        assertThat(cosine(block, result.model(), shapes)).isGreaterThan(0.97);
    }

    @Test
    void int8TablesUseStandardOperatorsAndTablesCanStayFloat() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        Map<String, long[]> shapes = Map.of("input_ids", new long[] {2, 5}, "attention_mask", new long[] {2, 5});

        PassResult int8 = quantize(block, "quantize.int8-weights:embeddings=int8,block=16");

        Graph graph = int8.model().graph();
        assertThat(opTypes(graph)).startsWith("Gather", "Cast", "Gather", "Mul").doesNotContain("GatherBlockQuantized");
        TensorProto table = graph.initializer("embedding_int8").orElseThrow();
        assertThat(table.getDataType()).isEqualTo(DataType.INT8.code());
        assertThat(graph.initializer("embedding_scales").orElseThrow().getDimsList()).containsExactly(16L, 1L);
        assertThat(int8.model().opsets()).containsEntry("", TestModels.OPSET);
        assertThat(cosine(block, int8.model(), shapes)).isGreaterThan(0.9995);

        PassResult kept = quantize(block, "quantize.int4:embeddings=float");
        assertThat(kept.model().graph().nodes().get(0).getOpType()).isEqualTo("Gather");
        assertThat(kept.model().graph().initializer("embedding")).isPresent();
        assertThat(kept.details()).containsEntry("gathersQuantized", 0);
    }

    /** out = Gather(table [5, width], ids [3]). */
    private static OnnxModel lookup(int width) {
        TestModels.Builder g = TestModels.builder("lookup");
        String ids = g.input("ids", DataType.INT64, 3);
        g.node("Gather", g.weight("table", 5, width), ids).named("lookup").output("out");
        g.output("out", DataType.FLOAT, 3, width);
        return TestModels.model(g.build());
    }

    @Test
    void fourBitTablesAreReadByGatherBlockQuantizedAsTheSpecSays() throws Exception {
        OnnxModel model = lookup(40);

        PassResult result = quantize(model, "quantize.int4:embedding-block=16");

        OnnxModel quantized = result.model();
        Graph graph = quantized.graph();
        assertThat(opTypes(graph)).containsExactly("GatherBlockQuantized");
        byte[] data = bytes(quantized, graph, "table_Q4");
        byte[] zeros = bytes(quantized, graph, "table_zero_points");
        float[] scales = values(quantized, graph, "table_scales");
        assertThat(data).hasSize(5 * 20);
        assertThat(scales).hasSize(5 * 3);
        assertThat(zeros).hasSize(5 * 2);
        long[] ids = {4, 0, 2};
        float[] actual = run(quantized, Map.of("ids", TensorData.ofLongs(new long[] {3}, ids)), "out");
        float[] table = values(model, model.graph(), "table");
        for (int i = 0; i < 3; i++) {
            int row = (int) ids[i];
            for (int d = 0; d < 40; d++) {
                int packed = data[row * 20 + d / 2] & 0xff;
                int code = d % 2 == 0 ? packed & 0xf : packed >> 4;
                int block = d / 16;
                int zeroByte = zeros[row * 2 + block / 2] & 0xff;
                int zero = block % 2 == 0 ? zeroByte & 0xf : zeroByte >> 4;
                float scale = scales[row * 3 + block];
                assertThat(actual[i * 40 + d]).isEqualTo((code - zero) * scale);
                assertThat(actual[i * 40 + d]).isCloseTo(table[row * 40 + d], within(Math.abs(scale) / 2 + 1e-6f));
            }
        }
    }

    @Test
    void weightsLargerThanOneStripeGetTheCodesOfTheWholeMatrix() throws Exception {
        // Both weights span two stripes of WeightStripes.STRIPE_ELEMENTS; the codes, scales and zero points
        // must be those of quantizing each whole matrix at once.
        int k = 2304;
        int n = 2048;
        int vocabulary = 4200;
        int width = 1024;
        assertThat((long) k * n).isGreaterThan(WeightStripes.STRIPE_ELEMENTS);
        assertThat((long) vocabulary * width).isGreaterThan(WeightStripes.STRIPE_ELEMENTS);
        TestModels.Builder g = TestModels.builder("striped");
        String ids = g.input("ids", DataType.INT64, 1);
        String embedded = g.node("Gather", g.weight("table", vocabulary, width), ids).named("lookup").output();
        String widened = g.node("MatMul", embedded, g.weight("up", width, k)).named("up").output();
        g.node("MatMul", widened, g.weight("w", k, n)).named("project").output("y");
        g.output("y", DataType.FLOAT, 1, n);
        OnnxModel model = TestModels.model(g.build());

        OnnxModel quantized = quantize(model, "quantize.int4:block=32,embedding-block=32").model();

        Graph graph = quantized.graph();
        BlockQuantizer quantizer = new BlockQuantizer(4, 32, false);
        QuantizedBlocks weight = quantizer.roundToNearest(transposed(values(model, model.graph(), "w"), k, n), n, k);
        assertThat(bytes(quantized, graph, "w_Q4")).isEqualTo(weight.packedBlocks());
        assertThat(values(quantized, graph, "w_scales")).isEqualTo(weight.scales());
        assertThat(bytes(quantized, graph, "w_zero_points")).isEqualTo(weight.packedZeroPoints());
        QuantizedBlocks table = quantizer.roundToNearest(values(model, model.graph(), "table"), vocabulary, width);
        assertThat(bytes(quantized, graph, "table_Q4")).isEqualTo(table.packedRows());
        assertThat(values(quantized, graph, "table_scales")).isEqualTo(table.scales());
        assertThat(bytes(quantized, graph, "table_zero_points")).isEqualTo(table.packedZeroPoints());

        OnnxModel int8Tables = quantize(model, "quantize.int4:embeddings=int8").model();
        WeightQuantizer.Quantized rows = new WeightQuantizer(true, true, false, false)
                .quantize(values(model, model.graph(), "table"), vocabulary, width, WeightQuantizer.Grouping.PER_ROW);
        TensorData codes = int8Tables.tensorData(int8Tables.graph().initializer("table_int8").orElseThrow());
        assertThat(codes.toByteArray()).isEqualTo(rows.values());
        assertThat(values(int8Tables, int8Tables.graph(), "table_scales")).isEqualTo(rows.scales());
    }

    /** A row-major [rows][columns] matrix transposed to [columns][rows]. */
    private static float[] transposed(float[] matrix, int rows, int columns) {
        float[] out = new float[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[c * rows + r] = matrix[r * columns + c];
            }
        }
        return out;
    }

    @Test
    void tablesOfOddWidthAreStoredInEightBits() throws Exception {
        OnnxModel model = lookup(7);

        PassResult result = quantize(model, "quantize.int4");

        assertThat(opTypes(result.model().graph())).containsExactly("Gather", "Cast", "Gather", "Mul");
        float[] expected = run(model, Map.of("ids", TensorData.ofLongs(new long[] {3}, 1, 3, 1)), "out");
        float[] actual = run(result.model(), Map.of("ids", TensorData.ofLongs(new long[] {3}, 1, 3, 1)), "out");
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(0.01f));
        }
    }

    @Test
    void weightsInConstantNodesAreQuantized() throws Exception {
        OnnxModel model = TestModels.constantNodeWeights();

        PassResult result = quantize(model, "quantize.int8-weights:block=16");

        Graph graph = result.model().graph();
        assertThat(opTypes(graph)).containsExactly("Constant", "MatMulNBits", "Relu", "Constant", "MatMulNBits");
        assertThat(graph.nodes().stream().filter(Graph::isConstantNode).flatMap(n -> n.getOutputList().stream()))
                .containsExactly("b1", "b2");
        assertThat(result.details()).containsEntry("nodesQuantized", 2).containsEntry("biasesFolded", 2);
        assertThat(cosine(model, result.model(), Map.of("x", new long[] {3, 4}))).isGreaterThan(0.9995);
    }

    @Test
    void weightsInIfBranchesAreQuantizedInTheirBranches() throws Exception {
        OnnxModel model = TestModels.ifSubgraphWeights();

        PassResult result = quantize(model, "quantize.int8-weights:block=16");

        List<Graph> branches = result.model().graph().withAllSubgraphs().subList(1, 3);
        for (Graph branch : branches) {
            assertThat(opTypes(branch)).containsExactly("MatMulNBits");
            assertThat(branch.initializers().keySet()).hasSize(3).allMatch(n -> n.startsWith("w_"));
        }
        assertThat(result.model().graph().initializers()).isEmpty();
        float[] x = {0.5f, -1f, 2f, 0.25f};
        for (boolean flag : new boolean[] {true, false}) {
            Map<String, TensorData> inputs = Map.of("x", TensorData.ofFloats(new long[] {1, 4}, x),
                    "flag", TensorData.ofBooleans(new long[0], flag));
            float[] expected = run(model, inputs, "y");
            float[] actual = run(result.model(), inputs, "y");
            for (int i = 0; i < 4; i++) {
                assertThat(actual[i]).as("flag %s, y[%d]", flag, i).isCloseTo(expected[i], within(0.02f));
            }
        }
    }

    @Test
    void aSharedWeightIsQuantizedOnceWhereItIsDefined() throws Exception {
        // Two MatMuls in the main graph and one in each branch of an If read the same main-graph weight.
        TestModels.Builder g = TestModels.builder("shared");
        String x = g.input("x", DataType.FLOAT, 1, 32);
        String flag = g.input("flag", DataType.BOOL);
        String w = g.weight("w", 32, 32);
        String first = g.node("MatMul", x, w).output();
        String second = g.node("MatMul", first, w).output();
        GraphProto[] branches = new GraphProto[2];
        for (int i = 0; i < 2; i++) {
            TestModels.Builder branch = g.subgraph("branch" + i);
            String y = branch.node("MatMul", second, w).output("y" + i);
            branch.output(y, DataType.FLOAT, 1, 32);
            branches[i] = branch.buildGraph();
        }
        g.node("If", flag).graphAttr("then_branch", branches[0]).graphAttr("else_branch", branches[1]).output("y");
        g.output("y", DataType.FLOAT, 1, 32);
        OnnxModel model = TestModels.model(g.build());

        PassResult result = quantize(model, "quantize.int4");

        Graph main = result.model().graph();
        assertThat(main.initializers().keySet()).containsExactlyInAnyOrder("w_Q4", "w_scales", "w_zero_points");
        for (Graph branch : main.withAllSubgraphs().subList(1, 3)) {
            assertThat(branch.initializers()).isEmpty();
            assertThat(only(branch, "MatMulNBits").getInput(1)).isEqualTo("w_Q4");
        }
        assertThat(result.details()).containsEntry("nodesQuantized", 4).containsEntry("weightsQuantized", 1);
        assertThat(cosine(model, result.model(), Map.of("x", new long[] {1, 32}, "flag", new long[0]))).isGreaterThan(0.98);
    }

    @Test
    void theSameModelAndOptionsGiveTheSameBytes() throws Exception {
        OnnxModel block = TestModels.transformerBlock();
        List<Map<String, TensorData>> samples = InputGenerator.samples(block,
                Map.of("input_ids", new long[] {4, 8}, "attention_mask", new long[] {4, 8}), 2, 5);

        for (String spec : List.of("quantize.int4", "quantize.int8-weights:sym,ops=MatMul+Gemm")) {
            byte[] first = quantize(block, spec, calibrated(samples)).model().proto().toByteArray();
            byte[] second = quantize(block, spec, calibrated(samples)).model().proto().toByteArray();
            assertThat(second).as(spec).isEqualTo(first);
        }
    }

    /**
     * x [rows, 8] → mixed = x · mix [8, 64] (left float: excluded) → y = mixed · w [64, 16]: the weight w sees
     * strongly correlated inputs (rank 8), where GPTQ's error compensation pays off.
     */
    private static OnnxModel correlated() {
        TestModels.Builder g = TestModels.builder("correlated");
        String x = g.input("x", DataType.FLOAT, "rows", 8);
        String mixed = g.node("MatMul", x, g.weight("mixing", 8, 64)).named("mix").output();
        g.node("MatMul", mixed, g.weight("w", 64, 16)).named("project").output("y");
        g.output("y", DataType.FLOAT, "rows", 16);
        return TestModels.model(g.build());
    }

    private static double squaredError(OnnxModel reference, OnnxModel candidate, List<Map<String, TensorData>> samples)
            throws Exception {
        double total = 0;
        for (Map<String, TensorData> sample : samples) {
            float[] expected = run(reference, sample, "y");
            float[] actual = run(candidate, sample, "y");
            for (int i = 0; i < expected.length; i++) {
                total += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            }
        }
        return total;
    }

    @Test
    void gptqUsesCalibrationActivationsAndBeatsRoundToNearestOnNewInputs() throws Exception {
        OnnxModel model = correlated();
        Map<String, long[]> shapes = Map.of("x", new long[] {32, 8});
        List<Map<String, TensorData>> calibration = InputGenerator.samples(model, shapes, 8, 1);
        List<Map<String, TensorData>> heldOut = InputGenerator.samples(model, shapes, 4, 100);

        PassResult gptq = quantize(model, "quantize.int4:exclude=mix", calibrated(calibration));
        PassResult rtn = quantize(model, "quantize.int4:exclude=mix,method=rtn", calibrated(calibration));

        assertThat(gptq.details()).containsEntry("method", "gptq").containsEntry("calibrationTokens", 256L)
                .doesNotContainKey("roundedToNearest");
        assertThat(rtn.details()).containsEntry("method", "rtn").doesNotContainKey("calibrationTokens");
        assertThat(quantize(model, "quantize.int4:exclude=mix").details()).as("auto without calibration")
                .containsEntry("method", "rtn");
        double gptqError = squaredError(model, gptq.model(), heldOut);
        double rtnError = squaredError(model, rtn.model(), heldOut);
        assertThat(gptqError).as("GPTQ squared error vs round-to-nearest %s", rtnError).isLessThan(0.5 * rtnError);
    }

    @Test
    void gptqRoundsToNearestWhereCalibrationIsTooThinOrActivationsAreOutOfReach() throws Exception {
        OnnxModel model = correlated();
        List<Map<String, TensorData>> few = InputGenerator.samples(model, Map.of("x", new long[] {2, 8}), 3, 1);

        PassResult thin = quantize(model, "quantize.int4:exclude=mix,method=gptq", calibrated(few));

        assertThat(thin.details()).containsEntry("method", "gptq").containsEntry("calibrationTokens", 6L);
        assertThat(thin.details().get("roundedToNearest")).asList().containsExactly(
                Map.of("weight", "w", "reason", "calibration gave 6 tokens, fewer than the 64 inputs of the weight"));

        // Weights in If branches that read a main-graph value get GPTQ too.
        OnnxModel ifWeights = TestModels.ifSubgraphWeights();
        PassResult observed = quantize(ifWeights, "quantize.int4", calibrated(InputGenerator.samples(ifWeights,
                Map.of("x", new long[] {1, 4}, "flag", new long[0]), 8, 1)));
        assertThat(observed.details()).containsEntry("method", "gptq").containsEntry("nodesQuantized", 2)
                .containsEntry("calibrationTokens", 8L).doesNotContainKey("roundedToNearest");

        // Inside an If branch, Relu(x) is computed in the subgraph, where the probe cannot see it.
        TestModels.Builder g = TestModels.builder("branch_activation");
        String x = g.input("x", DataType.FLOAT, "rows", 16);
        String flag = g.input("flag", DataType.BOOL);
        GraphProto[] branches = new GraphProto[2];
        for (int i = 0; i < 2; i++) {
            TestModels.Builder branch = g.subgraph("branch" + i);
            String relu = branch.node("Relu", x).output();
            branch.output(branch.node("MatMul", relu, branch.weight("w" + i, 16, 4)).output("y" + i), DataType.FLOAT, "rows", 4);
            branches[i] = branch.buildGraph();
        }
        g.node("If", flag).graphAttr("then_branch", branches[0]).graphAttr("else_branch", branches[1]).output("y");
        g.output("y", DataType.FLOAT, "rows", 4);
        OnnxModel branched = TestModels.model(g.build());
        List<Map<String, TensorData>> samples = InputGenerator.samples(branched,
                Map.of("x", new long[] {32, 16}, "flag", new long[0]), 2, 1);

        PassResult inBranches = quantize(branched, "quantize.int4", calibrated(samples));

        assertThat(inBranches.details()).containsEntry("method", "gptq").containsEntry("nodesQuantized", 2);
        assertThat(field(inBranches.details().get("roundedToNearest"), "reason"))
                .containsOnly("its activations are not computed in the main graph");
    }

    @Test
    void nodesLeftAloneAreReportedWithTheReason() throws Exception {
        OnnxModel block = TestModels.transformerBlock();

        PassResult result = quantize(block, "quantize.int4:min-size=100,exclude=MatMul_6");

        assertThat(field(result.details().get("skipped"), "reason")).contains(
                "weight has 64 elements, below min-size 100", "excluded by name");
        assertThat(result.details()).containsEntry("nodesQuantized", 1).containsEntry("gathersQuantized", 1);
    }

    @Test
    void badOptionsAreRejectedNamingThePassAndTheOption() {
        PassRegistry registry = PassRegistry.load();
        assertThatThrownBy(() -> registry.create("quantize.int4:block=48"))
                .hasMessageContaining("option block of pass quantize.int4 must be a power of two from 16 to 256, got '48'");
        assertThatThrownBy(() -> registry.create("quantize.int4:block=512")).hasMessageContaining("option block");
        assertThatThrownBy(() -> registry.create("quantize.int8-weights:embedding-block=8"))
                .hasMessageContaining("option embedding-block of pass quantize.int8-weights");
        assertThatThrownBy(() -> registry.create("quantize.int4:accuracy-level=5")).hasMessageContaining("accuracy-level");
        assertThatThrownBy(() -> registry.create("quantize.int4:method=awq")).hasMessageContaining("one of auto, rtn, gptq");
        assertThatThrownBy(() -> registry.create("quantize.int4:embeddings=int2")).hasMessageContaining("one of int8, int4, float");
        assertThatThrownBy(() -> registry.create("quantize.int4:ops=MatMul+Conv"))
                .hasMessageContaining("option ops of pass quantize.int4 must be op types from Gemm, MatMul, got 'Conv'");
        assertThatThrownBy(() -> registry.create("quantize.int4:bits=3")).hasMessageContaining("unknown option 'bits'");
        assertThatThrownBy(() -> registry.create("quantize.int4:sym=maybe")).hasMessageContaining("option sym");
    }

    @Test
    void bothPassesAreRegisteredWithTheirOptionsDescribed() {
        Map<String, PassFactory> factories = PassRegistry.load().factories();
        assertThat(factories).containsKeys("quantize.int4", "quantize.int8-weights");
        assertThat(factories.get("quantize.int4").description()).contains("4-bit", "block=16..256", "default 16",
                "embeddings=int8|int4|float", "default int4", "method=auto|rtn|gptq", "accuracy-level");
        assertThat(factories.get("quantize.int8-weights").description()).contains("8-bit", "default 128", "default int8");

        WeightOnlyQuantization int4 = (WeightOnlyQuantization) PassRegistry.load().create("quantize.int4:sym,block=64");
        assertThat(int4.name()).isEqualTo("quantize.int4");
        assertThat(int4.options()).containsExactly(Map.entry("sym", "true"), Map.entry("block", "64"));
        assertThat(int4.settings().options()).containsEntry("block", "64").containsEntry("sym", "true")
                .containsEntry("accuracy-level", "4").containsEntry("method", "auto").containsEntry("embeddings", "int4")
                .containsEntry("embedding-block", "32").containsEntry("fold-bias", "true").containsEntry("ops", "MatMul");
        assertThat(int4.settings()).isEqualTo(WeightOnlySettings.builder(4).symmetric(true).blockSize(64).build())
                .isEqualTo(WeightOnlySettings.from(4, int4.settings().options()));
        WeightOnlySettings int8 = ((WeightOnlyQuantization) PassRegistry.load().create("quantize.int8-weights")).settings();
        assertThat(int8.bits()).isEqualTo(8);
        assertThat(int8.options()).containsEntry("block", "128").containsEntry("embeddings", "int8");
        assertThat(new WeightOnlyQuantization(int8).name()).isEqualTo("quantize.int8-weights");
    }
}
