package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.djl.text.EnglishSentences;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe optimize --quantize int8} on all-MiniLM-L6-v2 as a user runs it, with real sentences and
 * without, and every fidelity figure the report prints checked against an independent computation: ONNX
 * Runtime called directly, DJL's tokenizer, mean pooling written out here, on the sentences the default
 * split holds out (every fourth).
 */
@Tag("slow")
class RealDataOptimizeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path folder;
    private static Path model;
    private static Path tokenizer;
    private static Path sentences;

    @BeforeAll
    static void copyModelTokenizerAndSentences() throws Exception {
        model = copy("/all-minilm-l6-v2.onnx", folder.resolve("minilm.onnx"));
        tokenizer = copy("/all-minilm-l6-v2-tokenizer.json", folder.resolve("tokenizer.json"));
        sentences = Files.write(folder.resolve("sentences.txt"), EnglishSentences.all());
    }

    private static Path copy(String resource, Path target) throws Exception {
        try (InputStream in = RealDataOptimizeTest.class.getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
        return target;
    }

    @Test
    void withRealTextTheReportedFidelityIsWhatAnIndependentMeasurementFinds() throws Exception {
        Path output = folder.resolve("data.int8.onnx");
        Path report = folder.resolve("data.json");
        CommandRun run = CommandRun.of("optimize", model.toString(), "-o", output.toString(), "--quantize", "int8",
                "--data", sentences.toString(), "--runs", "3", "--warmup", "1", "--memory", "none", "--threads", "1",
                "--report", report.toString(), "--quiet");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = JSON.readTree(report.toFile());
        JsonNode validation = json.get("validation");
        assertThat(validation.get("task").asText()).isEqualTo("sentence-embedding");
        assertThat(validation.get("checked").asBoolean()).isTrue();
        assertThat(validation.get("passed").asBoolean()).isTrue();
        assertThat(json.at("/data/validation/source").asText()).contains("sentences.txt (400 texts)", "held-out 25 %");
        assertThat(json.at("/data/validation/samples").asInt()).isEqualTo(100);
        assertThat(json.at("/data/validation/generated").asBoolean()).isFalse();
        assertThat(json.at("/data/calibration/source").asText()).contains("sentences.txt", "calibration 75 %");
        assertThat(json.at("/steps/0/details/calibrationSamples").asInt()).isEqualTo(32);
        assertThat(json.at("/steps/0/details/smoothing").asText()).startsWith("alpha 0.7");
        assertThat(json.at("/inputShapes/input_ids/1").asInt()).as("a typical sentence, not 1 or 128").isBetween(8, 40);

        double reportedCosine = validation.at("/taskMetrics/embedding-cosine").asDouble();
        double reportedOverlap = validation.at("/taskMetrics/overlap@10").asDouble();
        Independent independent = Independent.measure(model, output, heldOut(), tokenizer);
        assertThat(reportedCosine).isCloseTo(independent.cosineMean(), within(0.001));
        assertThat(reportedOverlap).isCloseTo(independent.overlap(), within(0.01));
        // Floors just under the figures the README states (0.9982, 0.951, per-sentence minimum 0.9971).
        assertThat(independent.cosineMean()).isGreaterThan(0.997);
        assertThat(independent.cosineMin()).isGreaterThan(0.995);
        assertThat(independent.overlap()).isGreaterThan(0.93);
    }

    @Test
    void withoutDataNoDimensionIsOneSmoothQuantIsOffAndTheReportSaysGenerated() throws Exception {
        Path output = folder.resolve("nodata.int8.onnx");
        Path report = folder.resolve("nodata.json");
        CommandRun run = CommandRun.of("optimize", model.toString(), "-o", output.toString(), "--quantize", "int8",
                "--runs", "3", "--warmup", "1", "--memory", "none", "--report", report.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("lathe: note: no --data given", "sequence_length=128 (sequence)");
        JsonNode json = JSON.readTree(report.toFile());
        assertThat(json.at("/inputShapes/input_ids").toString()).isEqualTo("[1,128]");
        assertThat(json.at("/data/validation/generated").asBoolean()).isTrue();
        assertThat(json.at("/data/validation/source").asText()).startsWith("generated");
        assertThat(json.at("/data/calibration").isNull()).isTrue();
        assertThat(json.at("/steps/0/details/smoothing").asText()).startsWith("off: no calibration data");
        assertThat(run.out()).contains("GENERATED inputs, not real data");

        Independent independent = Independent.measure(model, output, heldOut(), tokenizer);
        assertThat(independent.cosineMean()).as("no worse than ONNX Runtime's quantizer (0.9919)").isGreaterThan(0.992);
        assertThat(independent.overlap()).isGreaterThan(0.88);
    }

    private static List<String> heldOut() {
        List<String> all = EnglishSentences.all();
        List<String> held = new ArrayList<>();
        for (int i = 3; i < all.size(); i += 4) {
            held.add(all.get(i));
        }
        return held;
    }

    /** Mean-pooled, L2-normalised embeddings compared sentence by sentence, computed without Lathe's code. */
    private record Independent(double cosineMean, double cosineMin, double overlap) {
        static Independent measure(Path reference, Path candidate, List<String> texts, Path tokenizerFile) throws Exception {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            List<float[]> a = new ArrayList<>();
            List<float[]> b = new ArrayList<>();
            try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile,
                    Map.of("padding", "false", "truncation", "true", "maxLength", "128"));
                    OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                try (OrtSession first = env.createSession(reference.toString(), options);
                        OrtSession second = env.createSession(candidate.toString(), options)) {
                    for (String text : texts) {
                        Encoding encoding = tokenizer.encode(text);
                        a.add(embed(env, first, encoding));
                        b.add(embed(env, second, encoding));
                    }
                }
            }
            double sum = 0;
            double min = 1;
            double shared = 0;
            for (int i = 0; i < a.size(); i++) {
                double cosine = dot(a.get(i), b.get(i));
                sum += cosine;
                min = Math.min(min, cosine);
                List<Integer> expected = nearest(a, i);
                expected.retainAll(nearest(b, i));
                shared += expected.size() / 10.0;
            }
            return new Independent(sum / a.size(), min, shared / a.size());
        }

        private static List<Integer> nearest(List<float[]> vectors, int query) {
            List<Integer> others = new ArrayList<>();
            for (int j = 0; j < vectors.size(); j++) {
                if (j != query) {
                    others.add(j);
                }
            }
            others.sort((x, y) -> {
                int bySimilarity = Double.compare(dot(vectors.get(query), vectors.get(y)), dot(vectors.get(query), vectors.get(x)));
                return bySimilarity != 0 ? bySimilarity : Integer.compare(x, y);
            });
            return new ArrayList<>(others.subList(0, 10));
        }

        private static float[] embed(OrtEnvironment env, OrtSession session, Encoding encoding) throws Exception {
            long[] ids = encoding.getIds();
            long[] mask = encoding.getAttentionMask();
            long[] shape = {1, ids.length};
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try (OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                    OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                    OnnxTensor typeTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getTypeIds()), shape)) {
                inputs.put("input_ids", idTensor);
                inputs.put("attention_mask", maskTensor);
                inputs.put("token_type_ids", typeTensor);
                try (OrtSession.Result result = session.run(inputs)) {
                    float[][][] states = (float[][][]) result.get(0).getValue();
                    float[] mean = new float[states[0][0].length];
                    int count = 0;
                    for (int t = 0; t < ids.length; t++) {
                        if (mask[t] != 0) {
                            count++;
                            for (int d = 0; d < mean.length; d++) {
                                mean[d] += states[0][t][d];
                            }
                        }
                    }
                    double norm = 0;
                    for (int d = 0; d < mean.length; d++) {
                        mean[d] /= count;
                        norm += mean[d] * mean[d];
                    }
                    for (int d = 0; d < mean.length; d++) {
                        mean[d] /= (float) Math.sqrt(norm);
                    }
                    return mean;
                }
            }
        }

        private static double dot(float[] x, float[] y) {
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                sum += (double) x[i] * y[i];
            }
            return sum;
        }
    }
}
