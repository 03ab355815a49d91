package dev.lathe.core.model;

import java.util.HashSet;
import java.util.Set;

/**
 * Families of ONNX ops by how they treat their inputs' elements, declared once for every part of Lathe that
 * reasons about ops (shape inference, channel analysis for pruning): an op added here is known to both.
 */
public final class OpFamilies {
    /**
     * Ops that map each element to one element at the same position, with nothing mixed across channels:
     * output shape = input shape, and a channel of the input is the same channel of the output.
     */
    public static final Set<String> CHANNELWISE_UNARY = Set.of("Relu", "LeakyRelu", "Elu", "Selu", "Celu", "Sigmoid",
            "HardSigmoid", "HardSwish", "Tanh", "Erf", "Gelu", "QuickGelu", "Softplus", "Softsign", "Mish", "Identity", "Neg",
            "Abs", "Sqrt", "Exp", "Log", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "ThresholdedRelu", "Clip", "Cast",
            "Dropout");

    /** Ops that normalize each channel with per-channel parameters (inputs 1.. indexed by channel). */
    public static final Set<String> PER_CHANNEL_NORMALIZATION = Set.of("BatchNormalization", "InstanceNormalization");

    /** Ops that keep channels and pool over positions. */
    public static final Set<String> POOLING = Set.of("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "MaxPool",
            "AveragePool", "LpPool");

    /** Arithmetic on several inputs broadcast against each other, channel by channel. */
    public static final Set<String> BROADCAST_ARITHMETIC = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum",
            "Mean", "PRelu");

    /**
     * Every op whose output has its first input's shape (channel-wise unary ops, per-channel normalizations,
     * and ops that mix along an axis without resizing it, such as Softmax and LayerNormalization).
     */
    public static final Set<String> SHAPE_PRESERVING = union(CHANNELWISE_UNARY, PER_CHANNEL_NORMALIZATION,
            Set.of("CastLike", "Not", "Sin", "Cos", "IsNaN", "IsInf", "Shrink", "CumSum", "Trilu", "Softmax", "LogSoftmax",
                    "Hardmax", "LpNormalization", "LayerNormalization", "GroupNormalization", "RMSNormalization",
                    "MeanVarianceNormalization", "LRN", "QuantizeLinear", "DequantizeLinear"));

    /** Every op whose inputs are broadcast against each other elementwise (arithmetic, comparisons, logic). */
    public static final Set<String> BROADCAST_ELEMENTWISE = union(BROADCAST_ARITHMETIC, Set.of("Mod", "Equal", "Less",
            "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where", "BitShift", "BitwiseAnd", "BitwiseOr",
            "BitwiseXor"));

    private OpFamilies() {
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }
}
