package dev.lathe.core.fusion;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the unfused and the fused model on the same samples and measures, for each fused value, the largest
 * difference relative to the value's largest magnitude. Samples are given; {@link #withPadding} adds one whose
 * attention mask hides the last positions, so that a fused mask is checked even on unpadded data.
 */
final class FusionCheck {
    private FusionCheck() {
    }

    /** The relative error of each value over all samples, by value name. */
    static Map<String, Double> relativeErrors(OnnxModel original, OnnxModel fused, Collection<String> values,
            List<Map<String, TensorData>> samples) throws RuntimeFailureException {
        Map<String, double[]> extremes = new LinkedHashMap<>();
        values.forEach(v -> extremes.put(v, new double[2]));
        try (ModelSession before = ModelSession.open(original.exposing(values), SessionSettings.cpu());
                ModelSession after = ModelSession.open(fused.exposing(values), SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> expected = before.run(sample);
                Map<String, TensorData> actual = after.run(sample);
                for (String value : values) {
                    float[] a = expected.get(value).toFloatArray();
                    float[] b = actual.get(value).toFloatArray();
                    double[] e = extremes.get(value);
                    if (a.length != b.length) {
                        e[1] = Double.POSITIVE_INFINITY;
                        continue;
                    }
                    for (int i = 0; i < a.length; i++) {
                        e[0] = Math.max(e[0], Math.abs(a[i]));
                        e[1] = Math.max(e[1], Double.isNaN(b[i]) != Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY
                                : Math.abs(a[i] - b[i]));
                    }
                }
            }
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        extremes.forEach((value, e) -> errors.put(value, e[1] / Math.max(e[0], 1e-12)));
        return errors;
    }

    /**
     * The samples plus, for each mask input, a copy of the first sample whose mask is 0 over the last quarter of
     * the positions (at least one; none when there is only one position, or the mask is not int32 or int64).
     */
    static List<Map<String, TensorData>> withPadding(List<Map<String, TensorData>> samples, Collection<String> masks) {
        List<Map<String, TensorData>> all = new ArrayList<>(samples);
        if (samples.isEmpty()) {
            return all;
        }
        for (String mask : masks) {
            TensorData values = samples.get(0).get(mask);
            if (values == null || values.shape().length != 2 || values.shape()[1] < 2
                    || values.dataType() != DataType.INT64 && values.dataType() != DataType.INT32) {
                continue;
            }
            long[] shape = values.shape();
            long[] padded = values.toLongArray();
            int length = (int) shape[1];
            int hidden = Math.max(1, length / 4);
            for (int row = 0; row < shape[0]; row++) {
                for (int position = length - hidden; position < length; position++) {
                    padded[row * length + position] = 0;
                }
            }
            Map<String, TensorData> sample = new LinkedHashMap<>(samples.get(0));
            sample.put(mask, values.dataType() == DataType.INT64 ? TensorData.ofLongs(shape, padded)
                    : TensorData.ofInts(shape, Arrays.stream(padded).mapToInt(v -> (int) v).toArray()));
            all.add(sample);
        }
        return all;
    }
}
