package dev.lathe.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.ModelInvariants;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.ModelProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tiny models are what their javadoc says: valid, deterministic, runnable, with the stated weights. */
class TestModelsTest {

    private static long floatElements(OnnxModel model, long minimumElements) {
        return model.constants().stream()
                .filter(c -> c.dataType() == DataType.FLOAT && c.elementCount() >= minimumElements)
                .mapToLong(ConstantTensor::elementCount).sum();
    }

    @Test
    void everyModelIsValidDeterministicAndNamesAllNodes() {
        List<ModelProto> first = List.of(TestModels.mlpProto(), TestModels.cnnWithBatchNormProto(),
                TestModels.transformerBlockProto(), TestModels.constantNodeWeightsProto(),
                TestModels.ifSubgraphWeightsProto());
        List<ModelProto> second = List.of(TestModels.mlpProto(), TestModels.cnnWithBatchNormProto(),
                TestModels.transformerBlockProto(), TestModels.constantNodeWeightsProto(),
                TestModels.ifSubgraphWeightsProto());
        assertThat(first).isEqualTo(second);
        for (ModelProto proto : first) {
            assertThat(proto.getIrVersion()).isEqualTo(TestModels.IR_VERSION);
            assertThat(ModelInvariants.violations(Graph.of(proto.getGraph()))).as(proto.getGraph().getName()).isEmpty();
            assertThat(TestModels.model(proto).opsets()).containsExactly(Map.entry("", TestModels.OPSET));
        }
    }

    @Test
    void parameterCountsMatchTheJavadoc() {
        assertThat(floatElements(TestModels.mlp(), 1)).isEqualTo(67);
        assertThat(TestModels.mlp().graph().initializers()).hasSize(4);
        assertThat(floatElements(TestModels.cnnWithBatchNorm(), 1)).isEqualTo(138);
        assertThat(TestModels.cnnWithBatchNorm().graph().initializers()).hasSize(8);
        OnnxModel transformer = TestModels.transformerBlock();
        assertThat(floatElements(transformer, 2)).isEqualTo(696);
        assertThat(floatElements(transformer, 1)).isEqualTo(700);
        assertThat(transformer.constants()).filteredOn(c -> c.dataType() == DataType.FLOAT && c.elementCount() >= 2)
                .hasSize(13);
        OnnxModel constants = TestModels.constantNodeWeights();
        assertThat(constants.graph().initializers()).isEmpty();
        assertThat(constants.constants()).extracting(ConstantTensor::origin).containsOnly(ConstantTensor.Origin.CONSTANT_NODE);
        assertThat(floatElements(constants, 1)).isEqualTo(67);
        OnnxModel branches = TestModels.ifSubgraphWeights();
        assertThat(branches.graph().initializers()).isEmpty();
        assertThat(floatElements(branches, 1)).isEqualTo(32);
    }

    @Test
    void everyModelRunsInOnnxRuntime() throws Exception {
        SeededRun run = SeededRun.withSeed(1).dim("batch", 2).dim("seq", 5).dim("height", 6).dim("width", 7)
                .intBound("input_ids", 16);
        assertThat(run.outputs(TestModels.mlpProto().toByteArray()).get("y")).hasSize(2 * 3);
        assertThat(run.outputs(TestModels.cnnWithBatchNormProto().toByteArray()).get("logits")).hasSize(2);
        assertThat(run.outputs(TestModels.transformerBlockProto().toByteArray()).get("hidden")).hasSize(2 * 5 * 8)
                .doesNotContain(Float.NaN);
        assertThat(run.outputs(TestModels.constantNodeWeightsProto().toByteArray()).get("y")).hasSize(2 * 3);
        assertThat(run.outputs(TestModels.ifSubgraphWeightsProto().toByteArray()).get("y")).hasSize(4);
    }

    @Test
    void builderNamesAreUniqueAcrossSubgraphs() {
        TestModels.Builder g = TestModels.builder("names");
        String x = g.input("x", DataType.FLOAT, 2);
        assertThat(g.uniqueName("x")).isEqualTo("x_1");
        TestModels.Builder body = g.subgraph("body");
        assertThat(body.uniqueName("x")).isEqualTo("x_2");
        assertThat(g.node("Relu", x).output()).isEqualTo("relu");
        assertThat(body.node("Relu", x).output()).isEqualTo("relu_1");
        assertThatThrownBy(() -> g.input("x", DataType.FLOAT, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
        assertThatThrownBy(() -> g.input("y", DataType.FLOAT, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'y'");
    }
}
