package dev.lathe.tensorflow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * SavedModels built with TensorFlow Java itself, with weights from a fixed seed, shaped like what Keras
 * and TF 2 graphs contain. Each method writes the model into a directory and returns it; the javadoc
 * gives the hand-counted MACs.
 */
public final class TestSavedModels {
    /** The seed the weights are drawn from. */
    public static final long SEED = 20261201L;

    private TestSavedModels() {
    }

    /**
     * A perceptron: {@code x} float [batch, 16] → MatMul 16→32 + BiasAdd → Relu → MatMul 32→8 (weights
     * transposed, {@code transpose_b}) + Add → Tanh → Sigmoid; output {@code y} [batch, 8]. Weights in
     * ref variables ({@code VariableV2}). MACs per row: 16·32 + 32·8 = 768. Parameters 16·32 + 32 + 8·32 + 8 = 808.
     */
    public static Path mlp(Path dir) throws IOException {
        Random random = new Random(SEED);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 16)));
            Operand<TFloat32> h = tf.nn.biasAdd(tf.linalg.matMul(x, tf.withName("w1").variable(weights(tf, random, 16, 32))),
                    tf.withName("b1").variable(weights(tf, random, 32)));
            h = tf.nn.relu(h);
            Operand<TFloat32> y = tf.math.add(tf.linalg.matMul(h, tf.withName("w2").variable(weights(tf, random, 8, 32)),
                    MatMul.transposeB(true)), tf.withName("b2").variable(weights(tf, random, 8)));
            y = tf.math.sigmoid(tf.math.tanh(y));
            export(g, dir, Signature.builder().input("x", x).output("y", y).build(), List.of());
        }
        return dir;
    }

    /**
     * A small CNN on NHWC images {@code image} float [batch, 32, 32, 3]: Conv2D 3×3 3→8 SAME →
     * FusedBatchNormV3 → Relu6 → DepthwiseConv2dNative 3×3 stride 2 SAME → BiasAdd → Relu → MaxPool 2×2 →
     * Conv2D 1×1 8→16 VALID → Elu → AvgPool 2×2 → Mean over H, W → MatMul 16→10 → BiasAdd → Softmax; output
     * {@code probabilities} [batch, 10]. MACs per image: 32·32·8·27 + 16·16·8·9 + 8·8·16·8 + 16·10 =
     * 221,184 + 18,432 + 8,192 + 160 = 247,968.
     */
    public static Path cnn(Path dir) throws IOException {
        Random random = new Random(SEED + 1);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> image = tf.withName("image").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 32, 32, 3)));
            Operand<TFloat32> c = tf.nn.conv2d(image, tf.withName("conv1").variable(weights(tf, random, 3, 3, 3, 8)),
                    List.of(1L, 1L, 1L, 1L), "SAME");
            c = tf.nn.fusedBatchNorm(c, tf.withName("bn_gamma").variable(positive(tf, random, 8)),
                    tf.withName("bn_beta").variable(weights(tf, random, 8)),
                    tf.withName("bn_mean").variable(weights(tf, random, 8)),
                    tf.withName("bn_var").variable(positive(tf, random, 8)),
                    FusedBatchNorm.isTraining(false), FusedBatchNorm.epsilon(1e-3f)).y();
            c = tf.nn.relu6(c);
            c = tf.nn.depthwiseConv2dNative(c, tf.withName("dw").variable(weights(tf, random, 3, 3, 8, 1)),
                    List.of(1L, 2L, 2L, 1L), "SAME");
            c = tf.nn.relu(tf.nn.biasAdd(c, tf.withName("dw_bias").variable(weights(tf, random, 8))));
            c = tf.nn.maxPool(c, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
            c = tf.nn.conv2d(c, tf.withName("conv2").variable(weights(tf, random, 1, 1, 8, 16)),
                    List.of(1L, 1L, 1L, 1L), "VALID");
            c = tf.nn.elu(c);
            c = tf.nn.avgPool(c, List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
            Operand<TFloat32> pooled = tf.math.mean(c, tf.constant(new int[] {1, 2}));
            Operand<TFloat32> logits = tf.nn.biasAdd(tf.linalg.matMul(pooled,
                    tf.withName("dense").variable(weights(tf, random, 16, 10))), tf.withName("dense_bias").variable(weights(tf, random, 10)));
            Operand<TFloat32> probabilities = tf.nn.softmax(logits);
            export(g, dir, Signature.builder().input("image", image).output("probabilities", probabilities).build(), List.of());
        }
        return dir;
    }

    /**
     * A transformer encoder block with resource variables ({@code VarHandleOp}/{@code ReadVariableOp}):
     * {@code input_ids} int32 [batch, seq] → ResourceGather from a [50, 16] embedding table → layer norm
     * (Mean, SquaredDifference, Rsqrt: the Keras pattern) → Q/K/V by Einsum {@code btd,de->bte} → split into
     * 2 heads of 8 (Reshape to a shape built from Shape/StridedSlice/Pack, Transpose) → BatchMatMulV2 with
     * {@code adj_y} → scale → Softmax → BatchMatMulV2 → Transpose/Reshape → output projection (Reshape to 2-D,
     * MatMul, Reshape back) → residual AddV2 → layer norm → feed-forward 16→32 (Einsum) → exact Gelu (Erf)
     * → 32→16 (Einsum) → residual; output {@code hidden} float [batch, seq, 16].
     * MACs for one sequence of T tokens: Q, K, V 3·16·16·T; scores and context 2·2·8·T²; output 16·16·T;
     * feed-forward 2·16·32·T: 2,048·T + 32·T² (18,432 for T = 8).
     */
    public static Path encoderBlock(Path dir) throws IOException {
        Random random = new Random(SEED + 2);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Resources vars = new Resources(tf, random);
            Placeholder<TInt32> ids = tf.withName("input_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
            Operand<TFloat32> x = tf.resourceGather(vars.handle("embeddings", 50, 16), ids, TFloat32.class);
            Operand<TInt32> shape = tf.shape(ids);
            Operand<TInt32> batch = tf.stridedSlice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}),
                    tf.constant(new int[] {1}), StridedSlice.shrinkAxisMask(1L));
            Operand<TInt32> seq = tf.stridedSlice(shape, tf.constant(new int[] {1}), tf.constant(new int[] {2}),
                    tf.constant(new int[] {1}), StridedSlice.shrinkAxisMask(1L));
            Operand<TInt32> headsShape = tf.stack(List.of(batch, seq, tf.constant(2), tf.constant(8)));
            Operand<TInt32> hiddenShape = tf.stack(List.of(batch, seq, tf.constant(16)));

            Operand<TFloat32> normed = layerNorm(tf, vars, "ln1", x);
            Operand<TFloat32> q = heads(tf, tf.linalg.einsum(List.of(normed, vars.read("wq", 16, 16)), "btd,de->bte"), headsShape);
            Operand<TFloat32> k = heads(tf, tf.linalg.einsum(List.of(normed, vars.read("wk", 16, 16)), "btd,de->bte"), headsShape);
            Operand<TFloat32> v = heads(tf, tf.linalg.einsum(List.of(normed, vars.read("wv", 16, 16)), "btd,de->bte"), headsShape);
            Operand<TFloat32> scores = tf.math.mul(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)),
                    tf.constant((float) (1 / Math.sqrt(8))));
            Operand<TFloat32> context = tf.train.batchMatMul(tf.nn.softmax(scores), v, TFloat32.class);
            context = tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})), hiddenShape);
            Operand<TFloat32> projected = tf.reshape(tf.linalg.matMul(tf.reshape(context, tf.constant(new int[] {-1, 16})),
                    vars.read("wo", 16, 16)), hiddenShape);
            x = addV2(tf, x, projected);

            Operand<TFloat32> ff = tf.linalg.einsum(List.of(layerNorm(tf, vars, "ln2", x), vars.read("w_ff1", 16, 32)), "btd,df->btf");
            ff = tf.math.mul(tf.math.mul(ff, tf.constant(0.5f)), tf.math.add(tf.constant(1f),
                    tf.math.erf(tf.math.mul(ff, tf.constant((float) (1 / Math.sqrt(2)))))));
            ff = tf.linalg.einsum(List.of(ff, vars.read("w_ff2", 32, 16)), "btf,fd->btd");
            Operand<TFloat32> hidden = addV2(tf, x, ff);
            export(g, dir, Signature.builder().input("input_ids", ids).output("hidden", hidden).build(), List.of());
        }
        return dir;
    }

    /** AddV2, which Keras emits for {@code +} and TensorFlow Java's {@code Ops} has no method for. */
    private static Operand<TFloat32> addV2(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.scope().env().opBuilder("AddV2", tf.scope().makeOpName("AddV2"), tf.scope()).addInput(a.asOutput())
                .addInput(b.asOutput()).build().output(0);
    }

    /**
     * The less common converters in one graph, on {@code x} float [batch, 8, 8, 4]: Conv2D → LeakyRelu →
     * ConcatV2 of two NCHW-held values on axis -1 → Conv2DBackpropInput (stride 2, SAME, output size from
     * Shape/StridedSlice/Pack) → Pad → MirrorPad → Max over channels → Square → Sum → Sqrt → Squeeze →
     * ExpandDims → Slice → GatherV2 → Tile → AddN with a Cast of Greater → Select → Minimum/Maximum →
     * LogSoftmax ({@code scores} [batch, 3, 2]); also {@code upsampled} (the transposed convolution) and
     * {@code pooled} (Mean over H, W with keep_dims, + BiasAdd).
     */
    public static Path oddsAndEnds(Path dir) throws IOException {
        Random random = new Random(SEED + 3);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 4)));
            Operand<TFloat32> a = tf.nn.conv2d(x, tf.variable(weights(tf, random, 3, 3, 4, 6)), List.of(1L, 1L, 1L, 1L), "SAME");
            Operand<TFloat32> b = tf.nn.leakyRelu(a, org.tensorflow.op.nn.LeakyRelu.alpha(0.1f));
            Operand<TFloat32> c = tf.concat(List.of(b, tf.nn.relu(a)), tf.constant(-1));
            Operand<TInt32> batch = tf.stridedSlice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}),
                    tf.constant(new int[] {1}), StridedSlice.shrinkAxisMask(1L));
            Operand<TInt32> size = tf.stack(List.of(batch, tf.constant(16), tf.constant(16), tf.constant(5)));
            Operand<TFloat32> upsampled = tf.nn.conv2dBackpropInput(size, tf.variable(weights(tf, random, 3, 3, 5, 12)), c,
                    List.of(1L, 2L, 2L, 1L), "SAME");
            Operand<TFloat32> e = tf.pad(upsampled, tf.constant(new int[][] {{0, 0}, {1, 1}, {2, 0}, {0, 0}}), tf.constant(0.5f));
            Operand<TFloat32> f = tf.mirrorPad(e, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}), "REFLECT");
            Operand<TFloat32> m = tf.max(f, tf.constant(new int[] {3}));
            Operand<TFloat32> h = tf.sum(tf.math.square(m), tf.constant(new int[] {2}), org.tensorflow.op.core.Sum.keepDims(true));
            Operand<TFloat32> i = tf.math.sqrt(tf.math.add(h, tf.constant(1f)));
            Operand<TFloat32> j = tf.squeeze(i, org.tensorflow.op.core.Squeeze.axis(List.of(2L)));
            Operand<TFloat32> k = tf.expandDims(j, tf.constant(1));
            Operand<TFloat32> l = tf.slice(k, tf.constant(new int[] {0, 0, 1}), tf.constant(new int[] {-1, -1, 4}));
            Operand<TFloat32> n = tf.tile(tf.gather(l, tf.constant(new int[] {3, 0}), tf.constant(2)), tf.constant(new int[] {1, 3, 1}));
            n = tf.math.mul(n, tf.constant(0.05f));
            Operand<TFloat32> o = tf.math.addN(List.of(n, n, tf.dtypes.cast(tf.math.greater(n, tf.constant(0.5f)), TFloat32.class)));
            Operand<TFloat32> p = tf.select(tf.math.greater(o, tf.constant(1f)), o,
                    tf.math.minimum(o, tf.math.maximum(o, tf.constant(0.2f))));
            Operand<TFloat32> scores = tf.nn.logSoftmax(p);
            Operand<TFloat32> pooled = tf.nn.biasAdd(tf.math.mean(a, tf.constant(new int[] {1, 2}), Mean.keepDims(true)),
                    tf.variable(weights(tf, random, 6)));
            export(g, dir, Signature.builder().input("x", x).output("scores", scores).output("upsampled", upsampled)
                    .output("pooled", pooled).build(), List.of());
        }
        return dir;
    }

    /** {@code y = Atan2(Cumsum(x, 1), x) · w}: two ops the converter lacks, for the error that lists them all. */
    public static Path withUnsupportedOps(Path dir) throws IOException {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
            Operand<TFloat32> cumsum = tf.math.cumsum(x, tf.constant(1));
            Operand<TFloat32> angle = tf.math.atan2(cumsum, x);
            Operand<TFloat32> y = tf.linalg.matMul(angle, tf.withName("w").variable(weights(tf, new Random(SEED), 4, 2)));
            export(g, dir, Signature.builder().input("x", x).output("y", y).build(), List.of());
        }
        return dir;
    }

    /**
     * A TF 2-style graph: {@code y = f(x)} where {@code f} (MatMul 4→3 with a constant weight, then Relu) is a
     * function of the graph's library called through PartitionedCall (Keras exports use its stateful twin).
     */
    public static Path withFunctionCall(Path dir) throws IOException {
        Random random = new Random(SEED + 4);
        org.tensorflow.ConcreteFunction f = org.tensorflow.ConcreteFunction.create(tf -> {
            Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
            Operand<TFloat32> out = tf.nn.relu(tf.linalg.matMul(in, weights(tf, random, 4, 3)));
            return Signature.builder().input("in", in).output("out", out).build();
        });
        try (f; Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
            @SuppressWarnings("unchecked")
            Operand<TFloat32> y = (Operand<TFloat32>) tf.call(f, x);
            export(g, dir, Signature.builder().input("x", x).output("y", y).build(), List.of());
        }
        return dir;
    }

    /**
     * Loads a model written here. TensorFlow Java's exporter writes only ref variables to the checkpoint and
     * records no init op, so the resource variables of {@link #encoderBlock} are assigned by running the
     * graph's {@code Init} node after loading, as a Python-written SavedModel would restore them.
     */
    public static SavedModel load(Path dir) throws Exception {
        SavedModel model = SavedModel.load(dir, 1);
        if (model.graph().operation("Init") != null) {
            model.session().run("Init");
        }
        return model;
    }

    private static Operand<TFloat32> heads(Ops tf, Operand<TFloat32> x, Operand<TInt32> headsShape) {
        return tf.linalg.transpose(tf.reshape(x, headsShape), tf.constant(new int[] {0, 2, 1, 3}));
    }

    /** Keras's layer normalization: moments over the last axis, then (x − mean) · rsqrt(var + ε) · γ + β. */
    private static Operand<TFloat32> layerNorm(Ops tf, Resources vars, String name, Operand<TFloat32> x) {
        Operand<TInt32> last = tf.constant(new int[] {-1});
        Operand<TFloat32> mean = tf.math.mean(x, last, Mean.keepDims(true));
        Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), last,
                Mean.keepDims(true));
        Operand<TFloat32> inverse = tf.math.mul(tf.math.rsqrt(tf.math.add(variance, tf.constant(1e-3f))),
                vars.read(name + "_gamma", 16));
        return addV2(tf, tf.math.mul(x, inverse), tf.math.sub(vars.read(name + "_beta", 16), tf.math.mul(mean, inverse)));
    }

    private static Operand<TFloat32> weights(Ops tf, Random random, long... shape) {
        float[] values = new float[(int) Shape.of(shape).size()];
        double scale = 1 / Math.sqrt(shape.length > 1 ? Arrays.stream(shape).limit(shape.length - 1).reduce(1, (a, b) -> a * b) : 4);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    private static Operand<TFloat32> positive(Ops tf, Random random, long... shape) {
        float[] values = new float[(int) Shape.of(shape).size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.5f + random.nextFloat();
        }
        return tf.constant(Shape.of(shape), DataBuffers.of(values, true, false));
    }

    private static void export(Graph g, Path dir, Signature signature, List<org.tensorflow.op.Op> initializers)
            throws IOException {
        try (Session session = new Session(g)) {
            session.initialize();
            for (org.tensorflow.op.Op init : initializers) {
                session.run(init);
            }
            SessionFunction.create(signature, session).save(dir.toString());
        }
    }

    /** Resource variables, created with their initial values and read where used. */
    private static final class Resources {
        private final Ops tf;
        private final Random random;

        Resources(Ops tf, Random random) {
            this.tf = tf;
            this.random = random;
        }

        VarHandleOp handle(String name, long... shape) {
            // In the init scope, so that the SavedModel's init op assigns the values when it is loaded
            // (TensorFlow Java's saver writes only ref variables to the checkpoint).
            Ops init = tf.withInitScope();
            VarHandleOp handle = init.withName(name).varHandleOp(TFloat32.class, Shape.of(shape), VarHandleOp.sharedName(name));
            boolean gamma = name.endsWith("_gamma");
            init.assignVariableOp(handle, gamma ? positive(init, random, shape) : weights(init, random, shape));
            return handle;
        }

        Operand<TFloat32> read(String name, long... shape) {
            return tf.readVariableOp(handle(name, shape), TFloat32.class);
        }
    }
}
