package dev.lathe.prune.structured;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.testing.TestModels;

/** Tiny models with channel structure for the structured pruning tests. */
final class StructuredModels {
    private StructuredModels() {
    }

    /**
     * An MLP whose hidden neurons 2 and 5 feed nothing: x [batch, 4] → MatMul {@code w1} [4, 8] + {@code b1}
     * → Relu → MatMul {@code w2} [8, 3] (rows 2 and 5 all zero) + {@code b2} → y [batch, 3].
     */
    static OnnxModel mlpWithDeadNeurons() {
        TestModels.Builder g = TestModels.builder("mlp_with_dead_neurons");
        String x = g.input("x", DataType.FLOAT, "batch", 4);
        String h = g.node("MatMul", x, g.weight("w1", 4, 8)).output();
        String r = g.node("Relu", g.node("Add", h, g.weight("b1", 8)).output()).output();
        float[] w2 = new float[8 * 3];
        for (int i = 0; i < w2.length; i++) {
            int row = i / 3;
            w2[i] = row == 2 || row == 5 ? 0f : (float) Math.sin(i + 1.0);
        }
        String m = g.node("MatMul", r, g.floatInitializer("w2", new long[] {8, 3}, w2)).output();
        g.node("Add", m, g.weight("b2", 3)).output("y");
        g.output("y", DataType.FLOAT, "batch", 3);
        return TestModels.model(g.build());
    }

    /**
     * A feed-forward layer with a Reshape between its matrices, whose shape constant names the neuron count:
     * x [2, 3, 4] → MatMul {@code w1} [4, 8] + {@code b1} → Reshape to {@code flat_shape} = [-1, 8] → Relu →
     * MatMul {@code w2} [8, 4] → y [6, 4].
     */
    static OnnxModel reshapedFeedForward() {
        TestModels.Builder g = TestModels.builder("reshaped_feed_forward");
        String x = g.input("x", DataType.FLOAT, 2, 3, 4);
        String h = g.node("Add", g.node("MatMul", x, g.weight("w1", 4, 8)).output(), g.weight("b1", 8)).output();
        String flat = g.node("Reshape", h, g.initializer("flat_shape", TensorData.ofLongs(new long[] {2}, -1, 8))).output();
        g.node("MatMul", g.node("Relu", flat).output(), g.weight("w2", 8, 4)).output("y");
        g.output("y", DataType.FLOAT, 6, 4);
        return TestModels.model(g.build());
    }

    /**
     * A residual CNN: image [1, 3, 8, 8] → Conv {@code conv_a} (3→8, 3×3, pads 1) → BatchNormalization →
     * Relu → r; Conv {@code conv_b} (8→8, 1×1) → BatchNormalization → b; Add(r, b) → Relu → Conv
     * {@code conv_c} (8→4, 1×1) → GlobalAveragePool → Flatten → logits [1, 4]. The Add ties the outputs of
     * conv_a and conv_b: both must drop the same channels, and conv_b reads what it writes.
     *
     * <p>Conv MACs: conv_a 8·27·64 = 13824, conv_b 8·8·64 = 4096, conv_c 4·8·64 = 2048.
     */
    static OnnxModel residualCnn() {
        TestModels.Builder g = TestModels.builder("residual_cnn");
        String image = g.input("image", DataType.FLOAT, 1, 3, 8, 8);
        String a = g.node("Conv", image, g.weight("conv_a_w", 8, 3, 3, 3), g.weight("conv_a_b", 8)).named("conv_a")
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String r = g.node("Relu", batchNorm(g, a, "bn_a", 8)).output();
        String b = g.node("Conv", r, g.weight("conv_b_w", 8, 8, 1, 1)).named("conv_b").intsAttr("kernel_shape", 1, 1).output();
        String sum = g.node("Add", r, batchNorm(g, b, "bn_b", 8)).output();
        String c = g.node("Conv", g.node("Relu", sum).output(), g.weight("conv_c_w", 4, 8, 1, 1), g.weight("conv_c_b", 4))
                .named("conv_c").intsAttr("kernel_shape", 1, 1).output();
        g.node("Flatten", g.node("GlobalAveragePool", c).output()).intAttr("axis", 1).output("logits");
        g.output("logits", DataType.FLOAT, 1, 4);
        return TestModels.model(g.build());
    }

