package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever the bytes, loading either succeeds or throws {@link InvalidModelException} with a message that
 * names the source and the culprit; never a NullPointerException or an index out of bounds.
 */
class BadInputTest {
    @TempDir
    Path folder;

    /** The transformer block with one main-graph initializer changed. */
    private static ModelProto withInitializer(String name, UnaryOperator<TensorProto> change) {
        ModelProto proto = TestModels.transformerBlockProto();
        ModelProto.Builder builder = proto.toBuilder();
        for (int i = 0; i < proto.getGraph().getInitializerCount(); i++) {
            if (proto.getGraph().getInitializer(i).getName().equals(name)) {
                builder.getGraphBuilder().setInitializer(i, change.apply(proto.getGraph().getInitializer(i)));
            }
        }
        return builder.build();
    }

    /** The MLP with one more node. */
    private static ModelProto mlpWith(NodeProto node) {
        ModelProto.Builder builder = TestModels.mlpProto().toBuilder();
        builder.getGraphBuilder().addNode(node);
        return builder.build();
    }

    private static NodeProto node(String name, String opType, String input, String output) {
        return NodeProto.newBuilder().setName(name).setOpType(opType).addInput(input).addOutput(output).build();
    }

    /** Loads bytes and, if that works, reads everything a pass would read. */
    private static void loadAndReadEverything(byte[] bytes, String source) throws InvalidModelException {
        OnnxModel model = OnnxModel.fromBytes(bytes, source);
        for (Graph graph : model.graph().withAllSubgraphs()) {
            graph.nodes().forEach(node -> graph.readsOf(node).forEach(graph::producer));
            graph.inputs();
        }
        for (ConstantTensor constant : model.constants()) {
            if (constant.dataType() != DataType.STRING) {
                TensorData data = model.tensorData(constant.tensor());
                data.countZeros();
                data.rawBytes();
            }
        }
        model.opsets();
        model.metadata();
    }

