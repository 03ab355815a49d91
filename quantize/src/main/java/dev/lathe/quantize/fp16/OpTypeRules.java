package dev.lathe.quantize.fp16;

import dev.lathe.core.onnx.Onnx.NodeProto;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the default-domain ONNX operators type their inputs and outputs, as far as float16 conversion needs
 * to know, and which of them ONNX Runtime's CPU provider runs in float16.
 *
 * <p>Each rule is two short strings with one letter per input or output position; a trailing {@code *}
 * repeats the letter before it for all further positions, and positions past the end of a string without
 * {@code *} are {@code K} (inputs). Input letters: {@code D} a data input of the operator's type
 * parameter (converted with the node), {@code A} any type (read as it is), {@code K} a type of its own that
 * conversion keeps (indices, shapes, Resize scales, Dropout ratio). Output letters: {@code D} the data type,
 * {@code I} int64, {@code B} bool, {@code F} float32 whatever the data type (LayerNormalization's mean and
 * inverse deviation), {@code C} computed from attributes ({@code Cast}'s {@code to}, {@code ConstantOfShape}'s
 * {@code value}).
 *
 * <p>The CPU column was measured on ONNX Runtime 1.29 (Linux x86-64): a one-node float16 model per operator,
 * saved after session creation; operators for which ONNX Runtime inserted its own Cast nodes or failed have
 * no CPU float16 kernel. ONNX Runtime's CPU provider has no bfloat16 compute kernels at all (not even
 * MatMul or Add), which is why this package converts to float16 only.
 */
final class OpTypeRules {
    /** Slot kinds of an input position. */
    enum Slot {
        /** Of the operator's data type: float16 when the node is converted. */
        DATA,
        /** Any type: the node reads whatever it is given. */
        ANY,
        /** A type of its own, kept as it is. */
        KEEP
    }

    /**
     * One operator's typing.
     *
     * @param inputs     input letters ({@code D}, {@code A}, {@code K})
     * @param outputs    output letters ({@code D}, {@code I}, {@code B}, {@code F}, {@code C})
     * @param cpuFloat16 whether ONNX Runtime 1.29's CPU provider has a float16 kernel
     * @param allowsFloat16 whether the ONNX type constraints allow float16 data at all
     */
    record Rule(String inputs, String outputs, boolean cpuFloat16, boolean allowsFloat16) {

        /** The kind of input position {@code index}. */
        Slot input(int index) {
            return switch (letter(inputs, index, 'K')) {
                case 'D' -> Slot.DATA;
                case 'A' -> Slot.ANY;
                default -> Slot.KEEP;
            };
        }

        /** The letter of output position {@code index}. */
        char output(int index) {
            return letter(outputs, index, 'D');
        }

        private static char letter(String spec, int index, char beyond) {
            if (spec.endsWith("*")) {
                String base = spec.substring(0, spec.length() - 1);
                return base.charAt(Math.min(index, base.length() - 1));
            }
            return index < spec.length() ? spec.charAt(index) : beyond;
        }
    }

    /**
     * Operators blocked by default whatever the target, because float16 harms them: {@code Range} counts
     * (and ONNX does not allow float16 for it), {@code CumSum} accumulates, {@code TopK}, {@code RoiAlign},
     * {@code Resize} and {@code Upsample} compute indices or coordinates from float values.
     */
    static final Set<String> NUMERICALLY_SENSITIVE = Set.of("Range", "CumSum", "TopK", "RoiAlign", "Resize", "Upsample");

