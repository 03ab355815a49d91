package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.testing.TestModels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The read-only graph view: order, producers and consumers, constants wherever they live, opsets. */
class GraphTest {

    private static List<String> names(List<NodeProto> nodes) {
        return nodes.stream().map(NodeProto::getName).toList();
    }

    private static NodeProto node(Graph graph, String name) {
        return graph.nodes().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void nodesComeInTopologicalOrderWhateverTheFileOrder() throws Exception {
        ModelProto proto = TestModels.transformerBlockProto();
        List<NodeProto> reversed = new ArrayList<>(proto.getGraph().getNodeList());
        Collections.reverse(reversed);
        ModelProto shuffled = proto.toBuilder().setGraph(proto.getGraph().toBuilder().clearNode().addAllNode(reversed)).build();

        Graph graph = OnnxModel.of(shuffled, "reversed", null).graph();

        assertThat(graph.isCyclic()).isFalse();
        List<String> order = names(graph.nodes());
        assertThat(order).containsExactlyInAnyOrderElementsOf(names(proto.getGraph().getNodeList()));
        for (NodeProto node : graph.nodes()) {
            for (String input : graph.readsOf(node)) {
                graph.producer(input).ifPresent(producer ->
                        assertThat(order.indexOf(producer.getName())).as("%s before %s", producer.getName(), node.getName())
                                .isLessThan(order.indexOf(node.getName())));
            }
        }
    }

    @Test
    void topologicalOrderKeepsFileOrderAmongIndependentNodes() {
        GraphProto mlp = TestModels.mlpProto().getGraph();
        Graph graph = Graph.of(mlp);
        assertThat(graph.nodes()).containsExactlyElementsOf(mlp.getNodeList());

        TestModels.Builder g = TestModels.builder("parallel");
        String x = g.input("x", DataType.FLOAT, 2);
        String[] outputs = {g.node("Relu", x).named("c").output(), g.node("Neg", x).named("a").output(),
                g.node("Abs", x).named("b").output()};
        for (String output : outputs) {
            g.output(output, DataType.FLOAT, 2);
        }
        assertThat(names(Graph.of(g.build().getGraph()).nodes())).containsExactly("c", "a", "b");
    }

    @Test
    void producersAndConsumers() {
        Graph graph = TestModels.transformerBlock().graph();

        assertThat(graph.producer("input_ids")).isEmpty();
        assertThat(graph.producer("embedding")).isEmpty();
        NodeProto gather = graph.consumers("input_ids").get(0);
        assertThat(gather.getOpType()).isEqualTo("Gather");
        String embedded = gather.getOutput(0);
        assertThat(graph.producer(embedded)).containsSame(gather);
        // q, k, v projections, the Shape of the head-split chain, and the residual Add.
        assertThat(graph.consumers(embedded)).extracting(NodeProto::getOpType)
                .containsExactlyInAnyOrder("MatMul", "MatMul", "MatMul", "Shape", "Add");
        assertThat(graph.consumers("index_0")).extracting(NodeProto::getOpType).containsExactly("Gather", "Gather");
        assertThat(graph.consumers("hidden")).isEmpty();
        assertThat(graph.producer("hidden").orElseThrow().getOpType()).isEqualTo("Add");
        assertThat(graph.consumers("no such value")).isEmpty();
    }

    @Test
    void aNodeWithSubgraphsReadsWhatItsSubgraphsReadFromOutside() {
        Graph graph = TestModels.ifSubgraphWeights().graph();
        NodeProto ifNode = node(graph, "if_flag");

        assertThat(graph.readsOf(ifNode)).containsExactly("flag", "x");
        assertThat(graph.consumers("x")).containsExactly(ifNode);
        List<Graph> branches = graph.subgraphs(ifNode);
        assertThat(branches).extracting(Graph::path).containsExactly("if_flag/then_branch", "if_flag/else_branch");
        assertThat(branches).allSatisfy(branch -> assertThat(branch.parent()).containsSame(graph));
        assertThat(branches.get(0).initializers()).containsOnlyKeys("w_then");
        assertThat(graph.withAllSubgraphs()).extracting(Graph::path)
                .containsExactly("", "if_flag/then_branch", "if_flag/else_branch");
        assertThat(graph.parent()).isEmpty();
        assertThat(graph.path()).isEmpty();
    }

    @Test
    void subgraphsOfUnnamedNodesArePathedByTheNamesTheEditorGives() throws Exception {
        ModelProto.Builder proto = TestModels.ifSubgraphWeightsProto().toBuilder();
        proto.getGraphBuilder().getNodeBuilder(0).clearName();
        OnnxModel model = TestModels.model(proto.build());

        assertThat(model.constants()).extracting(ConstantTensor::graphPath)
                .containsExactly("If/then_branch", "If/else_branch");
        assertThat(model.edit().graphs()).extracting(GraphEditor::path).contains("If/then_branch", "If/else_branch");
        assertThat(Graph.of(proto.getGraph()).subgraphs(proto.getGraph().getNode(0))).extracting(Graph::path)
                .containsExactly("If#0/then_branch", "If#0/else_branch");
    }

    @Test
    void constantsAreFoundInInitializersConstantNodesAndSubgraphs() {
        assertThat(TestModels.mlp().constants())
                .extracting(ConstantTensor::name, ConstantTensor::origin, ConstantTensor::graphPath, ConstantTensor::nodeName)
                .containsExactly(
                        tuple("w1", ConstantTensor.Origin.INITIALIZER, "", ""),
                        tuple("b1", ConstantTensor.Origin.INITIALIZER, "", ""),
                        tuple("w2", ConstantTensor.Origin.INITIALIZER, "", ""),
                        tuple("b2", ConstantTensor.Origin.INITIALIZER, "", ""));

        OnnxModel constantNodes = TestModels.constantNodeWeights();
        assertThat(constantNodes.constants()).hasSize(4).allSatisfy(constant -> {
            assertThat(constant.origin()).isEqualTo(ConstantTensor.Origin.CONSTANT_NODE);
            assertThat(constant.graphPath()).isEmpty();
            NodeProto producer = constantNodes.graph().producer(constant.name()).orElseThrow();
            assertThat(constant.nodeName()).isEqualTo(producer.getName());
            assertThat(Graph.constantNodeValue(producer)).contains(constant.tensor());
        });
        assertThat(constantNodes.constants()).extracting(ConstantTensor::name).containsExactly("w1", "b1", "w2", "b2");
        assertThat(constantNodes.constants().get(0).shape()).containsExactly(4, 8);
        assertThat(constantNodes.constants().get(0).dataType()).isEqualTo(DataType.FLOAT);
        assertThat(constantNodes.constants().get(0).elementCount()).isEqualTo(32);

        assertThat(TestModels.ifSubgraphWeights().constants())
                .extracting(ConstantTensor::name, ConstantTensor::origin, ConstantTensor::graphPath)
                .containsExactly(
                        tuple("w_then", ConstantTensor.Origin.INITIALIZER, "if_flag/then_branch"),
                        tuple("w_else", ConstantTensor.Origin.INITIALIZER, "if_flag/else_branch"));
    }

    @Test
    void initializersListedAsInputsAreNotInputsToFeed() {
        ModelProto.Builder proto = TestModels.mlpProto().toBuilder();
        proto.getGraphBuilder().addInput(ValueInfoProto.newBuilder().setName("w1").build());

        Graph graph = TestModels.model(proto.build()).graph();

        assertThat(graph.inputs()).extracting(ValueInfoProto::getName).containsExactly("x");
        assertThat(graph.outputs()).extracting(ValueInfoProto::getName).containsExactly("y");
        assertThat(graph.initializer("w1")).isPresent();
        assertThat(graph.initializer("x")).isEmpty();
        assertThat(graph.initializers()).containsOnlyKeys("w1", "b1", "w2", "b2");
    }

    @Test
    void aCycleIsReportedAndNodesStayInFileOrder() {
        TestModels.Builder g = TestModels.builder("cycle");
        g.input("x", DataType.FLOAT, 2);
        g.node("Add", "x", "b_out").named("a").output("a_out");
        g.node("Relu", "a_out").named("b").output("b_out");
        g.output("b_out", DataType.FLOAT, 2);

        Graph graph = Graph.of(g.build().getGraph());

        assertThat(graph.isCyclic()).isTrue();
        assertThat(names(graph.nodes())).containsExactly("a", "b");
        assertThat(ModelInvariants.structuralViolations(graph)).containsExactly("nodes form a cycle");
    }

    @Test
    void opsetsNormalizeTheDefaultDomain() {
        ModelProto proto = TestModels.mlpProto().toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx").setVersion(13))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
                .build();

        OnnxModel model = TestModels.model(proto);

        assertThat(model.opsets()).containsExactly(Map.entry("", 13L), Map.entry("com.microsoft", 1L));
        assertThat(model.opsetVersion("ai.onnx")).contains(13L);
        assertThat(model.opsetVersion("")).contains(13L);
        assertThat(model.opsetVersion("com.microsoft")).contains(1L);
        assertThat(model.opsetVersion("ai.onnx.ml")).isEmpty();
    }

    @Test
    void scalarConstantsAreReadWhateverTheirTypeAndWhereverTheyLive() throws Exception {
        TestModels.Builder g = TestModels.builder("scalars");
        String x = g.input("x", DataType.FLOAT, 2);
        String half = g.scalar("half", 0.5f);
        String six = g.initializer("six", TensorData.ofFloat16(new long[0], 6f));
        String three = g.int64Initializer("three", new long[] {1}, 3);
        String pair = g.floatInitializer("pair", new long[] {2}, 1f, 2f);
        String viaNode = g.node("Constant").tensorAttr("value",
                TensorCodec.encode("ten", TensorData.ofDoubles(new long[0], 10.0))).output();
        String sum = g.node("Add", x, half).output();
        g.node("Add", g.node("Mul", g.node("Add", sum, six).output(), three).output(),
                g.node("Add", pair, viaNode).output()).output("y");
        g.output("y", DataType.FLOAT, 2);
        OnnxModel model = TestModels.model(g.build());

        assertThat(model.scalarConstant(half)).contains(0.5f);
        assertThat(model.scalarConstant(six)).contains(6f);
        assertThat(model.scalarConstant(three)).contains(3f);
        assertThat(model.scalarConstant(viaNode)).contains(10f);
        assertThat(model.scalarConstant(pair)).isEmpty();
        assertThat(model.scalarConstant(x)).isEmpty();
        assertThat(model.scalarConstant(sum)).isEmpty();
        assertThat(model.scalarConstant("")).isEmpty();
    }

    @Test
    void constantNodesAreRecognisedByOpTypeAndDomain() {
        NodeProto constant = NodeProto.newBuilder().setOpType("Constant").build();
        assertThat(Graph.isConstantNode(constant)).isTrue();
        assertThat(Graph.isConstantNode(constant.toBuilder().setDomain("ai.onnx").build())).isTrue();
        assertThat(Graph.isConstantNode(constant.toBuilder().setDomain("com.example").build())).isFalse();
        assertThat(Graph.constantNodeValue(constant)).isEmpty();
    }

    @Test
    void constantNodeValuesOfScalarAndListAttributesBecomeTensors() throws Exception {
        TestModels.Builder g = TestModels.builder("constant_forms");
        String x = g.input("x", DataType.FLOAT, 2);
        String f = g.node("Constant").floatAttr("value_float", 1.5f).output("f");
        String fs = g.node("Constant").floatsAttr("value_floats", 1f, 2f).output("fs");
        String i = g.node("Constant").intAttr("value_int", 7).output("i");
        String is = g.node("Constant").intsAttr("value_ints", 2, 1).output("is");
        g.node("Constant").stringAttr("value_string", "label").output("s");
        String sum = g.node("Add", g.node("Add", x, f).output(), fs).output();
        g.node("Reshape", sum, is).output("y");
        g.node("Identity", i).output("n");
        g.output("y", DataType.FLOAT, 2, 1).output("n", DataType.INT64);
        OnnxModel model = TestModels.model(g.build());

        assertThat(model.constants()).extracting(ConstantTensor::name).containsExactly("f", "fs", "i", "is");
        Map<String, ConstantTensor> byName = new java.util.HashMap<>();
        model.constants().forEach(c -> byName.put(c.name(), c));
        assertThat(byName.get("f").dataType()).isEqualTo(DataType.FLOAT);
        assertThat(byName.get("f").shape()).isEmpty();
        assertThat(model.tensorData(byName.get("fs").tensor()).toFloatArray()).containsExactly(1f, 2f);
        assertThat(byName.get("i").dataType()).isEqualTo(DataType.INT64);
        assertThat(model.tensorData(byName.get("i").tensor()).toLongArray()).containsExactly(7);
        assertThat(byName.get("is").shape()).containsExactly(2);
        assertThat(model.tensorData(byName.get("is").tensor()).toLongArray()).containsExactly(2, 1);
    }
}
