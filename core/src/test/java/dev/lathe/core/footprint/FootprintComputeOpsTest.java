package dev.lathe.core.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MACs of recurrent, transposed-convolution, Einsum and attention ops, and the split of MACs by arithmetic
 * precision, checked against figures counted by hand (see the formulas in {@link MacCounter}).
 */
class FootprintComputeOpsTest {

    @Test
    void gruAndRnnCountGatesTimesInputPlusHiddenPerStep() throws Exception {
        TestModels.Builder g = TestModels.builder("gru_rnn");
        String x = g.input("x", DataType.FLOAT, 7, 1, 5);
        String gruY = g.node("GRU", x, g.weight("w_gru", 1, 9, 5), g.weight("r_gru", 1, 9, 3)).intAttr("hidden_size", 3)
                .outputs(1)[0];
        // GRU Y [7, 1, 1, 3] → [7, 1, 3], the input of an RNN with H = 2.
        String squeezed = g.node("Squeeze", gruY, g.int64Initializer("axis", new long[] {1}, 1)).output();
        g.node("RNN", squeezed, g.weight("w_rnn", 1, 2, 3), g.weight("r_rnn", 1, 2, 2)).intAttr("hidden_size", 2)
                .output("y");
        g.output("y", DataType.FLOAT, 7, 1, 1, 2);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // GRU: 1 direction × seq 7 × batch 1 × 3 gates·H 9 × (input 5 + H 3) = 504.
        // RNN: 1 × 7 × 1 × 1 gate·H 2 × (input 3 + H 2) = 70.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("GRU", 504L), Map.entry("RNN", 70L));
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void gruWithBatchFirstLayoutReadsSequenceFromTheSecondAxis() throws Exception {
        TestModels.Builder g = TestModels.builder("gru_layout");
        String x = g.input("x", DataType.FLOAT, 2, 4, 5);
        g.node("GRU", x, g.weight("w", 2, 9, 5), g.weight("r", 2, 9, 3)).intAttr("hidden_size", 3).intAttr("layout", 1)
                .stringAttr("direction", "bidirectional").output("y");
        g.output("y", DataType.FLOAT, 2, 4, 2, 3);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // 2 directions × seq 4 × batch 2 × 9 × (5 + 3) = 1152.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("GRU", 1152L));
    }

    @Test
    void convTransposeCountsEveryInputElementTimesOutputChannelsAndKernel() throws Exception {
        TestModels.Builder g = TestModels.builder("conv_transpose");
        String x = g.input("x", DataType.FLOAT, 1, 2, 3, 3);
        String up = g.node("ConvTranspose", x, g.weight("w", 2, 4, 2, 2)).intsAttr("strides", 2, 2).output();
        g.node("Conv", up, g.weight("k", 1, 4, 1, 1)).output("y");
        g.output("y", DataType.FLOAT, 1, 1, 6, 6);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // ConvTranspose: 18 input elements × 4 output channels × 2·2 kernel = 288 (output [1,4,6,6]:
        // 144 elements × 2 input channels × 1 kernel tap each, the same). Conv 1×1 on it: 36 × 4 = 144.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("Conv", 144L), Map.entry("ConvTranspose", 288L));
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void einsumCountsTheProductOfAllLettersOfEachContraction() throws Exception {
        TestModels.Builder g = TestModels.builder("einsum");
        String a = g.input("a", DataType.FLOAT, 2, 3, 4);
        String batched = g.node("Einsum", a, g.weight("b", 2, 4, 5)).stringAttr("equation", "bij,bjk->bik").output();
        String implicit = g.node("Einsum", batched, g.weight("c", 5, 6)).stringAttr("equation", "...ij,jk").output();
        String chain = g.node("Einsum", g.weight("p", 2, 3), g.weight("q", 3, 4), g.weight("r", 4, 5))
                .stringAttr("equation", "ij,jk,kl->il").output();
        g.node("MatMul", implicit, g.weight("d", 6, 1)).output("y");
        g.node("Identity", chain).output("z");
        g.output("y", DataType.FLOAT, 2, 3, 1).output("z", DataType.FLOAT, 2, 5);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // bij,bjk->bik: 2·3·4·5 = 120, output [2,3,5]. ...ij,jk (implicit ...ik): 2·3·5·6 = 180, output [2,3,6].
        // ij,jk,kl->il: i·j·k = 24, then (i,k)·kl: 2·4·5 = 40. MatMul [2,3,6]·[6,1] = 36.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("Einsum", 120L + 180 + 64), Map.entry("MatMul", 36L));
        assertThat(footprint.shapeMethod()).isEqualTo(ShapeMethod.STATIC);
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void microsoftAttentionCountsProjectionAndBothProducts() throws Exception {
        TestModels.Builder g = TestModels.builder("attention").opset("com.microsoft", 1);
        String x = g.input("x", DataType.FLOAT, 2, 3, 8);
        String attended = g.node("Attention", x, g.weight("qkv", 8, 24), g.weight("bias", 24)).domain("com.microsoft")
                .intAttr("num_heads", 2).output();
        String key = g.input("key", DataType.FLOAT, 2, 5, 8);
        String crossed = g.node("MultiHeadAttention", attended, key, key).domain("com.microsoft").intAttr("num_heads", 2)
                .output();
        g.node("MatMul", crossed, g.weight("out", 8, 4)).output("y");
        g.output("y", DataType.FLOAT, 2, 3, 4);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // Attention: projection 2·3·8·24 = 1152, QKᵀ 2·3·3·8 = 144, attention·V 144: 1440.
        // MultiHeadAttention (already projected): QKᵀ 2·3·5·8 = 240, attention·V 240: 480. MatMul 2·3·8·4 = 192.
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 192L),
                Map.entry("com.microsoft.Attention", 1440L), Map.entry("com.microsoft.MultiHeadAttention", 480L));
        assertThat(footprint.unresolvedNodes()).isEmpty();
    }

    @Test
    void int8MatMulsAreCountedApartFromFloatOnes() throws Exception {
        TestModels.Builder g = TestModels.builder("int8_matmul").opset("com.microsoft", 1);
        String x = g.input("x", DataType.FLOAT, 2, 4);
        String w = g.initializer("w_int8", TensorData.ofSmallValues(DataType.INT8, new long[] {4, 8}, new int[32]));
        String hidden = g.node("DynamicQuantizeMatMul", x, w, g.scalar("w_scale", 0.02f)).domain("com.microsoft").output();
        String quantized = g.node("DynamicQuantizeLinear", hidden).outputs(3)[0];
        String w2 = g.initializer("w2_int8", TensorData.ofSmallValues(DataType.INT8, new long[] {8, 2}, new int[16]));
        String integer = g.node("MatMulInteger", quantized, w2).output();
        String floats = g.node("Cast", integer).intAttr("to", DataType.FLOAT.code()).output();
        g.node("MatMul", floats, g.weight("w3", 2, 3)).output("y");
        g.output("y", DataType.FLOAT, 2, 3);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // DynamicQuantizeMatMul [2,4]·[4,8] = 64 and MatMulInteger [2,8]·[8,2] = 32 are int8;
        // the float MatMul [2,2]·[2,3] = 12 is float32.
        assertThat(footprint.macsByPrecision()).containsExactly(Map.entry("float32", 12L), Map.entry("int8", 96L));
        assertThat(footprint.macs()).isEqualTo(108);
    }

    @Test
    void matMulNBitsCountsAsItsBitWidthAndFloat16MatMulAsFloat16() throws Exception {
        TestModels.Builder g = TestModels.builder("nbits").opset("com.microsoft", 1);
        String x = g.input("x", DataType.FLOAT16, 2, 16);
        for (int bits : new int[] {4, 8}) {
            // B packs N = 8 rows of K = 16 weights in one block of 16·bits/8 bytes.
            String packed = g.initializer("b" + bits, TensorData.ofSmallValues(DataType.UINT8, new long[] {8, 1, 2L * bits},
                    new int[16 * bits]));
            String scales = g.initializer("s" + bits, TensorData.ofFloat16(new long[] {8}, 1, 1, 1, 1, 1, 1, 1, 1));
            g.node("MatMulNBits", x, packed, scales).domain("com.microsoft").intAttr("K", 16).intAttr("N", 8)
                    .intAttr("bits", bits).intAttr("block_size", 16).output("y" + bits);
            g.output("y" + bits, DataType.FLOAT16, 2, 8);
        }
        String half = g.initializer("w_half", TensorData.ofFloat16(new long[] {16, 1}, new float[16]));
        g.node("MatMul", x, half).output("z");
        g.output("z", DataType.FLOAT16, 2, 1);

        Footprint footprint = FootprintAnalyzer.analyze(TestModels.model(g.build()), ShapeBinding.none());

        // Each MatMulNBits: 2·8 outputs × K 16 = 256; the float16 MatMul: 2·16·1 = 32.
        assertThat(footprint.macsByPrecision()).containsExactly(Map.entry("float16", 32L), Map.entry("int4", 256L),
                Map.entry("int8", 256L));
        assertThat(footprint.macsByOpType()).containsExactly(Map.entry("MatMul", 32L),
                Map.entry("com.microsoft.MatMulNBits", 512L));
    }
}