    /**
     * Operators for which a constant clamped to ±65504 means what the float32 value meant: additive masks
     * (−3.4·10³⁸ added to attention scores), selections, bounds and comparisons, and data movement that
     * carries such values to them. A converted node of any other operator that reads a constant beyond
     * float16's range (a BatchNormalization variance of 4.8·10⁷, say) stays float32 instead.
     */
    static final Set<String> CLAMP_SAFE = Set.of("Add", "Sub", "Mul", "Where", "Max", "Min", "Clip", "Equal", "Less",
            "LessOrEqual", "Greater", "GreaterOrEqual", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten",
            "Transpose", "Expand", "Tile", "Concat", "Slice", "Gather", "Pad");

    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        String cpuUnary = "Round Sign Identity Shrink";
        String otherUnary = "Abs Acos Acosh Asin Asinh Atan Atanh Ceil Cos Cosh Elu Erf Exp Floor Gelu HardSigmoid "
                + "HardSwish Hardmax LeakyRelu Log LogSoftmax Mish Neg Reciprocal Relu Selu Sigmoid Sin Sinh Softmax "
                + "Softplus Softsign Sqrt Tan Tanh ThresholdedRelu DepthToSpace SpaceToDepth Det LpNormalization LRN "
                + "AveragePool GlobalAveragePool GlobalMaxPool GlobalLpPool LpPool MeanVarianceNormalization";
        rules(cpuUnary, "D*", "D", true);
        rules(otherUnary, "D*", "D", false);
        rules("Max Min Mod Clip MatMul Gemm RMSNormalization", "D*", "D", true);
        rules("Add Sub Mul Div Pow Mean Sum PRelu Conv ConvTranspose BatchNormalization InstanceNormalization "
                + "GroupNormalization Einsum", "D*", "D*", false);
        rules("LayerNormalization", "D*", "DFF", true);
        rules("MaxPool", "D", "DI", false);
        rules("ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp "
                + "ReduceSumSquare CumSum Trilu", "DK", "D", false);
        rules("TopK", "DK", "DI", false);
        rules("ArgMax ArgMin NonZero", "D", "I", false);
        rules("Equal Less Greater LessOrEqual GreaterOrEqual", "D*", "B", false);
        rules("IsNaN", "D", "B", true);
        rules("Transpose Flatten", "D", "D", true);
        rules("Reshape Squeeze Unsqueeze Gather GatherElements GatherND Expand Compress ReverseSequence", "DK", "D", true);
        rules("Slice", "DK*", "D", true);
        rules("Split", "DK", "D*", true);
        rules("Concat", "D*", "D", true);
        rules("ScatterND ScatterElements", "DKD", "D", true);
        rules("Tile Upsample", "DK", "D", false);
        rules("Pad", "DKDK", "D", false);
        rules("Where", "KDD", "D", false);
        rules("Dropout", "DKK", "DB", false);
        rules("Resize", "DKKK", "D", false);
        rules("GridSample", "DD", "D", false);
        rules("RoiAlign", "DDK", "D", false);
        rules("Shape", "A", "I", true);
        rules("Size", "A", "I", false);
        rules("Cast", "A", "C", true);
        rules("CastLike", "AD", "D", false);
        rules("ConstantOfShape", "K", "C", true);
        RULES.put("Range", new Rule("D*", "D", false, false));
        RULES.put("Celu", new Rule("D", "D", false, false));
        RULES.put("IsInf", new Rule("D", "B", false, false));
        RULES.put("DequantizeLinear", new Rule("KDK", "D", false, false));
        rules("Not And Or Xor", "D*", "B", false);
        rules("BitShift BitwiseAnd BitwiseOr BitwiseXor BitwiseNot", "D*", "D", false);
    }

    private OpTypeRules() {
    }

    private static void rules(String opTypes, String inputs, String outputs, boolean cpuFloat16) {
        for (String opType : opTypes.split(" ")) {
            RULES.put(opType, new Rule(inputs, outputs, cpuFloat16, true));
        }
    }

    /** The rule of a node's operator; empty for other domains and operators this table does not know. */
    static Optional<Rule> of(NodeProto node) {
        if (!(node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx"))) {
            return Optional.empty();
        }
        return Optional.ofNullable(RULES.get(node.getOpType()));
    }

    /** Default-domain operators of the table without a float16 kernel in ONNX Runtime's CPU provider. */
    static Set<String> withoutCpuFloat16Kernel() {
        Set<String> ops = new java.util.TreeSet<>();
        RULES.forEach((op, rule) -> {
            if (!rule.cpuFloat16()) {
                ops.add(op);
            }
        });
        return ops;
    }

    /** Operators whose ONNX type constraints exclude float16 (always kept in float32). */
    static Set<String> withoutFloat16Type() {
        Set<String> ops = new java.util.TreeSet<>();
        RULES.forEach((op, rule) -> {
            if (!rule.allowsFloat16()) {
                ops.add(op);
            }
        });
        return ops;
    }
}
