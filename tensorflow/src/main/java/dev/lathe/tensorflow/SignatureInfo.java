package dev.lathe.tensorflow;

import java.util.List;

/**
 * A SavedModel signature: a named function of the graph, from named input tensors to named outputs.
 *
 * @param key        the signature's key (e.g. {@code serving_default})
 * @param methodName TensorFlow's method name (e.g. {@code tensorflow/serving/predict})
 * @param inputs     its inputs, sorted by name
 * @param outputs    its outputs, sorted by name
 */
public record SignatureInfo(String key, String methodName, List<TensorSpec> inputs, List<TensorSpec> outputs) {

    /** Copies the lists. */
    public SignatureInfo {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
