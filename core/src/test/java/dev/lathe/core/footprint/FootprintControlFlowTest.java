package dev.lathe.core.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MACs inside If, Loop and Scan subgraphs, and Constant nodes in their attribute forms, checked against
 * figures counted by hand.
 */
class FootprintControlFlowTest {

    @Test
    void ifWithAConstantConditionCountsTheBranchItSelects() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(lstmInBothBranches(true)), ShapeBinding.none());

        // then_branch: LSTM, 1 direction × seq 5 × batch 2 × 4 gates·H 16 × (input 3 + H 4) = 1120.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("LSTM", 1120L));
        assertThat(footprint.macsByPrecision()).containsExactly(Map.entry("float32", 1120L));
        assertThat(footprint.notes()).containsExactly("If 'if_cond': condition is the constant true, counted then_branch (1120 MACs)");
        assertThat(footprint.unresolvedNodes()).isEmpty();
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
    }

    @Test
    void ifWithARuntimeConditionCountsTheLargerBranchAndSaysSo() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(lstmInBothBranches(false)), ShapeBinding.none());

        // else_branch: bidirectional LSTM, 2 × 5 × 2 × 16 × (3 + 4) = 2240 (then_branch: 1120).
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("LSTM", 2240L));
        assertThat(footprint.notes()).containsExactly("If 'if_cond': condition known only at run time, counted the larger "
                + "branch else_branch (2240 MACs; then_branch 1120)");
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void loopWithAStaticTripCountCountsItsBodyThatManyTimes() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(matMulLoop(true)), ShapeBinding.none());

        // Body: [1,4]·[4,4] = 16 MACs, 3 iterations.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 48L));
        assertThat(footprint.notes()).isEmpty();
        assertThat(footprint.unresolvedNodes()).isEmpty();
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        // The scan output stacks the 3 iterations in front of the body's [1,4].
        ModelProto proto = matMulLoop(true);
        String stacked = proto.getGraph().getNode(0).getOutput(1);
        assertThat(ShapeInference.infer(TestModels.model(proto), Map.of("x", new long[] {1, 4}), Map.of()).shapes().get(stacked))
                .containsExactly(3, 1, 4);
    }

    @Test
    void loopWithATripCountKnownOnlyAtRunTimeCountsOneIterationWithANote() throws Exception {
        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(matMulLoop(false)), ShapeBinding.none());

        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 16L));
        assertThat(footprint.notes()).containsExactly(
                "Loop 'loop': trip count not static, counted one iteration of its body (16 MACs per iteration)");
    }

    @Test
    void scanCountsItsBodyOncePerSliceOfTheScanAxis() throws Exception {
        TestModels.Builder g = TestModels.builder("scan");
        String xs = g.input("xs", DataType.FLOAT, 6, 1, 4);
        String h0 = g.input("h0", DataType.FLOAT, 1, 4);
        TestModels.Builder body = g.subgraph("body");
        String h = body.input("h", DataType.FLOAT, 1, 4);
        String xt = body.input("x_t", DataType.FLOAT, 1, 4);
        String next = body.node("Add", body.node("MatMul", xt, body.weight("w", 4, 4)).output(), h).output("h_next");
        String out = body.node("Identity", next).output("y_t");
        body.output(next, DataType.FLOAT, 1, 4).output(out, DataType.FLOAT, 1, 4);
        String[] outputs = g.node("Scan", h0, xs).intAttr("num_scan_inputs", 1).graphAttr("body", body.buildGraph())
                .outputs(2);
        g.output(outputs[1], DataType.FLOAT, 6, 1, 4);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // 6 slices × ([1,4]·[4,4] = 16 MACs, Add on [1,4] = 4 element operations).
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 96L));
        assertThat(footprint.elementwiseOps()).isEqualTo(24);
        assertThat(footprint.notes()).isEmpty();
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void aGivenInputValueDecidesTheBranchAnIfTakes() throws Exception {
        // sr (int64 scalar) == 16000 picks then_branch ([1,4]·[4,8] = 32 MACs), else else_branch ([1,4]·[4,16] = 64).
        TestModels.Builder g = TestModels.builder("rate_if");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String sr = g.input("sr", DataType.INT64);
        String is16k = g.node("Equal", sr, g.int64Initializer("rate_16k", new long[0], 16000)).output();
        TestModels.Builder then = g.subgraph("then_branch");
        String thenY = then.node("MatMul", x, then.weight("w_then", 4, 8)).output("then_y");
        then.output(thenY, DataType.FLOAT, 1, 8);
        TestModels.Builder otherwise = g.subgraph("else_branch");
        String elseY = otherwise.node("MatMul", x, otherwise.weight("w_else", 4, 16)).output("else_y");
        otherwise.output(elseY, DataType.FLOAT, 1, 16);
        g.node("If", is16k).named("rate_if").graphAttr("then_branch", then.buildGraph())
                .graphAttr("else_branch", otherwise.buildGraph()).output("y");
        g.output("y", DataType.FLOAT, 1, "n");
        OnnxModel model = TestModels.model(g.build());

        assertThat(FootprintAnalyzer.analyze(model, ShapeBinding.none().withInputValue("sr", 16000)).macs()).isEqualTo(32);
        assertThat(FootprintAnalyzer.analyze(model, ShapeBinding.none().withInputValue("sr", 8000)).macs()).isEqualTo(64);
        Footprint unknown = FootprintAnalyzer.analyze(model, ShapeBinding.none());
        assertThat(unknown.macs()).isEqualTo(64);
        assertThat(unknown.notes()).singleElement().asString().contains("rate_if");
        assertThatThrownBy(() -> ShapeBinding.none().withInputValue("sr", 1, 2).resolve(model))
                .hasMessageContaining("'sr'").hasMessageContaining("2 were given");
        assertThatThrownBy(() -> ShapeBinding.none().withInputValue("rate", 1).resolve(model))
                .hasMessageContaining("no input 'rate'");
    }

    @Test
    void constantNodeIntsAndFloatsAreShapeValuesAndParameters() throws Exception {
        TestModels.Builder g = TestModels.builder("constant_ints_reshape");
        String x = g.input("x", DataType.FLOAT, 2, 6);
        String shape = g.node("Constant").intsAttr("value_ints", 3, 4).output("target_shape");
        String scale = g.node("Constant").floatAttr("value_float", 0.5f).output("scale");
        String reshaped = g.node("Reshape", g.node("Mul", x, scale).output(), shape).output();
        g.node("MatMul", reshaped, g.weight("w", 4, 5)).output("y");
        g.output("y", DataType.FLOAT, 3, 5);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // Reshape to [3,4] through the value_ints, then [3,4]·[4,5] = 60 MACs.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 60L));
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(footprint.unresolvedNodes()).isEmpty();
        // w: 20 elements, scale: 1 (the int64 shape is no parameter).
        assertThat(footprint.parameters()).isEqualTo(21);
        assertThat(footprint.bytesByDataType()).containsEntry("INT64", 16L);
    }

    /**
     * x [5, 2, 3] (seq, batch, input) into an If named {@code if_cond}: then_branch a forward LSTM with H = 4,
     * else_branch a bidirectional one averaged over directions; both give [1, 2, 4]. The condition is a
     * Constant true when {@code constantCondition}, else a graph input.
     */
    private static ModelProto lstmInBothBranches(boolean constantCondition) {
        TestModels.Builder g = TestModels.builder("lstm_if");
        String x = g.input("x", DataType.FLOAT, 5, 2, 3);
        String condition = constantCondition
                ? g.node("Constant").tensorAttr("value", TensorCodec.encode("flag", TensorData.ofBooleans(new long[0], true)))
                        .output("flag")
                : g.input("flag", DataType.BOOL);
        TestModels.Builder then = g.subgraph("then_branch");
        String thenState = then.node("LSTM", x, then.weight("w_then", 1, 16, 3), then.weight("r_then", 1, 16, 4))
                .intAttr("hidden_size", 4).outputs(2)[1];
        then.output(thenState, DataType.FLOAT, 1, 2, 4);
        TestModels.Builder otherwise = g.subgraph("else_branch");
        String bothStates = otherwise.node("LSTM", x, otherwise.weight("w_else", 2, 16, 3), otherwise.weight("r_else", 2, 16, 4))
                .intAttr("hidden_size", 4).stringAttr("direction", "bidirectional").outputs(2)[1];
        String averaged = otherwise.node("ReduceMean", bothStates).intsAttr("axes", 0).output();
        otherwise.output(averaged, DataType.FLOAT, 1, 2, 4);
        g.node("If", condition).named("if_cond").graphAttr("then_branch", then.buildGraph())
                .graphAttr("else_branch", otherwise.buildGraph()).output("y");
        g.output("y", DataType.FLOAT, 1, 2, 4);
        return g.build();
    }

    /**
     * A Loop named {@code loop} over x [1, 4]: the body multiplies the carried [1, 4] by a [4, 4] weight and
     * also emits it as a scan output (the Loop's second output). The trip count is an int64 initializer 3 when
     * {@code staticTrips}, else a graph input; there is no condition input.
     */
    private static ModelProto matMulLoop(boolean staticTrips) {
        TestModels.Builder g = TestModels.builder("matmul_loop");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String trips = staticTrips ? g.int64Initializer("trips", new long[0], 3) : g.input("trips", DataType.INT64);
        TestModels.Builder body = g.subgraph("body");
        body.input("iteration", DataType.INT64);
        String conditionIn = body.input("condition_in", DataType.BOOL);
        String h = body.input("h", DataType.FLOAT, 1, 4);
        String conditionOut = body.node("Identity", conditionIn).output("condition_out");
        String next = body.node("MatMul", h, body.weight("w", 4, 4)).output("h_next");
        String slice = body.node("Identity", next).output("slice");
        body.output(conditionOut, DataType.BOOL).output(next, DataType.FLOAT, 1, 4).output(slice, DataType.FLOAT, 1, 4);
        String[] outputs = g.node("Loop", trips, "", x).named("loop").graphAttr("body", body.buildGraph()).outputs(2);
        g.output(outputs[0], DataType.FLOAT, 1, 4);
        return g.build();
    }
}
