package dev.lathe.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.Evaluator;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.Pipeline;
import dev.lathe.core.pipeline.ValidationGate;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.BenchmarkOptions;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.selection.ProviderPolicy;
import dev.lathe.core.task.Task;
import dev.lathe.core.task.TaskMetrics;
import dev.lathe.core.testing.RealModels;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.data.SparkTextSamples;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MiniLM against its int8 twin on real sentences in four partitions on local[2]: fidelity, the task's metrics
 * (embedding cosines, overlap@10) and the verdict equal those of one JVM exactly.
 */
class DistributedValidationTest {
    @TempDir
    static Path folder;
    private static SparkTestSession session;

    @BeforeAll
    static void start() throws Exception {
        session = new SparkTestSession(folder);
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    @Test
    void metricsOnFourPartitionsEqualThoseOfOneJvm() throws Exception {
        List<String> texts = SparkTestSession.sentences(60);
        OnnxModel original = session.miniLm;
        OnnxModel optimized = OnnxModel.load(RealModels.miniLmInt8(folder));
        Task task = Task.detect(original);
        ValidationGate gate = ValidationGate.taskDefaults();

        ValidationOutcome one;
        try (TextSamples samples = session.encoding.samples(texts, "english sentences", original)) {
            one = gate.judge(original, optimized, SessionSettings.cpu(), samples, task);
        }
        SparkTextSamples distributed = session.samples(texts, 4);
        ValidationOutcome spark = LatheSpark.validate(distributed, original, optimized, gate, task, 1000);

        assertThat(spark.taskMetrics()).containsKeys(TaskMetrics.EMBEDDING_COSINE, TaskMetrics.OVERLAP)
                .isEqualTo(one.taskMetrics());
        assertThat(spark.fidelity()).isEqualTo(one.fidelity());
        assertThat(spark.fidelity().samples()).isEqualTo(60);
        assertThat(spark.passed()).isEqualTo(one.passed());
        assertThat(spark.thresholds()).isEqualTo(one.thresholds());
        assertThat(spark.failures()).isEqualTo(one.failures());
        assertThat(LatheSpark.validate(distributed, original, optimized, gate, task, 25).fidelity().samples())
                .as("the first 25 texts").isEqualTo(25);
    }

    @Test
    void aPipelineGivenSparkTextsAsValidationDataReportsTheDistributedOutcome() throws Exception {
        List<String> texts = SparkTestSession.sentences(40);
        OnnxModel original = session.miniLm;
        Pipeline.Builder pipeline = Pipeline.builder().add(PassRegistry.load().create("quantize.int8"))
                .benchmark(BenchmarkOptions.defaults().withRuns(1, 3).withMemory(BenchmarkOptions.MemoryMeasurement.NONE))
                .provider(ProviderPolicy.require(ProviderConfig.defaults(Provider.CPU)));

        ValidationOutcome local;
        try (TextSamples samples = session.encoding.samples(texts, "english sentences", original)) {
            local = pipeline.validationData(samples).build().run(original, folder.resolve("local.onnx")).report().validation();
        }
        ValidationOutcome spark = pipeline.validationData(session.samples(texts, 3)).build()
                .run(original, folder.resolve("spark.onnx")).report().validation();

        assertThat(spark.fidelity().samples()).isEqualTo(40);
        assertThat(spark.fidelity()).isEqualTo(local.fidelity());
        assertThat(spark.taskMetrics()).isEqualTo(local.taskMetrics());
        assertThat(spark.passed()).isEqualTo(local.passed());
        // The outcome came from the executors: the distributed path refuses evaluators, the local one runs them.
        assertThatThrownBy(() -> pipeline.validation(ValidationGate.taskDefaults().withEvaluator(accuracy(), 0.01))
                .validationData(session.samples(texts, 3)).build().run(original, folder.resolve("refused.onnx")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[accuracy]");
    }

    private static Evaluator accuracy() {
        return new Evaluator() {
            @Override
            public String name() {
                return "accuracy";
            }

            @Override
            public double evaluate(dev.lathe.core.runtime.ModelSession model) {
                return 1;
            }
        };
    }

    @Test
    void evaluatorsAreRefusedByName() {
        SparkTextSamples distributed = session.samples(List.of("a sentence"), 1);
        assertThatThrownBy(() -> LatheSpark.validate(distributed, session.miniLm, session.miniLm,
                ValidationGate.taskDefaults().withEvaluator(accuracy(), 0.01), Task.detect(session.miniLm), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[accuracy]");
    }
}
