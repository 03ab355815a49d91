package dev.lathe.examples;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.djl.serving.ServedModel;
import dev.lathe.djl.serving.ServingOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Serves sentence embeddings through DJL: all-MiniLM-L6-v2 (or the ONNX file given as the first argument,
 * such as one Lathe optimized) loaded as a DJL model by {@link ServedModel}, sentences tokenized with DJL's
 * HuggingFace tokenizer, token vectors mean-pooled over the attention mask, and the cosine similarities of
 * the sentences printed. Runs offline: model and tokenizer come from the class path.
 */
public final class ServeEmbeddings {
    private static final List<String> SENTENCES = List.of(
            "A man is playing a guitar.",
            "Someone plays an acoustic guitar on stage.",
            "The stock market fell sharply today.",
            "Shares dropped as investors panicked.");

    private ServeEmbeddings() {
    }

    /** Prints the cosine similarity of every pair of sentences. Argument: an optional MiniLM-shaped model file. */
    public static void main(String[] args) throws Exception {
        Path model = args.length > 0 ? Path.of(args[0]) : copyResource("/all-minilm-l6-v2.onnx");
        float[][] embeddings = new float[SENTENCES.size()][];
        try (InputStream json = ServeEmbeddings.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
                HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of());
                ServedModel served = ServedModel.load(model, ServingOptions.cpu().withThreads(2, 1));
                Predictor<NDList, NDList> predictor = served.zooModel().newPredictor();
                NDManager manager = served.zooModel().getNDManager().newSubManager()) {
            for (int s = 0; s < SENTENCES.size(); s++) {
                Encoding encoding = tokenizer.encode(SENTENCES.get(s));
                long[] mask = encoding.getAttentionMask();
                Shape shape = new Shape(1, mask.length);
                NDList inputs = new NDList(named(manager.create(encoding.getIds(), shape), "input_ids"),
                        named(manager.create(mask, shape), "attention_mask"),
                        named(manager.create(encoding.getTypeIds(), shape), "token_type_ids"));
                float[] tokens = predictor.predict(inputs).get(0).toFloatArray(); // [1, tokens, hidden]
                embeddings[s] = meanPool(tokens, mask);
            }
        }
        for (int a = 0; a < SENTENCES.size(); a++) {
            for (int b = a + 1; b < SENTENCES.size(); b++) {
                System.out.printf("%.3f  %s | %s%n", cosine(embeddings[a], embeddings[b]), SENTENCES.get(a), SENTENCES.get(b));
            }
        }
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    /** The mean of the token vectors whose mask is 1. */
    private static float[] meanPool(float[] tokens, long[] mask) {
        int hidden = tokens.length / mask.length;
        float[] sum = new float[hidden];
        int count = 0;
        for (int t = 0; t < mask.length; t++) {
            if (mask[t] == 1) {
                count++;
                for (int h = 0; h < hidden; h++) {
                    sum[h] += tokens[t * hidden + h];
                }
            }
        }
        for (int h = 0; h < hidden; h++) {
            sum[h] /= Math.max(count, 1);
        }
        return sum;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }

    private static Path copyResource(String resource) throws Exception {
        Path file = Files.createTempFile("minilm", ".onnx");
        file.toFile().deleteOnExit();
        try (InputStream in = ServeEmbeddings.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
