package dev.lathe.djl.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.djl.text.TextFiles.TextPair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Text turned into encoder inputs with DJL's HuggingFace tokenizers (the Rust {@code tokenizers} library,
 * whose Linux x86-64 native code ships in DJL's jar and works offline), read from a model's
 * {@code tokenizer.json}. The texts are held in memory (they are small); each sample is tokenized only
 * when it is reached, so tensors for many thousands of texts never sit in memory at once.
 *
 * <p>The model's inputs are matched by name: token ids ({@code input_ids}, {@code ids}, {@code input}),
 * attention mask ({@code attention_mask}, {@code mask}, {@code input_mask}), segment ids
 * ({@code token_type_ids}, {@code segment_ids}, {@code type_ids}) and {@code position_ids}; each gets the
 * integer type the model declares, shape {@code [batch, tokens]}. Close the samples to free the native
 * tokenizer.
 */
public final class TextSamples implements SampleSource, AutoCloseable {
    private static final Set<String> IDS = Set.of("input_ids", "ids", "input", "inputs");
    private static final Set<String> MASK = Set.of("attention_mask", "mask", "input_mask");
    private static final Set<String> TYPES = Set.of("token_type_ids", "segment_ids", "type_ids");
    private static final Set<String> POSITIONS = Set.of("position_ids");

    private final List<TextPair> texts;
    private final String description;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Feed> inputs;
    private final TextSpec spec;

    private enum Field { IDS, MASK, TYPES, POSITIONS }

    /** What feeds one model input, and whether the model wants it as int32 rather than int64. */
    private record Feed(Field field, boolean int32) {
    }

    private TextSamples(List<TextPair> texts, String description, HuggingFaceTokenizer tokenizer, Map<String, Feed> inputs,
            TextSpec spec) {
        this.texts = texts;
        this.description = description;
        this.tokenizer = tokenizer;
        this.inputs = inputs;
        this.spec = spec;
    }

    /**
     * Samples from a {@code .txt} (one text a line) or {@code .jsonl} file ({@code text}, optional
     * {@code text_pair}) for a model.
     *
     * @param tokenizer a {@code tokenizer.json} file or the folder holding it
     * @throws IllegalArgumentException if the file or tokenizer is missing or unreadable, or the model has an
     *                                  input text cannot provide (the message names it)
     */
    public static TextSamples forModel(Path textFile, OnnxModel model, Path tokenizer, TextSpec spec) throws IOException {
        Map<String, Feed> inputs = match(model);
        List<TextPair> texts = TextFiles.read(textFile);
        return new TextSamples(texts, textFile + " (" + texts.size() + " texts)", open(tokenizer, spec), inputs, spec);
    }

