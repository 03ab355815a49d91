package dev.lathe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Writes a TensorFlow SavedModel with MobileNet v1's architecture (width 1.0, 224×224 NHWC input): a
 * 3×3 stride-2 convolution, 13 depthwise-separable blocks (depthwise 3×3, batch norm, Relu6, pointwise
 * 1×1, batch norm, Relu6), global average pooling (Mean), a 1024→1000 dense layer and Softmax; 569 M MACs,
 * 4.2 M parameters. Weights are He-normal from a fixed seed and batch norms start as identities, so
 * activations keep unit scale; the model classifies nothing, it stands in for a Keras CNN in the
 * TensorFlow Java → int8 ONNX latency benchmark (README). Built with TensorFlow Java itself, because no
 * pretrained SavedModel ships on Maven Central or npm.
 *
 * <pre>{@code java -cp bench/target/lathe-bench.jar dev.lathe.bench.MobileNetSavedModel DIR}</pre>
 */
public final class MobileNetSavedModel {
    private static final long SEED = 20261201L;
    /** Depthwise-separable blocks: stride, output channels. */
    private static final int[][] BLOCKS = {{1, 64}, {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512}, {1, 512},
        {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}};

    private MobileNetSavedModel() {
    }

    /** Writes the SavedModel into the directory named by the only argument (which must not exist). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: MobileNetSavedModel DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (Files.exists(dir)) {
            System.err.println(dir + " exists; name a new directory");
            System.exit(2);
        }
        write(dir);
        System.out.println("wrote " + dir);
    }

    /** Writes the SavedModel (signature serving_default: {@code image} [batch, 224, 224, 3] → {@code probabilities}). */
    public static void write(Path dir) throws IOException {
        Random random = new Random(SEED);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> image = tf.withName("image").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 224, 224, 3)));
            Operand<TFloat32> x = tf.nn.conv2d(image, he(tf, random, 3, 3, 3, 32), List.of(1L, 2L, 2L, 1L), "SAME");
            x = tf.nn.relu6(batchNorm(tf, x, 32));
            int channels = 32;
            for (int[] block : BLOCKS) {
                long stride = block[0];
                x = tf.nn.depthwiseConv2dNative(x, he(tf, random, 3, 3, channels, 1), List.of(1L, stride, stride, 1L), "SAME");
                x = tf.nn.relu6(batchNorm(tf, x, channels));
                x = tf.nn.conv2d(x, he(tf, random, 1, 1, channels, block[1]), List.of(1L, 1L, 1L, 1L), "SAME");
                x = tf.nn.relu6(batchNorm(tf, x, block[1]));
                channels = block[1];
            }
            Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
            Operand<TFloat32> logits = tf.nn.biasAdd(tf.linalg.matMul(pooled, he(tf, random, channels, 1000)),
                    tf.variable(tf.constant(Shape.of(1000), DataBuffers.of(new float[1000], true, false))));
            Operand<TFloat32> probabilities = tf.nn.softmax(logits);
            try (Session session = new Session(g)) {
                session.initialize();
                SessionFunction.create(Signature.builder().input("image", image).output("probabilities", probabilities)
                        .build(), session).save(dir.toString());
            }
        }
    }

    /** He-normal weights of the given shape (the last dimension is the output), in a variable. */
    private static Operand<TFloat32> he(Ops tf, Random random, long... shape) {
        long fanIn = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            fanIn *= shape[i];
        }
        if (shape.length == 4 && shape[3] == 1) {
            fanIn = shape[0] * shape[1];
        }
        float[] values = new float[(int) Shape.of(shape).size()];
        double scale = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return tf.variable(tf.constant(Shape.of(shape), DataBuffers.of(values, true, false)));
    }

    /** Inference-mode FusedBatchNormV3 with identity statistics (γ 1, β 0, mean 0, variance 1). */
    private static Operand<TFloat32> batchNorm(Ops tf, Operand<TFloat32> x, int channels) {
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1);
        Operand<TFloat32> one = tf.variable(tf.constant(Shape.of(channels), DataBuffers.of(ones, true, false)));
        Operand<TFloat32> zero = tf.variable(tf.constant(Shape.of(channels), DataBuffers.of(new float[channels], true, false)));
        return tf.nn.fusedBatchNorm(x, one, zero, zero, one, FusedBatchNorm.isTraining(false),
                FusedBatchNorm.epsilon(1e-3f)).y();
    }
}
