package dev.lathe.bench;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.Node;
import dev.lathe.core.model.TensorCodec;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.OperatorSetIdProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.TypeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Writes a decoder-shaped ONNX model with random float32 weights in an external data file, streamed to
 * disk a buffer at a time so that any size can be written with a small heap: how big-model quantization is
 * demonstrated without fetching an LLM. Each of the {@code layers} blocks has a layer norm, query, key,
 * value and output projections [hidden, hidden] around a one-head softmax attention (no causal mask), a
 * residual Add, a second layer norm and a SwiGLU MLP (gate and up [hidden, mlp], down [mlp, hidden]); an
 * embedding table [vocabulary, hidden] feeds the first block, a final layer norm and an LM head
 * [hidden, vocabulary] make the logits. Input {@code input_ids} int64 [1, sequence]; output {@code logits}
 * float [1, sequence, vocabulary]. The weights are uniform in ±0.02, seeded, so a shape and seed always
 * give the same bytes.
 *
 * <p>{@code java -cp lathe-bench.jar dev.lathe.bench.SyntheticDecoder OUT_DIR 7b|1b|LAYERS,HIDDEN,MLP,VOCAB}
 */
public final class SyntheticDecoder {
    /** Weights bigger than this go to the external file (as ONNX's own tooling does). */
    private static final int INLINE_LIMIT = 1024;
    private static final float RANGE = 0.02f;
    private static final int BUFFER_FLOATS = 1 << 22;

    /**
     * The sizes of a decoder.
     *
     * @param layers     transformer blocks
     * @param hidden     hidden width
     * @param mlp        MLP width
     * @param vocabulary vocabulary size
     */
    public record Shape(int layers, int hidden, int mlp, int vocabulary) {
        /** The shapes of a 7B-class decoder (Llama-2-7B's widths): 6.74 billion parameters, 27 GB in float32. */
        public static final Shape SEVEN_B = new Shape(32, 4096, 11008, 32000);
        /** A ~1B-shaped decoder: 0.95 billion parameters, 3.8 GB in float32. */
        public static final Shape ONE_B = new Shape(16, 2048, 5632, 32000);

        /** Reads "7b", "1b" or "LAYERS,HIDDEN,MLP,VOCAB". */
        public static Shape parse(String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "7b":
                    return SEVEN_B;
                case "1b":
                    return ONE_B;
                default:
                    String[] parts = text.split(",");
                    if (parts.length != 4) {
                        throw new IllegalArgumentException("a decoder shape is 7b, 1b or LAYERS,HIDDEN,MLP,VOCAB, not '" + text + "'");
                    }
                    return new Shape(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                            Integer.parseInt(parts[2].trim()), Integer.parseInt(parts[3].trim()));
            }
        }