    /**
     * Samples from texts given in code, with the tokenizer read from a stream.
     *
     * @param description where the texts come from, for reports
     * @throws IllegalArgumentException if there are no texts or the model has an input text cannot provide
     */
    public static TextSamples forModel(List<String> texts, String description, OnnxModel model, InputStream tokenizerJson,
            TextSpec spec) throws IOException {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(description + ": no texts");
        }
        Map<String, Feed> inputs = match(model);
        return new TextSamples(texts.stream().map(text -> new TextPair(text, null)).toList(), description,
                HuggingFaceTokenizer.newInstance(tokenizerJson, options(spec)), inputs, spec);
    }

    /** Whether a file is text data this class reads ({@code .txt} or {@code .jsonl}). */
    public static boolean isTextFile(Path file) {
        return TextFiles.isTextFile(file);
    }

    private static HuggingFaceTokenizer open(Path tokenizer, TextSpec spec) throws IOException {
        Path file = Files.isDirectory(tokenizer) ? tokenizer.resolve("tokenizer.json") : tokenizer;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no tokenizer.json here; pass the tokenizer.json of the model "
                    + "(or the folder holding it)");
        }
        try {
            return HuggingFaceTokenizer.newInstance(file, options(spec));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a HuggingFace tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** Special tokens, truncation at the spec's length, padding to the longest text of a batch only. */
    private static Map<String, String> options(TextSpec spec) {
        return Map.of("addSpecialTokens", "true", "truncation", "true", "maxLength", Integer.toString(spec.maxLength()),
                "padding", "true");
    }

    private static Map<String, Feed> match(OnnxModel model) {
        Map<String, Feed> matched = new LinkedHashMap<>();
        List<String> unmatched = new ArrayList<>();
        for (ValueInfoProto input : model.graph().inputs()) {
            String name = input.getName();
            String key = name.toLowerCase(Locale.ROOT);
            Field field = IDS.contains(key) ? Field.IDS : MASK.contains(key) ? Field.MASK : TYPES.contains(key) ? Field.TYPES
                    : POSITIONS.contains(key) ? Field.POSITIONS : null;
            int type = input.getType().getTensorType().getElemType();
            boolean integer = type == DataType.INT64.code() || type == DataType.INT32.code();
            if (field == null || !integer) {
                unmatched.add(name + (integer ? "" : " (not an int32/int64 tensor)"));
            } else {
                matched.put(name, new Feed(field, type == DataType.INT32.code()));
            }
        }
        boolean ids = matched.values().stream().anyMatch(feed -> feed.field() == Field.IDS);
        if (!unmatched.isEmpty() || !ids) {
            throw new IllegalArgumentException(model.source() + ": text cannot feed the model's inputs " + unmatched
                    + (ids ? "" : " (no token-id input)") + "; text data feeds int64/int32 "
                    + "inputs named input_ids, attention_mask, token_type_ids or position_ids (and common variants)");
        }
        return matched;
    }

    /** Tokenizes texts one batch at a time, as the iteration reaches them. */
    @Override
    public Iterator<Map<String, TensorData>> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < texts.size();
            }

            @Override
            public Map<String, TensorData> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<TextPair> batch = texts.subList(next, Math.min(next + spec.batch(), texts.size()));
                next += batch.size();
                return encode(batch);
            }
        };
    }

    private Map<String, TensorData> encode(List<TextPair> batch) {
        Encoding[] encodings;
        if (batch.size() == 1) {
            TextPair only = batch.get(0);
            encodings = new Encoding[] {only.pair() == null ? tokenizer.encode(only.text())
                    : tokenizer.encode(only.text(), only.pair())};
        } else if (batch.stream().allMatch(text -> text.pair() == null)) {
            encodings = tokenizer.batchEncode(batch.stream().map(TextPair::text).toList());
        } else {
            PairList<String, String> pairs = new PairList<>();
            batch.forEach(text -> pairs.add(text.text(), text.pair() == null ? "" : text.pair()));
            encodings = tokenizer.batchEncode(pairs);
        }
        int tokens = encodings[0].getIds().length;
        long[] shape = {encodings.length, tokens};
        Map<String, TensorData> sample = new LinkedHashMap<>();
        for (Map.Entry<String, Feed> input : inputs.entrySet()) {
            long[] values = new long[encodings.length * tokens];
            for (int row = 0; row < encodings.length; row++) {
                long[] rowValues = switch (input.getValue().field()) {
                    case IDS -> encodings[row].getIds();
                    case MASK -> encodings[row].getAttentionMask();
                    case TYPES -> encodings[row].getTypeIds();
                    case POSITIONS -> positions(tokens);
                };
                System.arraycopy(rowValues, 0, values, row * tokens, tokens);
            }
            sample.put(input.getKey(), input.getValue().int32()
                    ? TensorData.ofInts(shape, Arrays.stream(values).mapToInt(v -> (int) v).toArray())
                    : TensorData.ofLongs(shape, values));
        }
        return sample;
    }

    private static long[] positions(int tokens) {
        long[] positions = new long[tokens];
        for (int i = 0; i < tokens; i++) {
            positions[i] = i;
        }
        return positions;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public OptionalLong sizeHint() {
        return OptionalLong.of((texts.size() + spec.batch() - 1) / spec.batch());
    }

    /** Frees the native tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
