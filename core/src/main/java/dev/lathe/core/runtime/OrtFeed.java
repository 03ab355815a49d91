package dev.lathe.core.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.lathe.core.model.TensorData;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime input tensors made from Lathe tensors, closed together. */
final class OrtFeed implements AutoCloseable {
    private final Map<String, OnnxTensor> tensors;

    private OrtFeed(Map<String, OnnxTensor> tensors) {
        this.tensors = tensors;
    }

    /** Converts all inputs; if one fails, those already made are closed. */
    static OrtFeed of(OrtEnvironment env, Map<String, TensorData> inputs) throws OrtException {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        OrtFeed feed = new OrtFeed(tensors);
        try {
            for (Map.Entry<String, TensorData> input : inputs.entrySet()) {
                tensors.put(input.getKey(), OrtTensors.toOrt(env, input.getValue()));
            }
            return feed;
        } catch (OrtException | RuntimeException e) {
            feed.close();
            throw e;
        }
    }

    Map<String, OnnxTensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    @Override
    public void close() {
        tensors.values().forEach(OnnxTensor::close);
    }
}