    /**
     * A mobile-style block with everything that ties channels: image [1, 3, 8, 8] → Conv {@code conv0}
     * (3→8, 3×3, pads 1) → hard-swish as x·HardSigmoid(x) → depthwise Conv {@code dw} (8 groups, 3×3, pads 1)
     * → BatchNormalization → Relu → x; squeeze-excite: GlobalAveragePool → Conv {@code se_reduce} (8→4) + bias
     * [4] reshaped to [1, 4, 1, 1] → Relu → Conv {@code se_expand} (4→8) + bias reshaped → HardSigmoid →
     * Mul(x, gate); a second branch Conv {@code side} (3→4, 3×3, pads 1) on the image; Concat of both on the
     * channel axis (12 channels) → Resize ×2 (constant scales) → Conv {@code head} (12→2, 3×3, pads 1) → out
     * [1, 2, 16, 16].
     *
     * <p>Conv MACs: conv0 8·27·64 = 13824, dw 8·9·64 = 4608, se_reduce 4·8 = 32, se_expand 8·4 = 32, side
     * 4·27·64 = 6912, head 2·108·256 = 55296; 80704 in all.
     */
    static OnnxModel mobileBlock() {
        TestModels.Builder g = TestModels.builder("mobile_block");
        String image = g.input("image", DataType.FLOAT, 1, 3, 8, 8);
        String c0 = g.node("Conv", image, g.weight("conv0_w", 8, 3, 3, 3), g.weight("conv0_b", 8)).named("conv0")
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String swish = g.node("Mul", c0, g.node("HardSigmoid", c0).output()).output();
        String dw = g.node("Conv", swish, g.weight("dw_w", 8, 1, 3, 3), g.weight("dw_b", 8)).named("dw").intAttr("group", 8)
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String x = g.node("Relu", batchNorm(g, dw, "bn", 8)).output();
        String pooled = g.node("GlobalAveragePool", x).output();
        String reduced = g.node("Add", g.node("Conv", pooled, g.weight("se_reduce_w", 4, 8, 1, 1)).named("se_reduce")
                .intsAttr("kernel_shape", 1, 1).output(), reshapedBias(g, "se_reduce_b", 4)).output();
        String expanded = g.node("Add", g.node("Conv", g.node("Relu", reduced).output(), g.weight("se_expand_w", 8, 4, 1, 1))
                .named("se_expand").intsAttr("kernel_shape", 1, 1).output(), reshapedBias(g, "se_expand_b", 8)).output();
        String excited = g.node("Mul", x, g.node("HardSigmoid", expanded).output()).output();
        String side = g.node("Conv", image, g.weight("side_w", 4, 3, 3, 3), g.weight("side_b", 4)).named("side")
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String joined = g.node("Concat", excited, side).intAttr("axis", 1).output();
        String scaled = g.node("Resize", joined, "", g.floatInitializer("scales", new long[] {4}, 1, 1, 2, 2))
                .stringAttr("mode", "nearest").output();
        g.node("Conv", scaled, g.weight("head_w", 2, 12, 3, 3), g.weight("head_b", 2)).named("head")
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output("out");
        g.output("out", DataType.FLOAT, 1, 2, 16, 16);
        return TestModels.model(g.build());
    }

    /**
     * Two users of one bias: x [2, 4] → MatMul {@code w1} [4, 8] → Add {@code shared} [8] → Relu → MatMul
     * {@code w2} [8, 4] → y [2, 4]; and z [2, 8] → Add {@code shared} → y2 [2, 8], which must keep all 8
     * entries when the hidden layer shrinks.
     */
    static OnnxModel sharedBias() {
        TestModels.Builder g = TestModels.builder("shared_bias");
        String x = g.input("x", DataType.FLOAT, 2, 4);
        String z = g.input("z", DataType.FLOAT, 2, 8);
        String shared = g.weight("shared", 8);
        String h = g.node("Relu", g.node("Add", g.node("MatMul", x, g.weight("w1", 4, 8)).output(), shared).output()).output();
        g.node("MatMul", h, g.weight("w2", 8, 4)).output("y");
        g.node("Add", z, shared).output("y2");
        g.output("y", DataType.FLOAT, 2, 4);
        g.output("y2", DataType.FLOAT, 2, 8);
        return TestModels.model(g.build());
    }

    private static String batchNorm(TestModels.Builder g, String input, String prefix, int channels) {
        return g.node("BatchNormalization", input, g.weight(prefix + "_scale", channels), g.weight(prefix + "_bias", channels),
                g.weight(prefix + "_mean", channels), g.positiveWeight(prefix + "_var", channels)).floatAttr("epsilon", 1e-5f)
                .output();
    }

    /** A bias [channels] reshaped to [1, channels, 1, 1] by a Reshape with a constant shape, as Paddle exports it. */
    private static String reshapedBias(TestModels.Builder g, String name, int channels) {
        String shape = g.initializer(name + "_shape", TensorData.ofLongs(new long[] {4}, 1, channels, 1, 1));
        return g.node("Reshape", g.weight(name, channels), shape).output();
    }
}