    @Test
    void aFileCutInHalfNamesTheFile() throws Exception {
        Path file = folder.resolve("model.onnx");
        TestModels.transformerBlock().save(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("not a valid ONNX model");
    }

    @Test
    void everyPrefixOfAModelLoadsOrFailsCleanly() throws Exception {
        byte[] bytes = TestModels.transformerBlockProto().toByteArray();
        int rejected = 0;
        for (int length = 0; length < bytes.length; length++) {
            try {
                loadAndReadEverything(Arrays.copyOf(bytes, length), "prefix-" + length);
            } catch (InvalidModelException e) {
                assertThat(e.getMessage()).startsWith("prefix-" + length + ": ");
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(bytes.length * 9 / 10);
    }

    @Test
    void randomBytesAreNotAModel() {
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[1 + random.nextInt(4096)];
            random.nextBytes(bytes);
            String source = "random-" + i;
            assertThatThrownBy(() -> OnnxModel.fromBytes(bytes, source)).as(source)
                    .isInstanceOf(InvalidModelException.class)
                    .hasMessageStartingWith(source + ": ");
        }
    }

    @Test
    void flippedBytesLoadOrFailCleanly() throws Exception {
        byte[] original = TestModels.transformerBlockProto().toByteArray();
        Random random = new Random(5);
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = original.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            String source = "flipped-" + i;
            try {
                loadAndReadEverything(bytes, source);
            } catch (InvalidModelException e) {
                assertThat(e.getMessage()).startsWith(source + ": ");
            } catch (RuntimeException e) {
                fail(source + " threw " + e, e);
            }
        }
    }

    @Test
    void emptyMissingAndFolderPathsAreNotModels() throws Exception {
        Path empty = Files.createFile(folder.resolve("empty.onnx"));
        assertThatThrownBy(() -> OnnxModel.load(empty)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("empty");
        assertThatThrownBy(() -> OnnxModel.fromBytes(new byte[0], "no-bytes")).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("no-bytes").hasMessageContaining("no graph");
        Path missing = folder.resolve("missing.onnx");
        assertThatThrownBy(() -> OnnxModel.load(missing)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such model file");
        assertThatThrownBy(() -> OnnxModel.load(folder)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(folder.toString()).hasMessageContaining("is a directory, not an ONNX model file");
    }

    @Test
    void aModelWithNoNodesAndNoOutputsIsRejectedBeforeTheRuntimeSeesIt() {
        ModelProto empty = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(dev.lathe.core.onnx.Onnx.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(dev.lathe.core.onnx.Onnx.GraphProto.newBuilder().setName("nothing")).build();
        assertThatThrownBy(() -> OnnxModel.fromBytes(empty.toByteArray(), "nothing.onnx"))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("nothing.onnx")
                .hasMessageContaining("declares no outputs");
    }

    @Test
    void aModelWithoutIrVersionIsRejected() {
        ModelProto proto = TestModels.mlpProto().toBuilder().clearIrVersion().build();

        assertThatThrownBy(() -> OnnxModel.of(proto, "no-ir", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("no-ir").hasMessageContaining("ir_version");
    }

    @Test
    void anUnknownDataTypeNamesTheTensor() throws Exception {
        ModelProto proto = withInitializer("q_w", t -> t.toBuilder().setDataType(99).build());
        Path file = folder.resolve("model.onnx");
        Files.write(file, proto.toByteArray());

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("tensor 'q_w'")
                .hasMessageContaining("unknown data type 99");
    }

    @Test
    void anUnknownDataTypeInAConstantNodeNamesTheTensor() {
        ModelProto proto = TestModels.constantNodeWeightsProto();
        ModelProto.Builder builder = proto.toBuilder();
        NodeProto.Builder constant = builder.getGraphBuilder().getNodeBuilder(0);
        constant.getAttributeBuilder(0).getTBuilder().setDataType(99);

        assertThatThrownBy(() -> OnnxModel.of(builder.build(), "constant", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor '" + constant.getOutput(0) + "'")
                .hasMessageContaining("unknown data type 99");
    }

    @Test
    void rawDataThatDoesNotMatchTheShapeNamesTheTensor() {
        ModelProto proto = withInitializer("v_w", t -> t.toBuilder().setRawData(t.getRawData().substring(4)).build());

        assertThatThrownBy(() -> OnnxModel.of(proto, "short-raw", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("short-raw")
                .hasMessageContaining("tensor 'v_w'")
                .hasMessageContaining("raw_data has 252 bytes")
                .hasMessageContaining("256");
    }

    @Test
    void typedDataThatDoesNotMatchTheShapeNamesTheTensor() {
        ModelProto proto = withInitializer("q_b",
                t -> t.toBuilder().clearRawData().addFloatData(1f).addFloatData(2f).build());

        assertThatThrownBy(() -> OnnxModel.of(proto, "short-typed", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'q_b'")
                .hasMessageContaining("holds 2 stored values")
                .hasMessageContaining("needs 8");
    }

    @Test
    void impossibleShapesNameTheTensor() {
        ModelProto negative = withInitializer("k_b", t -> t.toBuilder().setDims(0, -8).build());
        assertThatThrownBy(() -> OnnxModel.of(negative, "negative", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'k_b'").hasMessageContaining("negative dimension");

        ModelProto huge = withInitializer("k_b", t -> t.toBuilder().clearDims().addDims(1L << 40).addDims(1L << 40).build());
        assertThatThrownBy(() -> OnnxModel.of(huge, "huge", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'k_b'").hasMessageContaining("too many elements");
    }

    @Test
    void aShapeWhoseByteSizeOverflowsIsRejected() {
        // 2^59 float32 elements take 2^64 bits, which wraps to 0 in 64-bit arithmetic: an empty raw_data must not pass.
        ModelProto proto = withInitializer("k_b",
                t -> t.toBuilder().clearDims().addDims(1L << 59).setRawData(ByteString.EMPTY).build());

        assertThatThrownBy(() -> OnnxModel.of(proto, "overflow", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'k_b'").hasMessageContaining("too many elements");
    }

    @Test
    void aNodeReadingAnUndefinedValueNamesTheNodeAndTheValue() {
        ModelProto proto = mlpWith(node("stray", "Relu", "nowhere", "stray_out"));

        assertThatThrownBy(() -> OnnxModel.of(proto, "undefined", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("undefined")
                .hasMessageContaining("'stray'")
                .hasMessageContaining("'nowhere'");
    }

    @Test
    void aSubgraphReadingAnUndefinedValueNamesTheSubgraph() {
        ModelProto proto = TestModels.ifSubgraphWeightsProto();
        ModelProto.Builder builder = proto.toBuilder();
        builder.getGraphBuilder().getNodeBuilder(0).getAttributeBuilder(0).getGBuilder().getNodeBuilder(0).setInput(0, "ghost");

        assertThatThrownBy(() -> OnnxModel.of(builder.build(), "branch", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("subgraph if_flag/then_branch")
                .hasMessageContaining("'ghost'");
    }

    @Test
    void aValueProducedTwiceNamesTheValue() {
        ModelProto proto = mlpWith(node("again", "Relu", "x", "y"));

        assertThatThrownBy(() -> OnnxModel.of(proto, "twice", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("'y' is produced more than once")
                .hasMessageContaining("'again'");
    }

    @Test
    void aCycleIsRejected() {
        ModelProto.Builder builder = TestModels.mlpProto().toBuilder();
        builder.getGraphBuilder().addNode(node("a", "Relu", "b_out", "a_out")).addNode(node("b", "Relu", "a_out", "b_out"));

        assertThatThrownBy(() -> OnnxModel.of(builder.build(), "cyclic", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("cycle");
    }

    @Test
    void anOutputNothingProducesIsRejected() {
        ModelProto.Builder builder = TestModels.mlpProto().toBuilder();
        builder.getGraphBuilder().getOutputBuilder(0).setName("z");

        assertThatThrownBy(() -> OnnxModel.of(builder.build(), "no-output", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("graph output 'z' is never produced");
    }

    @Test
    void stringTensorsHaveNoNumericData() throws Exception {
        TensorProto strings = TensorProto.newBuilder().setName("labels").setDataType(DataType.STRING.code()).addDims(2)
                .addStringData(ByteString.copyFromUtf8("cat")).addStringData(ByteString.copyFromUtf8("dog")).build();
        OnnxModel model = TestModels.mlp().edit().putInitializer(strings).build();

        assertThat(OnnxModel.storedBytes(strings)).isEqualTo(6);
        assertThatThrownBy(() -> model.tensorData(strings)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'labels'");
    }
}
