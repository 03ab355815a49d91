package dev.lathe.core.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Footprint numbers of tiny models, checked against values computed by hand (see {@link TestModels}). */
class FootprintAnalyzerTest {

    @Test
    void mlpCountsParametersBytesAndMacsPerOp() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.mlp(), ShapeBinding.none().withDimension("batch", 2));

        assertThat(footprint.parameters()).isEqualTo(67);
        assertThat(footprint.bytesByDataType()).containsExactly(Map.entry("FLOAT", 268L));
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("Gemm", 2L * 4 * 8), Map.entry("MatMul", 2L * 8 * 3));
        assertThat(footprint.macs()).isEqualTo(112);
        assertThat(footprint.opCounts()).containsExactly(Map.entry("Add", 1L), Map.entry("Gemm", 1L),
                Map.entry("MatMul", 1L), Map.entry("Relu", 1L));
        assertThat(footprint.nodeCount()).isEqualTo(4);
        // Relu on [2,8] and Add on [2,3].
        assertThat(footprint.elementwiseOps()).isEqualTo(16 + 6);
        assertThat(footprint.inputShapes().get("x")).containsExactly(2, 4);
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void cnnResolvesDynamicHeightAndWidth() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.cnnWithBatchNorm(),
                ShapeBinding.none().withInputShape("image", 1, 3, 8, 10));

        assertThat(footprint.parameters()).isEqualTo(138);
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("Conv", 108L * 80 + 8L * 80));
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
    }

    @Test
    void transformerBlockResolvesExporterReshapeChains() throws Exception {
        long b = 2;
        long s = 5;
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.transformerBlock(),
                ShapeBinding.none().withDimension("batch", b).withDimension("seq", s));

        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 512 * b * s + 16 * b * s * s));
        assertThat(footprint.parameters()).isEqualTo(700);
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void constantNodeWeightsCountAsParameters() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.constantNodeWeights(),
                ShapeBinding.none().withDimension("batch", 3));

        assertThat(footprint.parameters()).isEqualTo(67);
        assertThat(footprint.macs()).isEqualTo(56 * 3);
        assertThat(footprint.opCounts()).containsEntry("Constant", 4L);
    }

    @Test
    void ifSubgraphWeightsAndComputeAreCounted() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.ifSubgraphWeights(), ShapeBinding.none());

        assertThat(footprint.parameters()).isEqualTo(32);
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 16L));
        assertThat(footprint.nodeCount()).isEqualTo(3);
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void sparsityIsTheFractionOfExactZerosAmongParameters() throws Exception {
        TestModels.Builder g = TestModels.builder("sparse");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String w = g.floatInitializer("w", new long[] {4, 2}, 0f, 1f, -0f, 2f, 0f, 3f, 0f, 4f);
        g.node("MatMul", x, w).output("y");
        g.output("y", DataType.FLOAT, 1, 2);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        assertThat(footprint.zeroParameters()).isEqualTo(4);
        assertThat(footprint.sparsity()).isEqualTo(0.5);
    }

    @Test
    void integerWeightsCountAsQuantizedParameters() throws Exception {
        TestModels.Builder g = TestModels.builder("int8_weights");
        String x = g.input("x", DataType.UINT8, 1, 4);
        String w = g.initializer("w", dev.lathe.core.model.TensorData.ofSmallValues(DataType.INT8, new long[] {4, 8},
                new int[32]));
        g.node("MatMulInteger", x, w).output("y");
        g.output("y", DataType.INT32, 1, 8);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        assertThat(footprint.parameters()).isZero();
        assertThat(footprint.quantizedParameters()).isEqualTo(32);
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMulInteger", 32L));
    }

    @Test
    void fallsBackToOnnxRuntimeWhenStaticPropagationIsStuck() throws Exception {
        // EyeLike is not modelled statically, so the MatMul after it only resolves by running the model.
        TestModels.Builder g = TestModels.builder("eye_like");
        String x = g.input("x", DataType.FLOAT, "batch", 8);
        String t = g.node("EyeLike", x).output();
        g.node("MatMul", t, g.weight("w", 8, 16)).output("y");
        g.output("y", DataType.FLOAT, "batch", 16);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()),
                ShapeBinding.none().withDimension("batch", 3));

        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.RUNTIME);
        assertThat(footprint.macsByOpType()).containsEntry("MatMul", 3L * 8 * 16);
    }

    @Test
    void sizeIncludesExternalDataFiles(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("cnn.onnx");
        TestModels.cnnWithBatchNorm().save(file, SaveOptions.external(64));
        OnnxModel loaded = OnnxModel.load(file);

        Footprint footprint = FootprintAnalyzer.analyze(loaded, ShapeBinding.none());

        assertThat(footprint.sizeBytes()).isEqualTo(Files.size(file) + Files.size(folder.resolve("cnn.onnx.data")));
        assertThat(footprint.parameters()).isEqualTo(138);
    }

    @Test
    void unknownInputNameListsTheRealInputs() {
        assertThatThrownBy(() -> FootprintAnalyzer.analyze(TestModels.transformerBlock(),
                ShapeBinding.none().withInputShape("ids", 1, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no input 'ids'")
                .hasMessageContaining("input_ids")
                .hasMessageContaining("attention_mask");
    }

    @Test
    void unknownDimensionNameListsTheRealOnes() {
        assertThatThrownBy(() -> FootprintAnalyzer.analyze(TestModels.transformerBlock(),
                ShapeBinding.none().withDimension("sequence", 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sequence'")
                .hasMessageContaining("[batch, seq]");
    }

    @Test
    void shapeContradictingTheDeclaredInputIsRejected() {
        assertThatThrownBy(() -> FootprintAnalyzer.analyze(TestModels.mlp(), ShapeBinding.none().withInputShape("x", 2, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("fixed at 4");
        assertThatThrownBy(() -> FootprintAnalyzer.analyze(TestModels.mlp(), ShapeBinding.none().withInputShape("x", 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rank 2");
    }

    @Test
    void shapesTheModelCannotTakeAreNotCountedAndTheGuessIsNamed() throws Exception {
        OnnxModel model = TestModels.model(TestModels.fixedHeightImageProto());

        Footprint guessed = FootprintAnalyzer.analyze(model, ShapeBinding.none());

        // Concat of [1, 3, 224, 224] and [1, 3, 48, 4]: static propagation refuses it, and so does ONNX Runtime.
        assertThat(guessed.shapeMethod()).isEqualTo(ShapeMethod.INCOMPLETE);
        assertThat(guessed.notes()).singleElement().asString().contains("NOT counted",
                "These input sizes were guessed, not given: x[2]=224 (image), x[3]=224 (image)");

        Footprint given = FootprintAnalyzer.analyze(model, ShapeBinding.none().withInputShape("x", 1, 3, 48, 320));
        assertThat(given.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(given.notes()).isEmpty();
    }

    @Test
    void shapesThatDoNotFitTheirOperatorsAreNotPropagatedStatically() throws Exception {
        // Each model runs at other sizes; at these, static propagation must not invent a shape (ONNX Runtime
        // refuses them too, so the footprint is INCOMPLETE rather than counted at impossible shapes).
        TestModels.Builder small = TestModels.builder("window");
        small.node("Conv", small.input("x", DataType.FLOAT, 1, 3, "h", "w"), small.weight("k", 8, 3, 3, 3)).output("y");
        small.output("y", DataType.FLOAT, 1, 8, "oh", "ow");
        TestModels.Builder channels = TestModels.builder("channels");
        channels.node("Conv", channels.input("x", DataType.FLOAT, 1, "c", 8, 8), channels.weight("k", 8, 3, 3, 3))
                .output("y");
        channels.output("y", DataType.FLOAT, 1, 8, 6, 6);
        TestModels.Builder product = TestModels.builder("product");
        product.node("MatMul", product.input("x", DataType.FLOAT, "n", "k"), product.weight("w", 4, 3)).output("y");
        product.output("y", DataType.FLOAT, "n", 3);
        TestModels.Builder reshape = TestModels.builder("reshape");
        reshape.node("Reshape", reshape.input("x", DataType.FLOAT, 2, "k"),
                reshape.int64Initializer("to", new long[] {2}, 3, -1)).output("y");
        reshape.output("y", DataType.FLOAT, 3, "m");

        Map<TestModels.Builder, ShapeBinding> impossible = Map.of(
                small, ShapeBinding.none().withDimension("h", 2).withDimension("w", 2),
                channels, ShapeBinding.none().withDimension("c", 4),
                product, ShapeBinding.none().withDimension("n", 2).withDimension("k", 5),
                reshape, ShapeBinding.none().withDimension("k", 5));
        for (Map.Entry<TestModels.Builder, ShapeBinding> model : impossible.entrySet()) {
            Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(model.getKey().build()), model.getValue());
            assertThat(footprint.shapeMethod()).as(model.getValue().toString()).isEqualTo(ShapeMethod.INCOMPLETE);
        }
        assertThat(FootprintAnalyzer.analyze(TestModels.model(reshape.build()), ShapeBinding.none().withDimension("k", 6))
                .shapeMethod()).isEqualTo(ShapeMethod.STATIC);
    }
}
