package dev.lathe.core.testing;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.AttributeProto;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Tiny ONNX models built in code, for tests that need exact, hand-checkable graphs, plus the fluent
 * {@link Builder} they are made with. Every model imports the default ONNX domain at opset
 * {@value #OPSET} with IR version {@value #IR_VERSION}, holds only float32 weights drawn from a
 * {@link Random} with a fixed seed (so each call returns an identical model), and runs in ONNX Runtime.
 *
 * <p>Each model comes in two forms: {@code xxx()} returns a checked {@link OnnxModel} (not backed by a
 * file), {@code xxxProto()} the bare {@link ModelProto}, for tests that want to corrupt or extend it.
 * Symbolic dimensions are named in the javadoc; bind them when feeding inputs.
 */
public final class TestModels {
    /** The default-domain opset every model imports unless the builder is told otherwise. */
    public static final long OPSET = 17;
    /** The IR version every model declares unless the builder is told otherwise. */
    public static final long IR_VERSION = 8;
    /** The seed of the weight generator; the same seed gives byte-identical models. */
    public static final long SEED = 20240611L;

    private TestModels() {
    }

    /** A builder for a model named {@code name}, with weights drawn from {@link #SEED}. */
    public static Builder builder(String name) {
        return new Builder(name, new HashSet<>(), new Random(SEED));
    }

    /** Checks a built proto as a model named after its graph; test models are valid by construction. */
    public static OnnxModel model(ModelProto proto) {
        try {
            return OnnxModel.of(proto, proto.getGraph().getName(), null);
        } catch (InvalidModelException e) {
            throw new IllegalStateException("test model " + proto.getGraph().getName() + " is invalid", e);
        }
    }

    /**
     * A two-layer perceptron. Input {@code x} float [batch, 4] ({@code batch} symbolic), output {@code y}
     * float [batch, 3]:
     * {@code y = Relu(Gemm(x, w1, b1, transB=1)) · w2 + b2} with {@code w1} [8, 4], {@code b1} [8],
     * {@code w2} [8, 3], {@code b2} [3].
     *
     * <p>Parameters: 4·8 + 8 + 8·3 + 3 = 67 float32 elements (268 bytes) in 4 initializers. MACs for
     * batch B: Gemm 4·8·B + MatMul 8·3·B = 56·B.
     */
    public static OnnxModel mlp() {
        return model(mlpProto());
    }

    /** The proto of {@link #mlp()}. */
    public static ModelProto mlpProto() {
        Builder g = builder("mlp");
        String x = g.input("x", DataType.FLOAT, "batch", 4);
        String h = g.node("Gemm", x, g.weight("w1", 8, 4), g.weight("b1", 8)).intAttr("transB", 1).output();
        String r = g.node("Relu", h).output();
        String m = g.node("MatMul", r, g.weight("w2", 8, 3)).output();
        g.node("Add", m, g.weight("b2", 3)).output("y");
        g.output("y", DataType.FLOAT, "batch", 3);
        return g.build();
    }

    /**
     * An image model that runs only at height 48, as a text-line recognizer does: input {@code x} of shape
     * [1, 3, ?, ?] (Paddle2ONNX's placeholder {@code "?"} for both sides, which names no shared size),
     * concatenated along the width with a constant [1, 3, 48, 4] into {@code y}. At the default 224 × 224 the
     * Concat's heights disagree, and ONNX Runtime refuses to run it.
     */
    public static ModelProto fixedHeightImageProto() {
        Builder g = builder("fixed_height_image");
        String x = g.input("x", DataType.FLOAT, 1, 3, "?", "?");
        g.node("Concat", x, g.constant("strip", 1, 3, 48, 4)).intAttr("axis", 3).output("y");
        g.output("y", DataType.FLOAT, 1, 3, 48, "w");
        return g.build();
    }

    /**
     * A small CNN. Input {@code image} float [1, 3, height, width] ({@code height}, {@code width}
     * symbolic), output {@code logits} float [1, 2]: Conv(3→4, 3×3, pads 1) → BatchNormalization → Relu →
     * Conv(4→2, 1×1, group 1) → GlobalAveragePool → Flatten.
     *
     * <p>Parameters: conv1 4·3·3·3 + 4 = 112, batch norm scale/bias/mean/var 4·4 = 16, conv2 2·4 + 2 = 10;
     * 138 float32 elements in 8 initializers (running variances are positive). Conv MACs for an H×W image:
     * 4·3·9·H·W = 108·H·W and 2·4·H·W = 8·H·W.
     */
    public static OnnxModel cnnWithBatchNorm() {
        return model(cnnWithBatchNormProto());
    }

    /** The proto of {@link #cnnWithBatchNorm()}. */
    public static ModelProto cnnWithBatchNormProto() {
        Builder g = builder("cnn_with_batch_norm");
        String image = g.input("image", DataType.FLOAT, 1, 3, "height", "width");
        String c1 = g.node("Conv", image, g.weight("conv1_w", 4, 3, 3, 3), g.weight("conv1_b", 4))
                .intsAttr("kernel_shape", 3, 3).intsAttr("pads", 1, 1, 1, 1).output();
        String bn = g.node("BatchNormalization", c1, g.weight("bn_scale", 4), g.weight("bn_bias", 4),
                g.weight("bn_mean", 4), g.positiveWeight("bn_var", 4)).floatAttr("epsilon", 1e-5f).output();
        String r = g.node("Relu", bn).output();
        String c2 = g.node("Conv", r, g.weight("conv2_w", 2, 4, 1, 1), g.weight("conv2_b", 2))
                .intsAttr("kernel_shape", 1, 1).intAttr("group", 1).output();
        String pooled = g.node("GlobalAveragePool", c2).output();
        g.node("Flatten", pooled).intAttr("axis", 1).output("logits");
        g.output("logits", DataType.FLOAT, 1, 2);
        return g.build();
    }

    /**
     * One encoder block with dynamic shapes, shaped like a PyTorch export: hidden size 8, 2 heads of size
     * 4, vocabulary 16. Inputs {@code input_ids} and {@code attention_mask}, both int64 [batch, seq]
     * ({@code batch}, {@code seq} symbolic); output {@code hidden} float [batch, seq, 8].
     *
     * <p>Graph: embedded = Gather({@code embedding} [16, 8], input_ids); q, k, v = MatMul(embedded, [8, 8]) + bias
     * [8]; each is split into heads by the exporter's chain Shape → Gather(0), Gather(1) → Unsqueeze →
     * Concat(batch, seq, [2, 4]) → Reshape → Transpose (perm 0,2,1,3 for q and v; 0,2,3,1 for k, giving
     * k<sup>T</sup>); scores = MatMul(q, k<sup>T</sup>) / sqrt(4) + mask, where mask = (1 − float(
     * attention_mask)) · −10000 unsqueezed to [batch, 1, 1, seq]; Softmax(axis −1); context =
     * MatMul(probabilities, v) → Transpose(0,2,1,3) → Reshape to [batch, seq, 8] (a second Shape/Gather/
     * Concat chain); attention = MatMul(context, [8, 8]) + bias + embedded (residual); then a feed-forward
     * layer f = MatMul(attention, [8, 16]) + bias, gelu(f) ≈ f · Sigmoid(1.702 · f), MatMul(·, [16, 8]) +
     * bias, plus the residual attention → {@code hidden}.
     *
     * <p>MatMul MACs for batch B and sequence S: q/k/v/output projections 4·B·S·8·8 = 256·B·S; scores
     * B·2·S·S·4 = 8·B·S²; context B·2·S·S·4 = 8·B·S²; feed-forward B·S·8·16·2 = 256·B·S; in total
     * 512·B·S + 16·B·S² (Gather does no MACs).
     *
     * <p>Weights: embedding 16·8 = 128, q/k/v/output 4·(8·8 + 8) = 288, feed-forward 8·16 + 16 + 16·8 + 8
     * = 280; 696 float32 elements in 13 initializers: {@code embedding}, {@code q_w}, {@code q_b}, {@code k_w},
     * {@code k_b}, {@code v_w}, {@code v_b}, {@code out_w}, {@code out_b}, {@code ffn_up_w} [8, 16],
     * {@code ffn_up_b}, {@code ffn_down_w} [16, 8], {@code ffn_down_b}. Besides them the graph holds four one-element float
     * constants (the divisor 2, 1, −10000 and 1.702; 700 float elements in all) and int64 shape constants
     * (gather indices 0 and 1, unsqueeze axes [0] and [1, 2], head shape [2, 4], hidden size [8]).
     */
    public static OnnxModel transformerBlock() {
        return model(transformerBlockProto());
    }

    /**
     * BERT's embedding layer as PyTorch exports it: LayerNorm(words[ids] + segments[segment_ids] + positions[Slice(row,
     * 0, seq)]) with {@code row = [[first, first + 1, ...]]}; {@code residualLayer} adds a sublayer with a residual
     * layer norm after it and declares the segment ids of shape [1, seq]. Tables: {@code words} [16, 8],
     * {@code segments} [2, 8], {@code positions} [12, 8]; layer norm {@code gamma}, {@code beta}; output {@code hidden}
     * [batch, seq, 8].
     */
    public static OnnxModel bertEmbeddings(long first, boolean residualLayer) {
        Builder g = builder("bert_embeddings");
        String ids = g.input("input_ids", DataType.INT64, "batch", "seq");
        String segmentIds = residualLayer ? g.input("token_type_ids", DataType.INT64, 1, "seq")
                : g.input("token_type_ids", DataType.INT64, "batch", "seq");
        long[] row = new long[12];
        for (int i = 0; i < row.length; i++) {
            row[i] = first + i;
        }
        String positionRow = g.int64Initializer("position_row", new long[] {1, row.length}, row);
        String shape = g.node("Shape", ids).output();
        String seq = g.node("Gather", shape, g.int64Initializer("index_1", new long[0], 1)).intAttr("axis", 0).output();
        String end = g.node("Unsqueeze", seq, g.int64Initializer("axes_0", new long[] {1}, 0)).output();
        String positionIds = g.node("Slice", positionRow, g.int64Initializer("start", new long[] {1}, 0), end,
                g.int64Initializer("axis_1", new long[] {1}, 1), g.int64Initializer("step", new long[] {1}, 1)).output();
        String words = g.node("Gather", g.weight("words", 16, 8), ids).intAttr("axis", 0).output();
        String segments = g.node("Gather", g.weight("segments", 2, 8), segmentIds).intAttr("axis", 0).output();
        String positions = g.node("Gather", g.weight("positions", 12, 8), positionIds).intAttr("axis", 0).output();
        String sum = g.node("Add", g.node("Add", words, segments).output(), positions).output();
        String normalized = g.node("LayerNormalization", sum, g.positiveWeight("gamma", 8), g.weight("beta", 8))
                .intAttr("axis", -1).floatAttr("epsilon", 1e-12f).output(residualLayer ? "embedded" : "hidden");
        if (residualLayer) {
            String product = g.node("MatMul", normalized, g.weight("w", 8, 8)).output();
            g.node("LayerNormalization", g.node("Add", product, normalized).output(), g.positiveWeight("gamma_1", 8),
                    g.weight("beta_1", 8)).intAttr("axis", -1).floatAttr("epsilon", 1e-12f).output("hidden");
        }
        g.opset("", 17);
        g.output("hidden", DataType.FLOAT, "batch", "seq", 8);
        return model(g.build());
    }

    /** The proto of {@link #transformerBlock()}. */
    public static ModelProto transformerBlockProto() {
        Builder g = builder("transformer_block");
        String ids = g.input("input_ids", DataType.INT64, "batch", "seq");
        String mask = g.input("attention_mask", DataType.INT64, "batch", "seq");
        String embedding = g.node("Gather", g.weight("embedding", 16, 8), ids).intAttr("axis", 0).output();

        String[] shapeConstants = {g.int64Initializer("index_0", new long[0], 0),
                g.int64Initializer("index_1", new long[0], 1), g.int64Initializer("unsqueeze_axes", new long[] {1}, 0)};
        String[] batchSeq = batchAndSeq(g, embedding, shapeConstants);
        String headShape = g.node("Concat", batchSeq[0], batchSeq[1], g.int64Initializer("head_shape", new long[] {2}, 2, 4))
                .intAttr("axis", 0).output();
        String q = heads(g, projection(g, embedding, "q", 8, 8), headShape, 0, 2, 1, 3);
        String kT = heads(g, projection(g, embedding, "k", 8, 8), headShape, 0, 2, 3, 1);
        String v = heads(g, projection(g, embedding, "v", 8, 8), headShape, 0, 2, 1, 3);

        String scores = g.node("MatMul", q, kT).output();
        String scaled = g.node("Div", scores, g.scalar("sqrt_head_size", 2f)).output();
        String maskFloat = g.node("Cast", mask).intAttr("to", DataType.FLOAT.code()).output();
        String inverted = g.node("Sub", g.scalar("one", 1f), maskFloat).output();
        String additive = g.node("Mul", inverted, g.scalar("mask_value", -10000f)).output();
        String mask4d = g.node("Unsqueeze", additive, g.int64Initializer("mask_axes", new long[] {2}, 1, 2)).output();
        String masked = g.node("Add", scaled, mask4d).output();
        String probabilities = g.node("Softmax", masked).intAttr("axis", -1).output();
        String context = g.node("MatMul", probabilities, v).output();
        String merged = g.node("Transpose", context).intsAttr("perm", 0, 2, 1, 3).output();

        String[] mergedBatchSeq = batchAndSeq(g, merged, shapeConstants);
        String hiddenShape = g.node("Concat", mergedBatchSeq[0], mergedBatchSeq[1],
                g.int64Initializer("hidden_shape", new long[] {1}, 8)).intAttr("axis", 0).output();
        String flat = g.node("Reshape", merged, hiddenShape).output();
        String attention = g.node("Add", projection(g, flat, "out", 8, 8), embedding).output();

        String up = projection(g, attention, "ffn_up", 8, 16);
        String gate = g.node("Sigmoid", g.node("Mul", up, g.scalar("gelu_scale", 1.702f)).output()).output();
        String gelu = g.node("Mul", up, gate).output();
        String down = projection(g, gelu, "ffn_down", 16, 8);
        g.node("Add", down, attention).output("hidden");
        g.output("hidden", DataType.FLOAT, "batch", "seq", 8);
        return g.build();
    }

    /** MatMul by a weight [in, out] plus a bias [out], named {@code prefix_w}/{@code prefix_b}. */
    private static String projection(Builder g, String input, String prefix, int in, int out) {
        String product = g.node("MatMul", input, g.weight(prefix + "_w", in, out)).output();
        return g.node("Add", product, g.weight(prefix + "_b", out)).output();
    }

    /**
     * The exporter's Shape → Gather(0)/Gather(1) → Unsqueeze chain: batch and seq as 1-element int64
     * tensors. {@code constants} names the scalar indices 0 and 1 and the unsqueeze axes [0].
     */
    private static String[] batchAndSeq(Builder g, String value, String[] constants) {
        String shape = g.node("Shape", value).output();
        String batch = g.node("Gather", shape, constants[0]).intAttr("axis", 0).output();
        String seq = g.node("Gather", shape, constants[1]).intAttr("axis", 0).output();
        return new String[] {g.node("Unsqueeze", batch, constants[2]).output(),
                g.node("Unsqueeze", seq, constants[2]).output()};
    }

    /** Reshape to [batch, seq, heads, head size], then Transpose by {@code perm}. */
    private static String heads(Builder g, String value, String headShape, long... perm) {
        String split = g.node("Reshape", value, headShape).output();
        return g.node("Transpose", split).intsAttr("perm", perm).output();
    }

    /**
     * The two-layer perceptron of {@link #mlp()} with its weights in {@code Constant} nodes instead of
     * initializers (as PaddlePaddle and some TensorFlow exports store them). Input {@code x} float
     * [batch, 4], output {@code y} float [batch, 3]:
     * {@code y = Relu(x · w1 + b1) · w2 + b2} with {@code w1} [4, 8], {@code b1} [8], {@code w2} [8, 3],
     * {@code b2} [3], each the {@code value} tensor of a Constant node whose output has that name.
     *
     * <p>Parameters: 4·8 + 8 + 8·3 + 3 = 67 float32 elements in 4 Constant nodes, no initializers. MACs for
     * batch B: 4·8·B + 8·3·B = 56·B.
     */
    public static OnnxModel constantNodeWeights() {
        return model(constantNodeWeightsProto());
    }

    /** The proto of {@link #constantNodeWeights()}. */
    public static ModelProto constantNodeWeightsProto() {
        Builder g = builder("constant_node_weights");
        String x = g.input("x", DataType.FLOAT, "batch", 4);
        String h = g.node("MatMul", x, g.constant("w1", 4, 8)).output();
        String r = g.node("Relu", g.node("Add", h, g.constant("b1", 8)).output()).output();
        String m = g.node("MatMul", r, g.constant("w2", 8, 3)).output();
        g.node("Add", m, g.constant("b2", 3)).output("y");
        g.output("y", DataType.FLOAT, "batch", 3);
        return g.build();
    }

    /**
     * Weights inside the subgraphs of an {@code If}. Inputs {@code x} float [1, 4] and {@code flag} bool
     * scalar; output {@code y} float [1, 4]. The node {@code if_flag} holds {@code then_branch}, computing
     * {@code x · w_then}, and {@code else_branch}, computing {@code x · w_else}; each branch has its own
     * [4, 4] initializer and reads {@code x} from the outer graph. The main graph has no initializers.
     *
     * <p>Parameters: 2·4·4 = 32 float32 elements, in subgraphs {@code if_flag/then_branch} and
     * {@code if_flag/else_branch}. MACs: 16 for whichever branch runs.
     */
    public static OnnxModel ifSubgraphWeights() {
        return model(ifSubgraphWeightsProto());
    }

    /** The proto of {@link #ifSubgraphWeights()}. */
    public static ModelProto ifSubgraphWeightsProto() {
        Builder g = builder("if_subgraph_weights");
        String x = g.input("x", DataType.FLOAT, 1, 4);
        String flag = g.input("flag", DataType.BOOL);
        GraphProto[] branches = new GraphProto[2];
        String[] names = {"then", "else"};
        for (int i = 0; i < 2; i++) {
            Builder branch = g.subgraph(names[i] + "_branch");
            String product = branch.node("MatMul", x, branch.weight("w_" + names[i], 4, 4)).output(names[i] + "_y");
            branch.output(product, DataType.FLOAT, 1, 4);
            branches[i] = branch.buildGraph();
        }
        g.node("If", flag).named("if_flag").graphAttr("then_branch", branches[0]).graphAttr("else_branch", branches[1])
                .output("y");
        g.output("y", DataType.FLOAT, 1, 4);
        return g.build();
    }

    /**
     * Builds one ONNX graph (and the model around it) with unique value and node names. Value names are
     * the base given, or {@code base_N} when the base is taken; names are unique across a graph and all
     * its subgraphs. Weights are drawn from the builder's seeded generator in call order, so the same
     * sequence of calls gives the same model.
     */
    public static final class Builder {
        private final String name;
        private final Set<String> usedNames;
        private final Random random;
        private final GraphProto.Builder graph = GraphProto.newBuilder();
        private final Map<String, Long> opsets = new LinkedHashMap<>();
        private long irVersion = IR_VERSION;

        private Builder(String name, Set<String> usedNames, Random random) {
            this.name = name;
            this.usedNames = usedNames;
            this.random = random;
            graph.setName(name);
            opsets.put("", OPSET);
        }

        /**
         * A builder for a subgraph (the body of an {@code If}, {@code Loop} or {@code Scan}) that shares this
         * builder's names and weight generator; finish it with {@link #buildGraph()}. Its nodes may read
         * any value of this graph by name.
         */
        public Builder subgraph(String graphName) {
            return new Builder(graphName, usedNames, random);
        }

        /** Sets the IR version (default {@value TestModels#IR_VERSION}). */
        public Builder irVersion(long version) {
            this.irVersion = version;
            return this;
        }

        /** Imports an operator set: {@code ""} is the default ONNX domain (default {@value TestModels#OPSET}). */
        public Builder opset(String domain, long version) {
            opsets.put(domain, version);
            return this;
        }

        /** {@code base} if no value or node uses it yet, else {@code base_N} for the smallest free N. */
        public String uniqueName(String base) {
            String unique = base;
            for (int n = 1; !usedNames.add(unique); n++) {
                unique = base + "_" + n;
            }
            return unique;
        }

        /**
         * Declares a graph input and returns its name (used exactly as given). Each dimension is an
         * {@link Integer} or {@link Long} for a fixed size or a {@link String} for a symbolic one
         * ({@code dim_param}); no dimensions means a scalar.
         */
        public String input(String inputName, DataType type, Object... dims) {
            claim(inputName);
            graph.addInput(valueInfo(inputName, type, dims));
            return inputName;
        }

        /**
         * Declares a graph output, with dimensions as for {@link #input}. The value must be produced by a
         * node (or be an input or initializer) by the time the graph is built.
         */
        public Builder output(String outputName, DataType type, Object... dims) {
            graph.addOutput(valueInfo(outputName, type, dims));
            return this;
        }

        /** Adds an initializer holding {@code data} under a unique name derived from {@code base}. */
        public String initializer(String base, TensorData data) {
            String unique = uniqueName(base);
            graph.addInitializer(TensorCodec.encode(unique, data));
            return unique;
        }

        /**
         * Adds a prepared initializer under its own name, which must be unused (for a tensor whose bytes are
         * in an external file, for instance).
         */
        public String initializer(TensorProto tensor) {
            claim(tensor.getName());
            graph.addInitializer(tensor);
            return tensor.getName();
        }

        /** Adds a float32 initializer holding {@code values} with shape {@code shape}. */
        public String floatInitializer(String base, long[] shape, float... values) {
            return initializer(base, TensorData.ofFloats(shape, values));
        }

        /** Adds an int64 initializer (shape constants, axes, indices) holding {@code values}. */
        public String int64Initializer(String base, long[] shape, long... values) {
            return initializer(base, TensorData.ofLongs(shape, values));
        }

        /** Adds a one-element float32 initializer of shape [] (a scalar). */
        public String scalar(String base, float value) {
            return floatInitializer(base, new long[0], value);
        }

        /** Adds a float32 initializer of the given shape with seeded values, normal with deviation 0.5. */
        public String weight(String base, long... shape) {
            return initializer(base, TensorData.ofFloats(shape, randomValues(shape, false)));
        }

        /** Like {@link #weight}, but every value is in [0.5, 1.5) (variances, scales that must be positive). */
        public String positiveWeight(String base, long... shape) {
            return initializer(base, TensorData.ofFloats(shape, randomValues(shape, true)));
        }

        /**
         * Adds a {@code Constant} node whose {@code value} is a float32 tensor with seeded values (as
         * {@link #weight}); returns its output, named from {@code base}.
         */
        public String constant(String base, long... shape) {
            String output = uniqueName(base);
            TensorProto value = TensorCodec.encode(output, TensorData.ofFloats(shape, randomValues(shape, false)));
            return node("Constant").tensorAttr("value", value).reservedOutput(output);
        }

        /** Starts a node of the default domain reading {@code inputs} ("" for an omitted optional input). */
        public NodeBuilder node(String opType, String... inputs) {
            return new NodeBuilder(opType, inputs);
        }

        /** The graph alone, as the body of a subgraph attribute. */
        public GraphProto buildGraph() {
            return graph.build();
        }

        /** The model: this graph plus the IR version and operator set imports. */
        public ModelProto build() {
            ModelProto.Builder model = ModelProto.newBuilder()
                    .setIrVersion(irVersion)
                    .setProducerName("lathe-tests")
                    .setGraph(graph);
            opsets.forEach((domain, version) ->
                    model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
            return model.build();
        }

        private void claim(String exactName) {
            if (!usedNames.add(exactName)) {
                throw new IllegalArgumentException("name '" + exactName + "' is already used in " + name);
            }
        }

        private float[] randomValues(long[] shape, boolean positive) {
            float[] values = new float[Math.toIntExact(TensorData.elementCount(shape))];
            for (int i = 0; i < values.length; i++) {
                values[i] = positive ? 0.5f + random.nextFloat() : (float) (random.nextGaussian() * 0.5);
            }
            return values;
        }

        private static ValueInfoProto valueInfo(String valueName, DataType type, Object... dims) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (Object dim : dims) {
                if (dim instanceof String param) {
                    shape.addDimBuilder().setDimParam(param);
                } else if (dim instanceof Integer || dim instanceof Long) {
                    shape.addDimBuilder().setDimValue(((Number) dim).longValue());
                } else {
                    throw new IllegalArgumentException("dimension " + dim + " of '" + valueName
                            + "' is neither a size nor a symbolic name");
                }
            }
            TypeProto.Builder typeProto = TypeProto.newBuilder();
            typeProto.getTensorTypeBuilder().setElemType(type.code()).setShape(shape);
            return ValueInfoProto.newBuilder().setName(valueName).setType(typeProto).build();
        }

        /**
         * One node being added: set attributes, then finish with {@link #output()} (one output with a
         * generated name), {@link #output(String)} (one output with a given name) or {@link #outputs(int)}.
         * The node is named uniquely after its op type unless {@link #named} says otherwise.
         */
        public final class NodeBuilder {
            private final Node node;
            private final String opType;
            private final List<String> outputs = new ArrayList<>();
            private String name = "";

            private NodeBuilder(String opType, String... inputs) {
                this.node = Node.op(opType).in(inputs);
                this.opType = opType;
            }

            /** Names the node {@code base} (made unique); by default it is named after its op type. */
            public NodeBuilder named(String base) {
                name = uniqueName(base);
                return this;
            }

            /** Sets the operator's domain (default: the ONNX domain ""). */
            public NodeBuilder domain(String domain) {
                node.domain(domain);
                return this;
            }

            /** Adds an INT attribute. */
            public NodeBuilder intAttr(String attribute, long value) {
                node.attr(attribute, value);
                return this;
            }

            /** Adds an INTS attribute. */
            public NodeBuilder intsAttr(String attribute, long... values) {
                node.ints(attribute, values);
                return this;
            }

            /** Adds a FLOAT attribute. */
            public NodeBuilder floatAttr(String attribute, float value) {
                node.attr(attribute, value);
                return this;
            }

            /** Adds a FLOATS attribute. */
            public NodeBuilder floatsAttr(String attribute, float... values) {
                node.floats(attribute, values);
                return this;
            }

            /** Adds a STRING attribute (UTF-8). */
            public NodeBuilder stringAttr(String attribute, String value) {
                node.attr(attribute, value);
                return this;
            }

            /** Adds a TENSOR attribute. */
            public NodeBuilder tensorAttr(String attribute, TensorProto value) {
                node.attr(attribute, value);
                return this;
            }

            /** Adds a GRAPH attribute (build the body with {@link Builder#subgraph}). */
            public NodeBuilder graphAttr(String attribute, GraphProto value) {
                node.attr(AttributeProto.newBuilder().setName(attribute).setType(AttributeProto.AttributeType.GRAPH)
                        .setG(value).build());
                return this;
            }

            /** Adds the node with one output named uniquely after its op type; returns the output. */
            public String output() {
                return outputs(1)[0];
            }

            /** Adds the node with one output named exactly {@code outputName}; returns it. */
            public String output(String outputName) {
                claim(outputName);
                return reservedOutput(outputName);
            }

            private String reservedOutput(String outputName) {
                outputs.add(outputName);
                return finish()[0];
            }

            /** Adds the node with {@code count} outputs named uniquely after its op type; returns them. */
            public String[] outputs(int count) {
                String base = opType.toLowerCase(Locale.ROOT);
                for (int i = 0; i < count; i++) {
                    outputs.add(uniqueName(base));
                }
                return finish();
            }

            private String[] finish() {
                node.out(outputs.toArray(new String[0])).named(name.isEmpty() ? uniqueName(opType) : name);
                graph.addNode(node.build());
                return outputs.toArray(new String[0]);
            }
        }
    }
}
