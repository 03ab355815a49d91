package dev.lathe.djl.testing;

import dev.lathe.core.LatheException;
import dev.lathe.core.data.DataSplit;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.ProgressListener;
import dev.lathe.core.runtime.FidelityMeter;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.task.Task;
import dev.lathe.core.task.TaskMetrics;
import dev.lathe.djl.text.EnglishSentences;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.djl.text.TextSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in English sentences for all-MiniLM-L6-v2 (its tokenizer.json from the langchain4j artifact on
 * the test class path), split as the pipeline splits data: passes calibrate on the first sentences of the
 * calibration part, and a model is judged on the 100 held-out sentences by the sentence-embedding metrics
 * (mean-pooled embedding cosine, its worst sentence, nearest-neighbour overlap@10). Close it to free the
 * tokenizer.
 */
public final class HeldOutSentences implements AutoCloseable {
    private static final String TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";
    private final TextSamples sentences;
    private final DataSplit split;

    private HeldOutSentences(TextSamples sentences) {
        this.sentences = sentences;
        this.split = DataSplit.of(sentences);
    }

    /** The sentences as MiniLM (or a model with its inputs) takes them. */
    public static HeldOutSentences forMiniLm(OnnxModel model) throws IOException {
        return forModel(model, TOKENIZER);
    }

    /** The sentences tokenized by the tokenizer.json at class path resource {@code tokenizerResource}, for {@code model}. */
    public static HeldOutSentences forModel(OnnxModel model, String tokenizerResource) throws IOException {
        try (InputStream tokenizer = HeldOutSentences.class.getResourceAsStream(tokenizerResource)) {
            if (tokenizer == null) {
                throw new IOException(tokenizerResource + " is not on the test class path");
            }
            return new HeldOutSentences(TextSamples.forModel(EnglishSentences.all(), "built-in English sentences", model,
                    tokenizer, TextSpec.defaults()));
        }
    }

    /** A pass context whose calibration data is the first {@code count} calibration sentences. */
    public PassContext context(int count) {
        return new PassContext(ShapeBinding.none(), Optional.of(split.calibration()), count, Optional.empty(),
                ProgressListener.none());
    }

    /**
     * The sentence-embedding metrics of {@code candidate} against {@code reference} on the held-out sentences,
     * by {@link TaskMetrics}' names.
     */
    public Map<String, Double> judge(OnnxModel reference, OnnxModel candidate) throws LatheException {
        TaskMetrics metrics = TaskMetrics.of(Task.detect(reference));
        try (ModelSession a = ModelSession.open(reference, SessionSettings.cpu());
                ModelSession b = ModelSession.open(candidate, SessionSettings.cpu())) {
            FidelityMeter.compare(a, b, split.validation(), metrics::add);
        }
        return metrics.results();
    }

    /** Frees the tokenizer. */
    @Override
    public void close() {
        sentences.close();
    }
}
