package dev.lathe.bench;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput of sentence encoders on full batches: {@code batch} rows of {@code length} real tokens each (the
 * held-out sentences' token ids one after another, every row starting at a new sentence, no padding), on the CPU
 * with {@code threads} intra-op threads. The models take turns in rounds (the order rotating each round); in a
 * round each runs one untimed batch and then {@code runs} timed ones, and a model's time per batch is the median
 * over rounds of each round's median, so a busy moment of the machine hits every model alike.
 */
public final class BatchThroughput {
    private BatchThroughput() {
    }

    /**
     * What one model gave.
     *
     * @param medianMillis       the median time of one batch, in milliseconds
     * @param sequencesPerSecond rows per second at that median
     */
    public record Result(double medianMillis, double sequencesPerSecond) {
    }

    /**
     * Measures models on one batch made from {@code sentences}.
     *
     * @throws IllegalArgumentException if the sizes are not positive or the sentences are too few to fill the batch
     * @throws LatheException           if a model cannot be loaded or run
     */
    public static Map<String, Result> measure(Map<String, Path> models, List<TokenizedSentence> sentences, int batch,
            int length, int threads, int rounds, int runs, PrintStream log) throws LatheException {
        if (batch < 1 || length < 2 || threads < 1 || rounds < 1 || runs < 1) {
            throw new IllegalArgumentException("batch, length, threads, rounds and runs must be positive (length >= 2), got "
                    + batch + ", " + length + ", " + threads + ", " + rounds + ", " + runs);
        }
        TokenizedSentence rows = rows(sentences, batch, length);
        SessionSettings settings = SessionSettings.of(new ProviderConfig.Cpu(true, threads, 1, Map.of()));
        List<String> names = new ArrayList<>(models.keySet());
        List<ModelSession> sessions = new ArrayList<>();
        try {
            List<Map<String, TensorData>> feeds = new ArrayList<>();
            for (String name : names) {
                ModelSession session = ModelSession.open(OnnxModel.load(models.get(name)), settings);
                sessions.add(session);
                feeds.add(rows.inputs(session.inputNames(), batch));
            }
            double[][] roundMedians = new double[names.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                log.printf("  batch %d×%d, %d threads: round %d/%d%n", batch, length, threads, r + 1, rounds);
                for (int turn = 0; turn < names.size(); turn++) {
                    int m = (turn + r) % names.size();
                    sessions.get(m).run(feeds.get(m));
                    double[] millis = new double[runs];
                    for (int i = 0; i < runs; i++) {
                        long start = System.nanoTime();
                        sessions.get(m).run(feeds.get(m));
                        millis[i] = (System.nanoTime() - start) / 1e6;
                    }
                    roundMedians[m][r] = EncoderRuns.median(millis);
                }
            }
            Map<String, Result> results = new LinkedHashMap<>();
            for (int m = 0; m < names.size(); m++) {
                double median = EncoderRuns.median(roundMedians[m]);
                results.put(names.get(m), new Result(median, batch * 1000.0 / median));
            }
            return results;
        } finally {
            sessions.forEach(ModelSession::close);
        }
    }

    /** {@code batch} rows of {@code length} tokens, flattened: sentences one after another, a row starting at a sentence. */
    private static TokenizedSentence rows(List<TokenizedSentence> sentences, int batch, int length) {
        long[] ids = new long[batch * length];
        int next = 0;
        for (int row = 0; row < batch; row++) {
            int filled = 0;
            while (filled < length) {
                if (next >= sentences.size()) {
                    throw new IllegalArgumentException(sentences.size() + " sentences cannot fill a batch of " + batch
                            + " rows of " + length + " tokens");
                }
                long[] sentence = sentences.get(next++).ids();
                int take = Math.min(sentence.length, length - filled);
                System.arraycopy(sentence, 0, ids, row * length + filled, take);
                filled += take;
            }
        }
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        return new TokenizedSentence(ids, ones, new long[ids.length]);
    }
}