        /** Weights of MatMuls and the embedding table (layer norms left out). */
        public long parameters() {
            long block = 4L * hidden * hidden + 3L * hidden * mlp;
            return layers * block + 2L * hidden * vocabulary;
        }
    }

    private final Shape shape;
    private final FileChannel data;
    private final String dataName;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("synthetic_decoder");
    private long offset;
    private long state;

    private SyntheticDecoder(Shape shape, FileChannel data, String dataName, long seed) {
        this.shape = shape;
        this.data = data;
        this.dataName = dataName;
        this.state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    /**
     * Writes {@code model.onnx} and {@code model.onnx.data} into {@code folder} (created if missing) and
     * returns the model file.
     */
    public static Path write(Path folder, Shape shape, long seed) throws IOException {
        Files.createDirectories(folder);
        Path model = folder.resolve("model.onnx");
        String dataName = "model.onnx.data";
        try (FileChannel channel = FileChannel.open(folder.resolve(dataName), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            SyntheticDecoder decoder = new SyntheticDecoder(shape, channel, dataName, seed);
            ModelProto proto = decoder.build();
            try (OutputStream out = Files.newOutputStream(model)) {
                proto.writeTo(out);
            }
        }
        return model;
    }

    private ModelProto build() throws IOException {
        int h = shape.hidden();
        graph.addInput(value("input_ids", TensorProto.DataType.INT64, "1", "sequence"));
        graph.addOutput(value("logits", TensorProto.DataType.FLOAT, "1", "sequence", Integer.toString(shape.vocabulary())));
        inline("attention_scale", TensorData.ofFloats(new long[0], (float) (1 / Math.sqrt(h))));
        String x = node(Node.op("Gather").in(external("embed_tokens", shape.vocabulary(), h), "input_ids").attr("axis", 0), "embedded");
        for (int layer = 0; layer < shape.layers(); layer++) {
            x = block(layer, x);
        }
        String normed = norm("final_norm", x);
        graph.addNode(Node.op("MatMul").named("lm_head").in(normed, external("lm_head.weight", h, shape.vocabulary()))
                .out("logits").build());
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("lathe-bench SyntheticDecoder")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("shape").setValue(shape.toString()))
                .setGraph(graph).build();
    }

    private String block(int layer, String x) throws IOException {
        int h = shape.hidden();
        String p = "layers." + layer + ".";
        String n1 = norm(p + "input_norm", x);
        String q = matMul(p + "q_proj", n1, h, h);
        String k = matMul(p + "k_proj", n1, h, h);
        String v = matMul(p + "v_proj", n1, h, h);
        String kt = node(Node.op("Transpose").in(k).ints("perm", 0, 2, 1), p + "k_t");
        String scores = node(Node.op("MatMul").in(q, kt), p + "scores");
        String scaled = node(Node.op("Mul").in(scores, "attention_scale"), p + "scaled");
        String probs = node(Node.op("Softmax").in(scaled).attr("axis", -1), p + "probs");
        String context = node(Node.op("MatMul").in(probs, v), p + "context");
        String attended = matMul(p + "o_proj", context, h, h);
        String residual = node(Node.op("Add").in(x, attended), p + "residual");
        String n2 = norm(p + "post_norm", residual);
        String gate = matMul(p + "gate_proj", n2, h, shape.mlp());
        String up = matMul(p + "up_proj", n2, h, shape.mlp());
        String sigmoid = node(Node.op("Sigmoid").in(gate), p + "gate_sigmoid");
        String silu = node(Node.op("Mul").in(gate, sigmoid), p + "gate_silu");
        String product = node(Node.op("Mul").in(silu, up), p + "mlp_product");
        String down = matMul(p + "down_proj", product, shape.mlp(), h);
        return node(Node.op("Add").in(residual, down), p + "output");
    }

    private String matMul(String name, String input, int rows, int columns) throws IOException {
        return node(Node.op("MatMul").in(input, external(name + ".weight", rows, columns)), name);
    }

    private String norm(String name, String input) {
        float[] ones = new float[shape.hidden()];
        java.util.Arrays.fill(ones, 1f);
        inline(name + ".weight", TensorData.ofFloats(new long[] {shape.hidden()}, ones));
        return node(Node.op("LayerNormalization").in(input, name + ".weight").attr("axis", -1).attr("epsilon", 1e-5f), name);
    }

    /** Adds a node named after its single output. */
    private String node(Node node, String output) {
        graph.addNode(node.named(output).out(output).build());
        return output;
    }

    private void inline(String name, TensorData tensor) {
        graph.addInitializer(TensorCodec.encode(name, tensor));
    }

    /** Streams a [rows, columns] float initializer of random values to the data file, page-aligned. */
    private String external(String name, int rows, int columns) throws IOException {
        long count = (long) rows * columns;
        if (count * 4 < INLINE_LIMIT) {
            throw new IllegalArgumentException(name + " is too small for external data");
        }
        long start = (offset + 4095) / 4096 * 4096;
        long position = start;
        for (long written = 0; written < count; ) {
            int chunk = (int) Math.min(BUFFER_FLOATS, count - written);
            buffer.clear();
            for (int i = 0; i < chunk; i++) {
                buffer.putFloat(nextUniform());
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                position += data.write(buffer, position);
            }
            written += chunk;
        }
        offset = position;
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT.code()).addDims(rows).addDims(columns)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", dataName))
                .addExternalData(entry("offset", Long.toString(start)))
                .addExternalData(entry("length", Long.toString(count * 4))));
        return name;
    }

    /** xorshift64*: fast, seeded, uniform in ±{@link #RANGE}. */
    private float nextUniform() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        long bits = (state * 0x2545F4914F6CDD1DL) >>> 40;
        return ((bits / (float) (1 << 24)) * 2 - 1) * RANGE;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static ValueInfoProto value(String name, TensorProto.DataType type, String... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String dim : dims) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dim.chars().allMatch(Character::isDigit)) {
                d.setDimValue(Long.parseLong(dim));
            } else {
                d.setDimParam(dim);
            }
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    /** Writes a decoder: {@code OUT_DIR 7b|1b|LAYERS,HIDDEN,MLP,VOCAB [SEED]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SyntheticDecoder OUT_DIR 7b|1b|LAYERS,HIDDEN,MLP,VOCAB [SEED]");
            System.exit(2);
        }
        Shape shape = Shape.parse(args[1]);
        long started = System.nanoTime();
        Path model = write(Path.of(args[0]), shape, args.length > 2 ? Long.parseLong(args[2]) : 1);
        System.out.printf(Locale.ROOT, "%s: %s, %,d parameters, %.1f GB of external data, written in %.0f s%n", model, shape,
                shape.parameters(), Files.size(model.resolveSibling("model.onnx.data")) / 1e9, (System.nanoTime() - started) / 1e9);
    }
}
