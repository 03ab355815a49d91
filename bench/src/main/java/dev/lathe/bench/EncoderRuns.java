package dev.lathe.bench;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Embeddings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs sentence encoders the way the quantization targets are stated: ONNX Runtime on the CPU with one
 * intra-op and one inter-op thread and all graph optimizations, batch 1, one sentence at a time. A
 * first, untimed pass over all sentences warms the sessions up and yields the embeddings (mean pooling
 * of {@code last_hidden_state} over the attention mask, L2-normalised). Then each timed pass runs every
 * model over all sentences in chunks of {@value #CHUNK} sentences: the models take turns chunk by chunk, in
 * an order that rotates from chunk to chunk and pass to pass, so that slow phases of a noisy machine hit
 * every model alike; before its chunk, a model runs the chunk's first sentence once untimed, so that no
 * timed run pays for the previous model's use of the caches. A sentence's latency is the median of its
 * timed runs; a model's latency is the median over sentences.
 *
 * <p>A run is timed around {@link ModelSession#run}, which also builds the three small input tensors and
 * copies the output off ONNX Runtime: a few microseconds on runs of milliseconds, the same for every
 * model.
 */
public final class EncoderRuns {
    /** The encoder output that is pooled. */
    public static final String HIDDEN_STATE = "last_hidden_state";
    /** Sentences a model runs before the next model takes its turn. */
    public static final int CHUNK = 10;

    private EncoderRuns() {
    }

    /** The session settings of every run: CPU, arena on, one intra-op and one inter-op thread, all optimizations. */
    public static SessionSettings settings() {
        return SessionSettings.of(new ProviderConfig.Cpu(true, 1, 1, Map.of()));
    }

    /**
     * What one model gave.
     *
     * @param embeddings      one unit-length embedding per sentence, in order
     * @param medianMillis    the median over sentences of each sentence's median timed run, in milliseconds
     * @param sessionInitMillis how long ONNX Runtime took to create the session
     */
    public record Result(List<float[]> embeddings, double medianMillis, double sessionInitMillis) {
    }

    /**
     * Measures models on sentences.
     *
     * @param models    model files by name, in report order
     * @param sentences the tokenized sentences
     * @param passes    timed passes over all sentences (at least 1)
     * @param log       where progress lines go
     * @return results by model name, in the given order
     * @throws LatheException if a model cannot be loaded or run
     */
    public static Map<String, Result> measure(Map<String, Path> models, List<TokenizedSentence> sentences, int passes,
            PrintStream log) throws LatheException {
        if (passes < 1) {
            throw new IllegalArgumentException("timed passes must be >= 1, got " + passes);
        }
        List<String> names = new ArrayList<>(models.keySet());
        List<ModelSession> sessions = new ArrayList<>();
        try {
            List<List<Map<String, TensorData>>> feeds = new ArrayList<>();
            for (String name : names) {
                ModelSession session = ModelSession.open(OnnxModel.load(models.get(name)), settings());
                sessions.add(session);
                List<String> inputs = session.inputNames();
                feeds.add(sentences.stream().map(s -> s.inputs(inputs)).toList());
                if (!session.outputNames().contains(HIDDEN_STATE)) {
                    throw new IllegalArgumentException(name + ": the model has no output '" + HIDDEN_STATE + "' (outputs: "
                            + session.outputNames() + ")");
                }
            }
            List<List<float[]>> embeddings = new ArrayList<>();
            for (int m = 0; m < names.size(); m++) {
                log.printf("  warm-up and embeddings: %s%n", names.get(m));
                List<float[]> vectors = new ArrayList<>(sentences.size());
                for (int s = 0; s < sentences.size(); s++) {
                    TensorData hidden = sessions.get(m).run(feeds.get(m).get(s)).get(HIDDEN_STATE);
                    vectors.add(Embeddings.sentenceEmbedding(hidden.toFloatArray(), hidden.shape(),
                            sentences.get(s).attentionMask()));
                }
                embeddings.add(vectors);
            }
            double[][][] millis = new double[names.size()][sentences.size()][passes];
            for (int p = 0; p < passes; p++) {
                log.printf("  timed pass %d/%d%n", p + 1, passes);
                for (int first = 0; first < sentences.size(); first += CHUNK) {
                    int end = Math.min(first + CHUNK, sentences.size());
                    for (int turn = 0; turn < names.size(); turn++) {
                        int m = (turn + p + first / CHUNK) % names.size();
                        sessions.get(m).run(feeds.get(m).get(first));
                        for (int s = first; s < end; s++) {
                            Map<String, TensorData> feed = feeds.get(m).get(s);
                            long start = System.nanoTime();
                            sessions.get(m).run(feed);
                            millis[m][s][p] = (System.nanoTime() - start) / 1e6;
                        }
                    }
                }
            }
            Map<String, Result> results = new LinkedHashMap<>();
            for (int m = 0; m < names.size(); m++) {
                double[] perSentence = new double[sentences.size()];
                for (int s = 0; s < sentences.size(); s++) {
                    perSentence[s] = median(millis[m][s]);
                }
                results.put(names.get(m), new Result(embeddings.get(m), median(perSentence),
                        sessions.get(m).sessionInitMillis()));
            }
            return results;
        } finally {
            sessions.forEach(ModelSession::close);
        }
    }

    /**
     * The median of values (the mean of the two middle ones for an even count).
     *
     * @throws IllegalArgumentException for no values
     */
    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
