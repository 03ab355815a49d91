package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.core.LatheException;
import dev.lathe.core.LatheVersion;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.model.ModelEditor;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.SaveOptions;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderAvailability;
import dev.lathe.core.provider.ProviderCatalog;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.selection.ProviderSelector;
import dev.lathe.core.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline runs on tiny models with real passes, real ONNX Runtime and real files. */
class PipelineTest {
    private static final BenchmarkOptions QUICK = BenchmarkOptions.defaults().withRuns(1, 5)
            .withMemory(BenchmarkOptions.MemoryMeasurement.NONE);
    private static final ProviderSelector CPU_ONLY = new ProviderSelector(ProviderCatalog.of(Map.of(Provider.CPU,
            ProviderAvailability.available("cpu"))), QUICK);

    /** A pass that multiplies the named initializer by a factor: a stand-in for a lossy optimization. */
    private record ScaleWeight(String initializer, float factor) implements Pass {
        @Override
        public String name() {
            return "test.scale";
        }

        @Override
        public Map<String, String> options() {
            return Map.of("initializer", initializer, "factor", Float.toString(factor));
        }

        @Override
        public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
            float[] values = model.tensorData(model.graph().initializer(initializer).orElseThrow()).toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] *= factor;
            }
            long[] shape = model.tensorData(model.graph().initializer(initializer).orElseThrow()).shape();
            ModelEditor editor = model.edit().putInitializer(initializer, TensorData.ofFloats(shape, values));
            return new PassResult(editor.build(), Map.of("scaled", initializer));
        }
    }

    /** A pass that always fails. */
    private record Broken() implements Pass {
        @Override
        public String name() {
            return "test.broken";
        }

        @Override
        public Map<String, String> options() {
            return Map.of();
        }

        @Override
        public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
            throw new PassFailedException("test.broken: node w2 cannot be handled");
        }
    }

    private static Pipeline.Builder quick() {
        return Pipeline.builder().selector(CPU_ONLY).benchmark(QUICK).shapes(ShapeBinding.none().withDimension("batch", 2));
    }

    @Test
    void runWritesTheModelWithProvenanceAndReportsEveryStep(@TempDir Path folder) throws Exception {
        Path input = folder.resolve("mlp.onnx");
        TestModels.mlp().save(input);
        Path output = folder.resolve("out/mlp.opt.onnx");
        List<String> events = new ArrayList<>();

        PipelineResult result = quick().add(PassRegistry.load().create("cleanup:fold=true"))
                .validation(ValidationGate.parse("min-cosine=0.999,max-abs-error=1e-5"))
                .progress(recorder(events)).build().run(input, output);

        OptimizationReport report = result.report();
        assertThat(report.output()).contains(output.toString());
        assertThat(report.steps()).extracting(StepRecord::name).containsExactly("cleanup");
        assertThat(report.steps().get(0).status()).isEqualTo(StepRecord.Status.OK);
        assertThat(report.steps().get(0).after().macs()).isEqualTo(112);
        assertThat(report.before().macs()).isEqualTo(112);
        assertThat(report.validation().passed()).isTrue();
        assertThat(report.validation().fidelity().cosineMin()).isGreaterThan(0.999999);
        assertThat(report.provider().selected().provider()).isEqualTo(Provider.CPU);
        // Two rounds of 5 timed runs per model (original, optimized, optimized, original).
        assertThat(report.measuredAfter().latencyMs().runs()).isEqualTo(10);
        assertThat(report.cost().costPerMillionBefore()).isPositive();
        assertThat(events).contains("started step cleanup", "finished step cleanup", "started validation",
                "finished benchmark optimized");

        OnnxModel written = OnnxModel.load(output);
        assertThat(written.metadata()).containsEntry(Pipeline.VERSION_KEY, LatheVersion.get());
        JsonNode steps = new ObjectMapper().readTree(written.metadata().get(Pipeline.STEPS_KEY));
        assertThat(steps.get(0).get("pass").asText()).isEqualTo("cleanup");
        assertThat(steps.get(0).get("options").get("fold").asText()).isEqualTo("true");
        assertThat(LatheVersion.get()).isNotEqualTo("unknown");
    }

    @Test
    void aFailedGateWritesNothingAndCarriesTheReport(@TempDir Path folder) throws Exception {
        Path input = folder.resolve("mlp.onnx");
        TestModels.mlp().save(input);
        Path output = folder.resolve("mlp.opt.onnx");
        Pipeline pipeline = quick().add(new ScaleWeight("w2", 1.5f)).validation(ValidationGate.parse("max-abs-error=1e-3")).build();

        assertThatThrownBy(() -> pipeline.run(input, output))
                .isInstanceOf(ValidationFailedException.class)
                .hasMessageContaining("max absolute error")
                .satisfies(e -> {
                    OptimizationReport report = ((ValidationFailedException) e).report();
                    assertThat(report.validation().passed()).isFalse();
                    assertThat(report.output()).isEmpty();
                    assertThat(report.steps()).extracting(StepRecord::name).containsExactly("test.scale");
                });
        assertThat(filesIn(folder)).containsExactly("mlp.onnx");
    }

    @Test
    void aFailedGateCanBeWrittenAnywayAndIsMarked(@TempDir Path folder) throws Exception {
        Path output = folder.resolve("mlp.opt.onnx");

        PipelineResult result = quick().add(new ScaleWeight("w2", 1.5f)).validation(ValidationGate.parse("max-abs-error=1e-3"))
                .writeOnValidationFailure(true).build().run(TestModels.mlp(), output);

        assertThat(Files.exists(output)).isTrue();
        assertThat(result.report().validation().passed()).isFalse();
        assertThat(result.report().validation().writtenDespiteFailure()).isTrue();
    }

    @Test
    void aFailingPassLeavesNoFileBehind(@TempDir Path folder) throws Exception {
        Path output = folder.resolve("mlp.opt.onnx");
        Pipeline pipeline = quick().add(PassRegistry.load().create("cleanup")).add(new Broken()).build();

        assertThatThrownBy(() -> pipeline.run(TestModels.mlp(), output))
                .isInstanceOf(PassFailedException.class).hasMessageContaining("test.broken").hasMessageContaining("w2");
        assertThat(filesIn(folder)).isEmpty();
    }

    @Test
    void theInputIsNeverOverwrittenUnlessAllowed(@TempDir Path folder) throws Exception {
        Path model = folder.resolve("mlp.onnx");
        TestModels.mlp().save(model);
        byte[] original = Files.readAllBytes(model);

        assertThatThrownBy(() -> quick().build().run(model, model))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusing to overwrite");
        assertThat(Files.readAllBytes(model)).isEqualTo(original);

        quick().allowOverwrite(true).add(PassRegistry.load().create("cleanup")).build().run(model, model);
        assertThat(OnnxModel.load(model).metadata()).containsKey(Pipeline.VERSION_KEY);
    }

    @Test
    void theOutputIsNeverAFileTheInputReadsItsWeightsFrom(@TempDir Path folder) throws Exception {
        Path model = folder.resolve("block.onnx");
        TestModels.transformerBlock().save(model, SaveOptions.external(64).withDataFileName("w.bin"));
        Path weights = folder.resolve("w.bin");
        byte[] before = Files.readAllBytes(weights);
        Pipeline pipeline = quick().allowOverwrite(true).add(PassRegistry.load().create("cleanup")).build();

        assertThatThrownBy(() -> pipeline.run(model, weights))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reads its weights from");
        // Nor may the output's own external data land on it.
        assertThatThrownBy(() -> quick().allowOverwrite(true).saveOptions(SaveOptions.external(64)
                .withDataFileName("w.bin")).build().run(model, folder.resolve("other.onnx")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w.bin");
        assertThat(Files.readAllBytes(weights)).isEqualTo(before);
    }

    @Test
    void zeroSizeInputsAreRefusedBeforeAnyWork(@TempDir Path folder) {
        Path output = folder.resolve("mlp.opt.onnx");
        Pipeline pipeline = quick().shapes(ShapeBinding.none().withInputShape("x", 0, 4))
                .add(PassRegistry.load().create("cleanup")).build();

        assertThatThrownBy(() -> pipeline.run(TestModels.mlp(), output))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with no elements");
        assertThat(output).doesNotExist();
    }

    @Test
    void anUnwritableOutputFailsBeforeAnyWorkAndIsNamed(@TempDir Path folder) throws Exception {
        Path notAFolder = folder.resolve("file.txt");
        Files.writeString(notAFolder, "x");
        Path output = notAFolder.resolve("out.onnx");
        List<String> started = new ArrayList<>();
        Pipeline pipeline = quick().add(PassRegistry.load().create("cleanup")).progress(new ProgressListener() {
            @Override
            public void started(String task, long total) {
                started.add(task);
            }

            @Override
            public void progressed(String task, long done, long total) {
            }

            @Override
            public void finished(String task) {
            }
        }).build();

        assertThatThrownBy(() -> pipeline.run(TestModels.mlp(), output))
                .isInstanceOf(IOException.class).hasMessageContaining(output.toString());
        assertThat(started).isEmpty();
    }

    @Test
    void evaluatorsGateOnTheirToleratedDrop(@TempDir Path folder) throws Exception {
        Evaluator meanOutput = new Evaluator() {
            @Override
            public String name() {
                return "mean-y";
            }

            @Override
            public double evaluate(ModelSession session) throws LatheException {
                float[] y = session.run(Map.of("x", TensorData.ofFloats(new long[] {1, 4}, 1, 2, 3, 4))).get("y").toFloatArray();
                double sum = 0;
                for (float v : y) {
                    sum += v;
                }
                return sum / y.length;
            }
        };
        Pipeline tolerant = quick().add(new ScaleWeight("b2", 0f)).validation(ValidationGate.measureOnly()
                .withEvaluator(meanOutput, 100)).build();
        Pipeline strict = quick().add(new ScaleWeight("b2", 0f)).validation(ValidationGate.measureOnly()
                .withEvaluator(meanOutput, -1)).build();

        PipelineResult passed = tolerant.run(TestModels.mlp(), folder.resolve("a.onnx"));
        assertThat(passed.report().validation().metrics()).containsKey("mean-y");
        assertThatThrownBy(() -> strict.run(TestModels.mlp(), folder.resolve("b.onnx")))
                .isInstanceOf(ValidationFailedException.class).hasMessageContaining("metric mean-y");
    }

    @Test
    void passesAreFoundByName() {
        PassRegistry registry = PassRegistry.load();

        assertThat(registry.factories()).containsKey("cleanup");
        assertThat(registry.create("cleanup:fold=false").options()).containsEntry("fold", "false");
        assertThatThrownBy(() -> registry.create("quantize.int9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown pass 'quantize.int9'").hasMessageContaining("cleanup");
        assertThatThrownBy(() -> registry.create("cleanup:fold=maybe")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fold");
        assertThatThrownBy(() -> registry.create("cleanup:speed=max")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'speed'");
    }

    @Test
    void gateSpecificationsAreParsedStrictly() {
        assertThatThrownBy(() -> ValidationGate.parse("min-cos=0.9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valid keys");
        assertThatThrownBy(() -> ValidationGate.parse("min-cosine=high")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a number");
        assertThat(ValidationGate.parse("min-cosine:y=0.99,samples=3").samples(true)).isEqualTo(3);
    }

    private static ProgressListener recorder(List<String> events) {
        return new ProgressListener() {
            @Override
            public void started(String task, long total) {
                events.add("started " + task);
            }

            @Override
            public void progressed(String task, long done, long total) {
                events.add("progressed " + task);
            }

            @Override
            public void finished(String task) {
                events.add("finished " + task);
            }
        };
    }

    private static List<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A pass that changes nothing and records which calibration samples it saw (their first value). */
    private record RecordCalibration() implements Pass {
        @Override
        public String name() {
            return "test.record";
        }

        @Override
        public Map<String, String> options() {
            return Map.of();
        }

        @Override
        public PassResult apply(OnnxModel model, PassContext context) {
            List<Integer> seen = context.calibration().stream().map(s -> (int) s.get("x").toFloatArray()[0]).toList();
            return new PassResult(model, Map.of("seen", seen, "real",
                    context.calibrationSource().map(source -> !source.generated()).orElse(false)));
        }
    }

    /** Sample i of batch 1 + i % 3: its first value is i, so the samples it came from can be told apart. */
    private static Map<String, TensorData> numbered(int i) {
        int batch = 1 + i % 3;
        float[] values = new float[batch * 4];
        for (int v = 0; v < values.length; v++) {
            values[v] = v == 0 ? i : (float) Math.sin(i + v);
        }
        return Map.of("x", TensorData.ofFloats(new long[] {batch, 4}, values));
    }

    @Test
    void dataIsSplitShapesComeFromItAndTheReportSaysWhereSamplesCameFrom(@TempDir Path folder) throws Exception {
        Path input = folder.resolve("mlp.onnx");
        TestModels.mlp().save(input);
        List<Map<String, TensorData>> samples = java.util.stream.IntStream.range(0, 40).mapToObj(PipelineTest::numbered)
                .toList();

        PipelineResult result = Pipeline.builder().selector(CPU_ONLY).benchmark(QUICK).add(new RecordCalibration())
                .data(dev.lathe.core.data.SampleSource.of("forty.npz-folder", samples)).build()
                .run(input, folder.resolve("out.onnx"));

        OptimizationReport report = result.report();
        @SuppressWarnings("unchecked")
        List<Integer> seen = (List<Integer>) report.steps().get(0).details().get("seen");
        assertThat(seen).hasSize(30).doesNotContain(3, 7, 11, 39).contains(0, 1, 2, 4, 38);
        assertThat(report.steps().get(0).details()).containsEntry("real", true);
        assertThat(report.data().calibration()).hasValueSatisfying(c -> {
            assertThat(c.samples()).isEqualTo(30);
            assertThat(c.generated()).isFalse();
            assertThat(c.description()).startsWith("forty.npz-folder, calibration 75 %");
        });
        assertThat(report.data().validation().samples()).isEqualTo(10);
        assertThat(report.data().validation().generated()).isFalse();
        assertThat(report.data().validation().description()).startsWith("forty.npz-folder, held-out 25 %: 10 samples");
        assertThat(report.validation().fidelity().samples()).isEqualTo(10);
        assertThat(report.validation().checked()).isTrue();
        assertThat(report.validation().thresholds()).containsExactly("min-cosine=0.98");
        // The held-out samples 3, 7, ..., 39 have batch sizes 1, 2, 3, 1, ...: the median one is batch 2.
        assertThat(report.before().inputShapes().get("x")).containsExactly(2, 4);
    }

    @Test
    void withoutDataPassesGetNoCalibrationUnlessGeneratedInputsAreAllowed(@TempDir Path folder) throws Exception {
        Path input = folder.resolve("mlp.onnx");
        TestModels.mlp().save(input);

        OptimizationReport none = quick().add(new RecordCalibration()).build().run(input, folder.resolve("a.onnx")).report();
        assertThat((List<?>) none.steps().get(0).details().get("seen")).isEmpty();
        assertThat(none.data().calibration()).isEmpty();
        assertThat(none.data().validation().generated()).isTrue();
        assertThat(none.data().validation().description()).startsWith("generated (8 random samples, x=2x4)");

        OptimizationReport generated = quick().add(new RecordCalibration()).calibrateOnGenerated(true).build()
                .run(input, folder.resolve("b.onnx")).report();
        assertThat((List<?>) generated.steps().get(0).details().get("seen")).hasSize(8);
        assertThat(generated.data().calibration()).hasValueSatisfying(c -> assertThat(c.generated()).isTrue());
    }

    @Test
    void measureOnlyReportsNotCheckedNeverPassed(@TempDir Path folder) throws Exception {
        Path input = folder.resolve("mlp.onnx");
        TestModels.mlp().save(input);

        OptimizationReport report = quick().add(new ScaleWeight("w2", 0f)).validation(ValidationGate.measureOnly()).build()
                .run(input, folder.resolve("c.onnx")).report();

        assertThat(report.validation().checked()).isFalse();
        assertThat(report.validation().thresholds()).isEmpty();
        assertThat(dev.lathe.core.report.ReportMarkdown.render(report)).contains("Not checked")
                .doesNotContain("Passed");
    }
}
