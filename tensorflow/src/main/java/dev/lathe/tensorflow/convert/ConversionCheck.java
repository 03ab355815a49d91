package dev.lathe.tensorflow.convert;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.report.ConversionFidelity;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.tensorflow.SavedModel;
import dev.lathe.tensorflow.SignatureInfo;
import dev.lathe.tensorflow.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Checks a converted model against TensorFlow: both run on the same inputs (TensorFlow Java and ONNX
 * Runtime on the CPU), and the largest absolute difference of any output element is set against the
 * largest absolute output value ({@link ConversionFidelity}).
 */
public final class ConversionCheck {
    private ConversionCheck() {
    }

    /**
     * Runs both models on every sample (inputs by the signature's names) and compares their outputs.
     *
     * @throws IllegalArgumentException if there are no samples
     * @throws InvalidModelException    if an output is missing or has another shape in ONNX Runtime (a
     *                                  conversion defect)
     * @throws LatheException           if either runtime fails
     */
    public static ConversionFidelity measure(SavedModel model, SignatureInfo signature, OnnxModel converted,
            List<Map<String, TensorData>> samples) throws LatheException {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("measuring a conversion needs at least one input sample");
        }
        double maxError = 0;
        double scale = 0;
        String worst = signature.outputs().get(0).name();
        try (ModelSession session = ModelSession.open(converted, SessionSettings.cpu())) {
            for (Map<String, TensorData> sample : samples) {
                Map<String, TensorData> expected = model.run(signature, sample);
                Map<String, TensorData> actual = session.run(sample);
                for (TensorSpec output : signature.outputs()) {
                    TensorData want = expected.get(output.name());
                    TensorData got = actual.get(output.name());
                    if (got == null || !java.util.Arrays.equals(want.shape(), got.shape())) {
                        throw new InvalidModelException(model.directory() + ": output '" + output.name()
                                + "' of signature " + signature.key() + " has shape "
                                + (got == null ? "(missing)" : java.util.Arrays.toString(got.shape()))
                                + " in the converted model and " + java.util.Arrays.toString(want.shape())
                                + " in TensorFlow");
                    }
                    double[] a = want.toDoubleArray();
                    double[] b = got.toDoubleArray();
                    for (int i = 0; i < a.length; i++) {
                        scale = Double.isFinite(a[i]) ? Math.max(scale, Math.abs(a[i])) : scale;
                        // Equal non-finite values (both NaN, or the same infinity) agree.
                        double error = Double.compare(a[i], b[i]) == 0 ? 0 : Math.abs(a[i] - b[i]);
                        if (error > maxError || Double.isNaN(error)) {
                            maxError = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
                            worst = output.name();
                        }
                    }
                }
            }
        }
        return new ConversionFidelity("TensorFlow SavedModel (signature " + signature.key() + ")", samples.size(), maxError,
                scale, scale > 0 ? maxError / scale : maxError, worst);
    }
}
