package dev.lathe.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.ConstantTensor;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.GraphProto;
import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.testing.RealModels;
import dev.lathe.core.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the model loader ({@link OnnxModel#fromBytes}) and, for mutants that still load, the footprint
 * ({@link FootprintAnalyzer#analyze} with no binding), on bytes mutated from real serialized models: the
 * small models of {@link TestModels}, one of them with its weights in the typed fields (float_data,
 * int64_data) instead of raw_data, and all-MiniLM-L6-v2 in fp32 and int8 ({@link RealModels}). Mutations are byte-level (bit flips, byte replacements, truncation,
 * insertion, duplication and removal of ranges) and protobuf-aware (false length prefixes, new varint values
 * for dimensions, types and attributes, removed and repeated fields).
 *
 * <p>Oracle: loading may fail only with {@link InvalidModelException} whose message starts with the source
 * name; the footprint only with a {@link LatheException}. Anything else fails the test, and the input
 * is saved as {@code core/target/fuzz-failures/model-<stage>-<hash>.onnx}; replay it with
 * {@code OnnxModel.fromBytes(Files.readAllBytes(file), "replay")} (and {@code FootprintAnalyzer.analyze} for
 * the footprint stage), or run this class with {@code -Dlathe.fuzz.replay=FILE}.
 *
 * <p>Budget: fixed seeds, 20 000 tries on the small models and 40 on MiniLM; {@code -Dlathe.fuzz.tries=100000}
 * runs a long campaign (see {@link Campaign}).
 */
class ModelLoaderFuzzTest {
    private static final String TARGET = "model.onnx";
    private static final String SOURCE = "fuzz-model";
    private static final Map<String, byte[]> SEEDS = seeds();

    private static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("mlp", TestModels.mlpProto().toByteArray());
        seeds.put("cnn", TestModels.cnnWithBatchNormProto().toByteArray());
        seeds.put("transformer", TestModels.transformerBlockProto().toByteArray());
        seeds.put("constants", TestModels.constantNodeWeightsProto().toByteArray());
        seeds.put("if", TestModels.ifSubgraphWeightsProto().toByteArray());
        seeds.put("transformer-typed", typedFields(TestModels.transformerBlockProto()).toByteArray());
        return seeds;
    }

    /**
     * The model with its main-graph float and int64 initializers stored in float_data and int64_data
     * instead of raw_data, as some exporters write them: the loader decodes these fields separately.
     */
    private static ModelProto typedFields(ModelProto proto) {
        OnnxModel model = TestModels.model(proto);
        ModelProto.Builder builder = proto.toBuilder();
        GraphProto.Builder graph = builder.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto tensor = graph.getInitializer(i);
            TensorData data;
            try {
                data = model.tensorData(tensor);
            } catch (InvalidModelException e) {
                throw new IllegalStateException(e);
            }
            TensorProto.Builder typed = tensor.toBuilder().clearRawData();
            switch (data.dataType()) {
                case FLOAT -> {
                    for (float value : data.toFloatArray()) {
                        typed.addFloatData(value);
                    }
                }
                case INT64 -> {
                    for (long value : data.toLongArray()) {
                        typed.addInt64Data(value);
                    }
                }
                default -> {
                    continue;
                }
            }
            graph.setInitializer(i, typed);
        }
        return builder.build();
    }

    /** About 110 MB, read for the test that mutates them and not kept after it (no static field). */
    private static Map<String, byte[]> realSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("minilm", resource(RealModels.MINILM));
        seeds.put("minilm-int8", resource(RealModels.MINILM_INT8));
        return seeds;
    }

    private static byte[] resource(String name) {
        try (InputStream in = RealModels.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Gen<Mutation> mutation() {
        return Gen.weighted(1, Mutations.bytes(), 3, Mutations.protobuf());
    }

    @Test
    void mutatedModelsLoadOrFailWithInvalidModelException() throws IOException {
        new Campaign(TARGET, 1306, 20_000).run(Mutations.mutants(TARGET, SEEDS, mutation(), 4),
                ModelLoaderFuzzTest::check);
    }

    /**
     * The same on all-MiniLM-L6-v2 as exported from PyTorch (90 MB) and its int8 twin from ONNX Runtime's
     * quantizer (23 MB): real exporter structure, metadata and quantized ops. A mutant costs up to half a
     * second (the protobuf-aware mutations parse and rewrite the whole file), hence the small budget.
     */
    @Test
    void mutatedRealModelsLoadOrFailWithInvalidModelException() throws IOException {
        new Campaign(TARGET, 1311, 40, 500).run(Mutations.mutants(TARGET, realSeeds(), mutation(), 2),
                ModelLoaderFuzzTest::check);
    }

    /** Loads the mutant and, if it loads, computes its footprint; the outcome is "loads" or "rejected". */
    private static String check(Mutant mutant) {
        OnnxModel[] loaded = new OnnxModel[1];
        Throwable rejected = Fuzz.expectOnly(mutant, "load", () -> loaded[0] = loadAndRead(mutant.bytes()),
                List.of(InvalidModelException.class));
        if (rejected != null && !String.valueOf(rejected.getMessage()).startsWith(SOURCE + ": ")) {
            Path saved = Fuzz.save(mutant, "load");
            assertThat(rejected.getMessage()).as("message of %s; input saved to %s", mutant, saved)
                    .startsWith(SOURCE + ": ");
        }
        if (loaded[0] != null) {
            Fuzz.expectOnly(mutant, "footprint", () -> FootprintAnalyzer.analyze(loaded[0], ShapeBinding.none()),
                    List.of(LatheException.class));
        }
        return rejected == null ? "loads" : "rejected";
    }

    /** Loads and reads every constant, as a pass would. */
    private static OnnxModel loadAndRead(byte[] bytes) throws InvalidModelException {
        OnnxModel model = OnnxModel.fromBytes(bytes, SOURCE);
        for (ConstantTensor constant : model.constants()) {
            if (constant.dataType() != DataType.STRING) {
                model.tensorData(constant.tensor()).rawBytes();
            }
        }
        return model;
    }
}
