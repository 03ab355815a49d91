package dev.lathe.tensorflow.convert;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorData;
import java.util.Map;

/** Element-wise TensorFlow ops: activations, arithmetic, comparisons, casts and identities. */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    /** TensorFlow unary ops that are one ONNX op of another name (or the same). */
    private static final Map<String, String> UNARY = Map.ofEntries(Map.entry("Relu", "Relu"),
            Map.entry("Sigmoid", "Sigmoid"), Map.entry("Tanh", "Tanh"), Map.entry("Elu", "Elu"), Map.entry("Selu", "Selu"),
            Map.entry("Softplus", "Softplus"), Map.entry("Erf", "Erf"), Map.entry("Exp", "Exp"), Map.entry("Log", "Log"),
            Map.entry("Neg", "Neg"), Map.entry("Abs", "Abs"), Map.entry("Sqrt", "Sqrt"), Map.entry("Floor", "Floor"),
            Map.entry("Ceil", "Ceil"), Map.entry("Reciprocal", "Reciprocal"), Map.entry("Inv", "Reciprocal"),
            Map.entry("Sign", "Sign"), Map.entry("Sin", "Sin"), Map.entry("Cos", "Cos"), Map.entry("LogicalNot", "Not"),
            Map.entry("Round", "Round"));
    /** TensorFlow binary ops that are one broadcasting ONNX op. */
    private static final Map<String, String> BINARY = Map.ofEntries(Map.entry("Add", "Add"), Map.entry("AddV2", "Add"),
            Map.entry("Sub", "Sub"), Map.entry("Mul", "Mul"), Map.entry("RealDiv", "Div"), Map.entry("Div", "Div"),
            Map.entry("Maximum", "Max"), Map.entry("Minimum", "Min"), Map.entry("Pow", "Pow"), Map.entry("Equal", "Equal"),
            Map.entry("Less", "Less"), Map.entry("LessEqual", "LessOrEqual"), Map.entry("Greater", "Greater"),
            Map.entry("GreaterEqual", "GreaterOrEqual"), Map.entry("LogicalAnd", "And"), Map.entry("LogicalOr", "Or"));

    /** Registers the converters of this family. */
    static void register(Map<String, OpConverter> table) {
        UNARY.forEach((tf, onnx) -> table.put(tf, node -> unary(node, onnx)));
        BINARY.forEach((tf, onnx) -> table.put(tf, node -> binary(node, onnx)));
        table.put("Relu6", ElementwiseOps::relu6);
        table.put("LeakyRelu", node -> {
            TfValue x = node.input(0);
            node.output(0, node.emit(Node.op("LeakyRelu").in(x.onnxName()).attr("alpha", node.real("alpha", 0.2f))), x.layout());
        });
        table.put("Rsqrt", node -> {
            TfValue x = node.input(0);
            String sqrt = node.graph().emit(node.name() + "/sqrt", Node.op("Sqrt").in(x.onnxName()));
            node.output(0, node.emit(Node.op("Reciprocal").in(sqrt)), x.layout());
        });
        table.put("Square", node -> {
            TfValue x = node.input(0);
            node.output(0, node.emit(Node.op("Mul").in(x.onnxName(), x.onnxName())), x.layout());
        });
        table.put("SquaredDifference", node -> {
            Operands operands = operands(node, node.input(0), node.input(1));
            String difference = node.graph().emit(node.name() + "/difference", Node.op("Sub").in(operands.a(), operands.b()));
            node.output(0, node.emit(Node.op("Mul").in(difference, difference)), operands.layout());
        });
        table.put("BiasAdd", ElementwiseOps::biasAdd);
        table.put("AddN", node -> {
            Node sum = Node.op("Sum");
            for (int i = 0; i < node.inputCount(); i++) {
                sum.in(node.graph().plain(node.input(i)));
            }
            node.output(node.emit(sum));
        });
        table.put("Cast", node -> {
            TfValue x = node.input(0);
            node.output(0, node.emit(Node.op("Cast").in(x.onnxName()).attr("to", node.type("DstT"))), x.layout());
        });
        for (String alias : new String[] {"Identity", "StopGradient", "PreventGradient", "Snapshot", "PlaceholderWithDefault",
            "EnsureShape", "CheckNumerics"}) {
            table.put(alias, node -> node.graph().put(node.name() + ":0", node.input(0)));
        }
        table.put("IdentityN", node -> {
            for (int i = 0; i < node.inputCount(); i++) {
                node.graph().put(node.name() + ":" + i, node.input(i));
            }
        });
        table.put("SelectV2", ElementwiseOps::where);
        table.put("Select", node -> {
            if (node.inputRank(0) != node.inputRank(1)) {
                throw node.unsupported("a condition of lower rank than the values (row selection)");
            }
            where(node);
        });
    }

    private static void where(NodeContext node) {
        ConversionGraph g = node.graph();
        node.output(node.emit(Node.op("Where").in(g.plain(node.input(0)), g.plain(node.input(1)), g.plain(node.input(2)))));
    }

    private static void unary(NodeContext node, String onnxOp) {
        TfValue x = node.input(0);
        Node op = Node.op(onnxOp).in(x.onnxName());
        if (onnxOp.equals("Elu")) {
            op.attr("alpha", 1.0f);
        }
        node.output(0, node.emit(op), x.layout());
    }

    private static void binary(NodeContext node, String onnxOp) {
        Operands operands = operands(node, node.input(0), node.input(1));
        node.output(0, node.emit(Node.op(onnxOp).in(operands.a(), operands.b())), operands.layout());
    }

    private static void relu6(NodeContext node) {
        TfValue x = node.input(0);
        ConversionGraph g = node.graph();
        String min = g.constant(node.name() + "/min", scalar(node, x.type(), 0));
        String max = g.constant(node.name() + "/max", scalar(node, x.type(), 6));
        node.output(0, node.emit(Node.op("Clip").in(x.onnxName(), min, max)), x.layout());
    }

    private static void biasAdd(NodeContext node) {
        TfValue x = node.input(0);
        TfValue bias = node.input(1);
        ConversionGraph g = node.graph();
        boolean channelsFirst = node.string("data_format", "NHWC").equals("NCHW");
        if (x.layout() == Layout.NCHW || channelsFirst && node.inputRank(0) > 2) {
            int spatial = x.layout() == Layout.NCHW ? 2 : node.inputRank(0) - 2;
            String b = channelBroadcast(node, bias, spatial);
            node.output(0, node.emit(Node.op("Add").in(x.onnxName(), b)), x.layout());
            return;
        }
        node.output(node.emit(Node.op("Add").in(x.onnxName(), g.plain(bias))));
    }

    /** A per-channel vector shaped [C, 1, ...] to broadcast over {@code spatial} trailing dimensions. */
    static String channelBroadcast(NodeContext node, TfValue vector, int spatial) {
        long[] ones = new long[spatial + 1];
        java.util.Arrays.fill(ones, 1);
        if (vector.isConstant()) {
            TensorData data = vector.constant().get();
            ones[0] = data.elementCount();
            return node.graph().constant(vector.onnxName() + "_channels", Tensors.reshape(data, ones));
        }
        ones[0] = -1;
        return node.graph().emit(vector.onnxName() + "_channels", Node.op("Reshape").in(vector.onnxName(),
                node.graph().int64s(node.name() + "/channels_shape", ones)));
    }

    /** The two operands of a broadcasting op as ONNX names, and the layout of its result. */
    record Operands(String a, String b, Layout layout) {
    }

    /**
     * Operands of a broadcasting binary op: kept in NCHW when one is NCHW and the other is NCHW too, a scalar
     * or a per-channel constant; otherwise both in TensorFlow's layout.
     */
    static Operands operands(NodeContext node, TfValue a, TfValue b) {
        ConversionGraph g = node.graph();
        if (a.layout() == Layout.NCHW || b.layout() == Layout.NCHW) {
            TfValue held = a.layout() == Layout.NCHW ? a : b;
            TfValue other = held == a ? b : a;
            String otherName = null;
            if (other.layout() == Layout.NCHW) {
                otherName = other.onnxName();
            } else if (other.isConstant()) {
                long[] shape = other.constant().get().shape();
                long elements = other.constant().get().elementCount();
                if (elements == 1 && shape.length <= 1) {
                    otherName = other.onnxName();
                } else if (shape.length == 1) {
                    otherName = channelBroadcast(node, other, 2);
                } else if (shape.length == 4) {
                    otherName = g.nchw(other);
                }
            }
            if (otherName != null) {
                return held == a ? new Operands(a.onnxName(), otherName, Layout.NCHW)
                        : new Operands(otherName, b.onnxName(), Layout.NCHW);
            }
        }
        return new Operands(g.plain(a), g.plain(b), Layout.AS_IN_TENSORFLOW);
    }

    private static TensorData scalar(NodeContext node, DataType type, float value) {
        return switch (type) {
            case FLOAT -> TensorData.ofFloats(new long[0], value);
            case DOUBLE -> TensorData.ofDoubles(new long[0], value);
            case FLOAT16 -> TensorData.ofFloat16(new long[0], value);
            case INT32 -> TensorData.ofInts(new long[0], (int) value);
            case INT64 -> TensorData.ofLongs(new long[0], (long) value);
            default -> throw node.unsupported("clipping " + type + " values");
        };
    }
}
