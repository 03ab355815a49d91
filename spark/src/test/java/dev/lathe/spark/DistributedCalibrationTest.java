package dev.lathe.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.calibration.CalibrationStatistics;
import dev.lathe.core.calibration.ChannelRequest;
import dev.lathe.core.calibration.ChannelStatistics;
import dev.lathe.core.calibration.ValueHistograms;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.spark.data.SparkTextSamples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MiniLM calibrated on real sentences in three partitions on local[2] against the same sentences in one JVM:
 * the statistics are equal bit for bit, and so are the models SmoothQuant int8, static int8 and GPTQ int4 write.
 */
class DistributedCalibrationTest {
    private static final int SENTENCES = 24;
    @TempDir
    static Path folder;
    private static SparkTestSession session;
    private static List<String> texts;

    @BeforeAll
    static void start() throws Exception {
        session = new SparkTestSession(folder);
        texts = SparkTestSession.sentences(SENTENCES);
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    private static TextSamples local() {
        return session.encoding.samples(texts, "english sentences", session.miniLm);
    }

    @Test
    void statisticsAndHistogramsOnThreePartitionsEqualThoseOfOneJvm() throws Exception {
        OnnxModel model = session.miniLm;
        Map<String, Integer> matMulInputs = new LinkedHashMap<>();
        model.graph().nodes().stream().filter(node -> node.getOpType().equals("MatMul"))
                .forEach(node -> model.graph().initializer(node.getInput(1)).filter(w -> w.getDimsCount() == 2)
                        .ifPresent(w -> matMulInputs.putIfAbsent(node.getInput(0), (int) w.getDims(0))));
        List<ChannelRequest> requests = new ArrayList<>();
        matMulInputs.forEach((value, channels) -> requests.add(new ChannelRequest(value, -1, 0, channels, true)));
        SparkTextSamples distributed = session.samples(texts, 3);

        CalibrationStatistics one;
        ValueHistograms oneHistograms;
        try (TextSamples samples = local()) {
            one = CalibrationStatistics.collect(model, requests, samples, 20);
            oneHistograms = ValueHistograms.collect(model, matMulInputs.keySet(), samples, 20);
        }
        CalibrationStatistics spark = LatheSpark.calibrate(distributed, model, requests, 20);
        ValueHistograms sparkHistograms = distributed.histograms(model, matMulInputs.keySet(), 20);

        assertThat(spark.samples()).isEqualTo(20);
        assertThat(spark.statistics().keySet()).containsExactlyElementsOf(one.statistics().keySet()).hasSize(24);
        for (String value : one.statistics().keySet()) {
            ChannelStatistics expected = one.of(value);
            ChannelStatistics actual = spark.of(value);
            assertThat(actual.rows()).isEqualTo(expected.rows());
            assertThat(actual.maxAbs()).containsExactly(expected.maxAbs());
            assertThat(actual.sums()).containsExactly(expected.sums());
            assertThat(actual.sumSquares()).containsExactly(expected.sumSquares());
            double[][] gram = expected.gram();
            double[][] sparkGram = actual.gram();
            for (int row = 0; row < gram.length; row++) {
                assertThat(sparkGram[row]).containsExactly(gram[row]);
            }
            assertThat(sparkHistograms.of(value).counts()).containsExactly(oneHistograms.of(value).counts());
            assertThat(sparkHistograms.of(value).minMax()).containsExactly(oneHistograms.of(value).minMax());
        }
        assertThatThrownBy(() -> LatheSpark.calibrate(distributed, model, List.of(ChannelRequest.lastAxis("nope", 4)), 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
    }

    @Test
    void smoothQuantStaticAndGptqWriteTheSameBytesFromSparkStatistics() throws Exception {
        for (String spec : List.of("quantize.int8", "quantize.static", "quantize.int4")) {
            PassResult one;
            try (TextSamples samples = local()) {
                one = PassRegistry.load().create(spec).apply(session.miniLm, context(samples));
            }
            PassResult spark = PassRegistry.load().create(spec).apply(session.miniLm, context(session.samples(texts, 3)));

            assertThat(spark.details()).as(spec).isEqualTo(one.details());
            assertThat(spark.model().proto().toByteArray()).as(spec).isEqualTo(one.model().proto().toByteArray());
            if (spec.equals("quantize.int4")) {
                assertThat(spark.details()).containsEntry("method", "gptq");
            }
        }
    }

    private static PassContext context(SampleSource samples) {
        return new PassContext(ShapeBinding.none(), Optional.of(samples), SENTENCES, Optional.empty(), ProgressListener.none());
    }
}
