package dev.lathe.bench;

import dev.lathe.core.model.TensorData;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sentence as a BERT-style encoder takes it: token ids, attention mask and token type ids, all of
 * the same length (special tokens included, no padding).
 *
 * @param ids           token ids, starting with {@code [CLS]} and ending with {@code [SEP]}
 * @param attentionMask 1 for every real token
 * @param typeIds       segment ids (all 0 for a single sentence)
 */
public record TokenizedSentence(long[] ids, long[] attentionMask, long[] typeIds) {
    /** Input name of the token ids. */
    public static final String INPUT_IDS = "input_ids";
    /** Input name of the attention mask. */
    public static final String ATTENTION_MASK = "attention_mask";
    /** Input name of the token type ids. */
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    /** Copies the arrays and checks that their lengths agree. */
    public TokenizedSentence {
        if (attentionMask.length != ids.length || typeIds.length != ids.length) {
            throw new IllegalArgumentException("ids, attention mask and type ids differ in length: " + ids.length
                    + ", " + attentionMask.length + ", " + typeIds.length);
        }
        ids = ids.clone();
        attentionMask = attentionMask.clone();
        typeIds = typeIds.clone();
    }

    /** The number of tokens. */
    public int length() {
        return ids.length;
    }

    /**
     * The model inputs for a batch of one: int64 tensors of shape {@code [1, length]}, keeping only the
     * inputs the model declares.
     *
     * @param modelInputs the names of the model's inputs
     * @throws IllegalArgumentException if the model has an input this sentence cannot provide
     */
    public Map<String, TensorData> inputs(List<String> modelInputs) {
        return inputs(modelInputs, 1);
    }

    /**
     * The model inputs with these tokens laid out as {@code rows} rows of equal length: int64 tensors of shape
     * {@code [rows, length / rows]}, keeping only the inputs the model declares.
     *
     * @param modelInputs the names of the model's inputs
     * @param rows        the batch size; must divide the token count
     * @throws IllegalArgumentException if the model has an input these tokens cannot provide, or {@code rows} does
     *                                  not divide the token count
     */
    public Map<String, TensorData> inputs(List<String> modelInputs, int rows) {
        if (rows < 1 || ids.length % rows != 0) {
            throw new IllegalArgumentException(ids.length + " tokens cannot be laid out as " + rows + " rows of equal length");
        }
        long[] shape = {rows, ids.length / rows};
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        for (String name : modelInputs) {
            long[] values = switch (name) {
                case INPUT_IDS -> ids;
                case ATTENTION_MASK -> attentionMask;
                case TOKEN_TYPE_IDS -> typeIds;
                default -> throw new IllegalArgumentException("model input '" + name + "' is not one of "
                        + INPUT_IDS + ", " + ATTENTION_MASK + ", " + TOKEN_TYPE_IDS);
            };
            inputs.put(name, TensorData.ofLongs(shape, values));
        }
        return inputs;
    }

    /** The ids, mask and type ids of two sentences are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TokenizedSentence that && Arrays.equals(ids, that.ids)
                && Arrays.equals(attentionMask, that.attentionMask) && Arrays.equals(typeIds, that.typeIds);
    }

    /** A hash of the ids, mask and type ids. */
    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask))
                + Arrays.hashCode(typeIds);
    }

    /** The token ids, for messages. */
    @Override
    public String toString() {
        return "TokenizedSentence" + Arrays.toString(ids);
    }
}
