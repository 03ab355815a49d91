package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.SeededRun;
import dev.lathe.core.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving and loading a model changes nothing: the same proto, the same bytes, the same outputs. */
class RoundTripTest {
    /** Binds every symbolic dimension of the tiny models; token ids stay inside the 16-word vocabulary. */
    static final SeededRun RUN = SeededRun.withSeed(11).dim("batch", 3).dim("seq", 6).dim("height", 5).dim("width", 4)
            .intBound("input_ids", 16);

    @TempDir
    Path folder;

    static List<Path> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }

    static Stream<Arguments> tinyModels() {
        return Stream.of(
                Arguments.of("mlp", (Supplier<ModelProto>) TestModels::mlpProto),
                Arguments.of("cnnWithBatchNorm", (Supplier<ModelProto>) TestModels::cnnWithBatchNormProto),
                Arguments.of("transformerBlock", (Supplier<ModelProto>) TestModels::transformerBlockProto),
                Arguments.of("constantNodeWeights", (Supplier<ModelProto>) TestModels::constantNodeWeightsProto),
                Arguments.of("ifSubgraphWeights", (Supplier<ModelProto>) TestModels::ifSubgraphWeightsProto));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tinyModels")
    void saveThenLoadGivesAnEqualProtoAndIdenticalOutputs(String name, Supplier<ModelProto> proto) throws Exception {
        OnnxModel original = TestModels.model(proto.get());
        Path file = folder.resolve(name + ".onnx");
        original.save(file);

        OnnxModel reloaded = OnnxModel.load(file);

        assertThat(reloaded.proto()).isEqualTo(original.proto());
        assertThat(reloaded.file()).contains(file);
        assertThat(reloaded.usesExternalData()).isFalse();
        assertThat(filesIn(folder)).containsExactly(file);
        SeededRun.assertIdentical(RUN.outputs(original.proto().toByteArray()), RUN.outputs(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tinyModels")
    void savingIsDeterministicAndLoadsFromEveryEntryPoint(String name, Supplier<ModelProto> proto) throws Exception {
        OnnxModel original = TestModels.model(proto.get());
        Path first = folder.resolve("first.onnx");
        Path second = folder.resolve("second.onnx");
        original.save(first);
        OnnxModel.load(first).save(second);

        byte[] bytes = Files.readAllBytes(first);
        assertThat(Files.readAllBytes(second)).isEqualTo(bytes);
        assertThat(OnnxModel.fromBytes(bytes, name).proto()).isEqualTo(original.proto());
        try (var stream = Files.newInputStream(first)) {
            assertThat(OnnxModel.load(stream, name, null).proto()).isEqualTo(original.proto());
        }
    }

    @Test
    void saveReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
        Path file = folder.resolve("model.onnx");
        TestModels.mlp().save(file);
        TestModels.cnnWithBatchNorm().save(file);

        assertThat(OnnxModel.load(file).proto()).isEqualTo(TestModels.cnnWithBatchNormProto());
        assertThat(filesIn(folder)).containsExactly(file);
    }

    @Test
    void aLoadedModelCanBeSavedOverItsOwnFile() throws Exception {
        Path file = folder.resolve("model.onnx");
        TestModels.transformerBlock().save(file);

        OnnxModel.load(file).save(file);

        assertThat(OnnxModel.load(file).proto()).isEqualTo(TestModels.transformerBlockProto());
        assertThat(filesIn(folder)).containsExactly(file);
    }

    @Test
    void metadataAndOpsetsSurviveTheRoundTrip() throws Exception {
        OnnxModel edited = TestModels.mlp().edit().putMetadata("lathe.step", "1").requireOpset("com.microsoft", 1).build();
        Path file = folder.resolve("model.onnx");
        edited.save(file);

        OnnxModel reloaded = OnnxModel.load(file);
        assertThat(reloaded.metadata()).containsExactly(Map.entry("lathe.step", "1"));
        assertThat(reloaded.opsets()).containsExactly(Map.entry("", 17L), Map.entry("com.microsoft", 1L));
        assertThat(reloaded.proto()).isEqualTo(edited.proto());
    }

    @Test
    @Tag("slow")
    void miniLmLoadsWithItsInputsAndRoundTrips() throws Exception {
        Path file = RealModels.miniLm(folder);

        OnnxModel model = OnnxModel.load(file);

        assertThat(model.graph().inputs()).extracting(ValueInfoProto::getName)
                .containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(model.graph().initializers()).isNotEmpty();
        Path copy = folder.resolve("copy").resolve("minilm.onnx");
        model.save(copy);
        OnnxModel reloaded = OnnxModel.load(copy);
        assertThat(reloaded.proto()).isEqualTo(model.proto());
        assertThat(Files.size(copy)).isEqualTo(Files.size(file));
    }

    @Test
    @Tag("slow")
    void miniLmSavedWithExternalDataGivesIdenticalOutputs() throws Exception {
        Path file = RealModels.miniLm(folder);
        OnnxModel model = OnnxModel.load(file);
        Path external = folder.resolve("external").resolve("minilm.onnx");

        model.save(external, SaveOptions.external(SaveOptions.DEFAULT_THRESHOLD_BYTES));

        assertThat(Files.size(external)).isLessThan(Files.size(file) / 10);
        assertThat(external.resolveSibling("minilm.onnx.data")).exists();
        OnnxModel reloaded = OnnxModel.load(external);
        for (ConstantTensor constant : model.constants()) {
            if (constant.dataType() != DataType.STRING) {
                ConstantTensor same = reloaded.constants().stream().filter(c -> c.name().equals(constant.name()))
                        .findFirst().orElseThrow();
                assertThat(reloaded.tensorData(same.tensor())).isEqualTo(model.tensorData(constant.tensor()));
            }
        }
        SeededRun run = SeededRun.withSeed(5).dim("batch_size", 2).dim("sequence_length", 9)
                .intBound("input_ids", 30522).intBound("token_type_ids", 1);
        SeededRun.assertIdentical(run.outputs(file), run.outputs(external));
    }
}
