package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.SparseTensorProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.testing.SeededRun;
import dev.lathe.core.testing.TestModels;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Weights in an external data file beside the model: written, read back, and checked when they are not right. */
class ExternalDataTest {
    @TempDir
    Path folder;
    @TempDir
    Path outsideFolder;

    /** Saves the transformer block with weights of 256 bytes or more external; returns the model file. */
    private Path savedTransformer() throws Exception {
        Path file = folder.resolve("model.onnx");
        TestModels.transformerBlock().save(file, SaveOptions.external(256));
        return file;
    }

    /** The saved proto as written, without any checks. */
    private static ModelProto rawProto(Path file) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(file));
    }

    private static Map<String, String> externalData(TensorProto tensor) {
        Map<String, String> entries = new HashMap<>();
        tensor.getExternalDataList().forEach(e -> entries.put(e.getKey(), e.getValue()));
        return entries;
    }

    /** Rewrites one external_data entry of one main-graph initializer in the saved model file. */
    private static void rewriteEntry(Path file, String tensorName, String key, String value) throws Exception {
        ModelProto proto = rawProto(file);
        ModelProto.Builder builder = proto.toBuilder();
        List<TensorProto> initializers = proto.getGraph().getInitializerList();
        for (int i = 0; i < initializers.size(); i++) {
            TensorProto tensor = initializers.get(i);
            if (tensor.getName().equals(tensorName)) {
                TensorProto.Builder changed = tensor.toBuilder().clearExternalData();
                for (StringStringEntryProto entry : tensor.getExternalDataList()) {
                    changed.addExternalData(entry.getKey().equals(key) ? entry.toBuilder().setValue(value).build() : entry);
                }
                builder.getGraphBuilder().setInitializer(i, changed);
            }
        }
        Files.write(file, builder.build().toByteArray());
    }

    @Test
    void initializersAtOrAboveTheThresholdGoToAnAlignedDataFileBesideTheModel() throws Exception {
        OnnxModel original = TestModels.transformerBlock();
        Path file = savedTransformer();

        Path data = folder.resolve("model.onnx.data");
        assertThat(data).exists();
        int external = 0;
        for (TensorProto tensor : rawProto(file).getGraph().getInitializerList()) {
            long bytes = OnnxModel.storedBytes(tensor);
            if (bytes >= 256) {
                external++;
                assertThat(tensor.getDataLocation()).as(tensor.getName()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
                assertThat(tensor.hasRawData()).isFalse();
                Map<String, String> entries = externalData(tensor);
                assertThat(entries).containsEntry("location", "model.onnx.data").containsEntry("length", Long.toString(bytes));
                assertThat(Long.parseLong(entries.get("offset")) % 64).isZero();
            } else {
                assertThat(OnnxModel.isExternal(tensor)).as(tensor.getName()).isFalse();
                assertThat(tensor.getRawData().size()).isEqualTo(bytes);
            }
        }
        // embedding 16x8, q/k/v/out 8x8, ffn 8x16 and 16x8 are 512 bytes or more; biases are at most 64.
        assertThat(external).isEqualTo(7);

        OnnxModel reloaded = OnnxModel.load(file);
        assertThat(reloaded.usesExternalData()).isTrue();
        assertThat(reloaded.externalDataFiles()).containsOnlyKeys(data.toAbsolutePath());
        for (ConstantTensor constant : original.constants()) {
            TensorProto saved = reloaded.graph().initializer(constant.name()).orElseThrow();
            assertThat(reloaded.tensorData(saved)).as(constant.name()).isEqualTo(original.tensorData(constant.tensor()));
        }
        SeededRun.assertIdentical(RoundTripTest.RUN.outputs(original.proto().toByteArray()), RoundTripTest.RUN.outputs(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lathe.core.model.RoundTripTest#tinyModels")
    void everyTinyModelRunsIdenticallyWithItsWeightsExternal(String name, Supplier<ModelProto> proto) throws Exception {
        OnnxModel original = TestModels.model(proto.get());
        Path file = folder.resolve(name + ".onnx");

        // 64 bytes: every weight of 16 floats or more, subgraph weights included; shape constants stay inline
        // because ONNX Runtime's shape inference cannot read external tensors.
        original.save(file, SaveOptions.external(64));

        OnnxModel reloaded = OnnxModel.load(file);
        for (Graph graph : reloaded.graph().withAllSubgraphs()) {
            for (TensorProto initializer : graph.initializers().values()) {
                assertThat(OnnxModel.isExternal(initializer)).as(initializer.getName())
                        .isEqualTo(OnnxModel.storedBytes(initializer) >= 64);
            }
        }
        assertThat(reloaded.constants()).hasSameSizeAs(original.constants());
        for (int i = 0; i < original.constants().size(); i++) {
            ConstantTensor before = original.constants().get(i);
            ConstantTensor after = reloaded.constants().get(i);
            assertThat(after.name()).isEqualTo(before.name());
            assertThat(after.graphPath()).isEqualTo(before.graphPath());
            assertThat(reloaded.tensorData(after.tensor())).isEqualTo(original.tensorData(before.tensor()));
        }
        SeededRun.assertIdentical(RoundTripTest.RUN.outputs(original.proto().toByteArray()), RoundTripTest.RUN.outputs(file));
    }

    @Test
    void aModelWithExternalDataSavedElsewhereTakesItsWeightsAlong() throws Exception {
        Path file = savedTransformer();
        Path copy = folder.resolve("elsewhere").resolve("copy.onnx");

        OnnxModel.load(file).save(copy, SaveOptions.defaults().withDataFileName("weights.bin"));
        Files.delete(folder.resolve("model.onnx.data"));
        Files.delete(file);

        OnnxModel reloaded = OnnxModel.load(copy);
        assertThat(reloaded.externalDataFiles()).containsOnlyKeys(copy.resolveSibling("weights.bin").toAbsolutePath());
        assertThat(RoundTripTest.filesIn(copy.getParent())).containsExactlyInAnyOrder(copy, copy.resolveSibling("weights.bin"));
        SeededRun.assertIdentical(RoundTripTest.RUN.outputs(TestModels.transformerBlockProto().toByteArray()),
                RoundTripTest.RUN.outputs(copy));
    }

    @Test
    void embeddedSaveOfAnExternalModelBringsTheWeightsInline() throws Exception {
        Path file = savedTransformer();
        Path embedded = folder.resolve("embedded.onnx");

        OnnxModel.load(file).save(embedded, SaveOptions.embedded());

        OnnxModel reloaded = OnnxModel.load(embedded);
        assertThat(reloaded.usesExternalData()).isFalse();
        assertThat(reloaded.proto()).isEqualTo(TestModels.transformerBlockProto());
    }

    @Test
    void aMissingDataFileIsReportedWithTheTensorAndTheFile() throws Exception {
        Path file = savedTransformer();
        Files.delete(folder.resolve("model.onnx.data"));

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("tensor 'embedding'")
                .hasMessageContaining("'model.onnx.data'")
                .hasMessageContaining("missing");
    }

    @Test
    void aTruncatedDataFileIsReportedAsTooShort() throws Exception {
        Path file = savedTransformer();
        Path data = folder.resolve("model.onnx.data");
        try (RandomAccessFile raf = new RandomAccessFile(data.toFile(), "rw")) {
            raf.setLength(raf.length() - 1);
        }

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'ffn_down_w'")
                .hasMessageContaining("'model.onnx.data'")
                .hasMessageContaining("too short");
    }

    @Test
    void aLocationEscapingTheModelFolderIsRejected() throws Exception {
        Path file = savedTransformer();
        rewriteEntry(file, "q_w", "location", "../evil.bin");

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'q_w'")
                .hasMessageContaining("'../evil.bin'")
                .hasMessageContaining("escapes");
    }

    @Test
    void anAbsoluteLocationIsRejected() throws Exception {
        Path file = savedTransformer();
        rewriteEntry(file, "k_w", "location", "/etc/passwd");

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'k_w'")
                .hasMessageContaining("'/etc/passwd'")
                .hasMessageContaining("absolute");
    }

    @Test
    void aSymbolicLinkLeadingOutOfTheModelFolderIsRejected() throws Exception {
        Path file = savedTransformer();
        Path outside = Files.copy(folder.resolve("model.onnx.data"), outsideFolder.resolve("outside.bin"));
        Files.createSymbolicLink(folder.resolve("link.bin"), outside);
        rewriteEntry(file, "v_w", "location", "link.bin");

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'v_w'")
                .hasMessageContaining("'link.bin'")
                .hasMessageContaining("outside the model's folder");
    }

    @Test
    void aLengthThatDisagreesWithTheShapeIsRejected() throws Exception {
        Path file = savedTransformer();
        rewriteEntry(file, "out_w", "length", "128");

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'out_w'")
                .hasMessageContaining("length 128")
                .hasMessageContaining("256");
    }

    @Test
    void anOffsetFarPastTheEndIsRejectedWhenLoading() throws Exception {
        Path file = savedTransformer();
        rewriteEntry(file, "embedding", "offset", Long.toString(Long.MAX_VALUE - 100));

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'embedding'")
                .hasMessageContaining("too short")
                // The end of the range is stated exactly, not overflowed into a negative number.
                .hasMessageContaining("needs bytes 9223372036854775707..9223372036854776")
                .hasMessageNotContaining("..-");
    }

    @Test
    void savingOverTheSourceModelKeepsItsWeights() throws Exception {
        OnnxModel original = TestModels.transformerBlock();
        Path file = savedTransformer();

        OnnxModel.load(file).save(file, SaveOptions.external(64));

        OnnxModel reloaded = OnnxModel.load(file);
        for (ConstantTensor constant : original.constants()) {
            TensorProto saved = reloaded.graph().initializer(constant.name()).orElseThrow();
            assertThat(reloaded.tensorData(saved)).as(constant.name()).isEqualTo(original.tensorData(constant.tensor()));
        }
        assertThat(RoundTripTest.filesIn(folder)).containsExactlyInAnyOrder(file, folder.resolve("model.onnx.data"));
    }

    @Test
    void externalSparseTensorsMoveWithTheModel() throws Exception {
        float[] values = new float[300];
        long[] indices = new long[300];
        for (int i = 0; i < values.length; i++) {
            values[i] = i + 1;
            indices[i] = 2L * i;
        }
        TensorData valueData = TensorData.ofFloats(new long[] {300}, values);
        ByteBuffer bytes = valueData.rawBytes();
        try (FileChannel channel = FileChannel.open(folder.resolve("sparse.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            channel.write(bytes);
        }
        ModelProto.Builder proto = TestModels.mlpProto().toBuilder();
        proto.getGraphBuilder().addSparseInitializer(SparseTensorProto.newBuilder().addDims(600)
                .setValues(TensorProto.newBuilder().setName("sparse").setDataType(DataType.FLOAT.code()).addDims(300)
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("sparse.bin")))
                .setIndices(TensorCodec.encode("sparse_indices", TensorData.ofLongs(new long[] {300}, indices))));
        Path file = folder.resolve("model.onnx");
        Files.write(file, proto.build().toByteArray());
        Path moved = folder.resolve("moved").resolve("model.onnx");

        OnnxModel.load(file).save(moved);

        Files.delete(folder.resolve("sparse.bin"));
        OnnxModel reloaded = OnnxModel.load(moved);
        SparseTensorProto sparse = reloaded.proto().getGraph().getSparseInitializer(0);
        assertThat(externalData(sparse.getValues())).containsEntry("location", "model.onnx.data");
        assertThat(reloaded.tensorData(sparse.getValues())).isEqualTo(valueData);
        assertThat(reloaded.tensorData(sparse.getIndices()).toLongArray()).containsExactly(indices);
    }

    @Test
    void aNonNumericOffsetIsRejected() throws Exception {
        Path file = savedTransformer();
        rewriteEntry(file, "ffn_up_w", "offset", "twelve");

        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'ffn_up_w'")
                .hasMessageContaining("'twelve'");
    }

    @Test
    void externalDataNeedsAFolderToBeFoundIn() throws Exception {
        ModelProto proto = rawProto(savedTransformer());

        assertThatThrownBy(() -> OnnxModel.of(proto, "in-memory", null)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("in-memory")
                .hasMessageContaining("tensor 'embedding'")
                .hasMessageContaining("not loaded from a file");
        assertThat(OnnxModel.of(proto, "in-memory", folder).usesExternalData()).isTrue();
    }
}
