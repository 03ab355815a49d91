package dev.lathe.quantize.qdq;

import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import dev.lathe.quantize.qdq.StaticInt8Settings.ActivationType;

/**
 * The scale and zero point of one quantized activation: {@code x ≈ (q − zeroPoint) · scale}, with the range
 * widened to hold 0 exactly (padding and ReLU need a zero that quantizes without error).
 *
 * @param scale     the step between two quantized values
 * @param zeroPoint the quantized value of 0
 * @param type      UINT8 or INT8
 */
record QuantParams(float scale, int zeroPoint, DataType type) {

    /**
     * Parameters covering {@code [low, high]} (widened to hold 0) in the given element type; symmetric int8
     * covers {@code [-m, m]} with {@code m} the larger magnitude, zero point 0.
     */
    static QuantParams covering(double low, double high, ActivationType activationType) {
        double lo = Math.min(low, 0);
        double hi = Math.max(high, 0);
        if (activationType == ActivationType.INT8_SYMMETRIC) {
            double magnitude = Math.max(-lo, hi);
            return new QuantParams(magnitude > 0 ? (float) (magnitude / 127) : 1f, 0, DataType.INT8);
        }
        int qmin = activationType == ActivationType.UINT8 ? 0 : -128;
        int qmax = activationType == ActivationType.UINT8 ? 255 : 127;
        DataType type = activationType == ActivationType.UINT8 ? DataType.UINT8 : DataType.INT8;
        double scale = (hi - lo) / (qmax - qmin);
        if (!(scale > 0) || Float.isInfinite((float) scale)) {
            return new QuantParams(1f, 0, type);
        }
        long zero = Math.round(qmin - lo / scale);
        return new QuantParams((float) scale, (int) Math.max(qmin, Math.min(qmax, zero)), type);
    }

    /** The scale as a scalar initializer. */
    TensorData scaleTensor() {
        return TensorData.ofFloats(new long[0], scale);
    }

    /** The zero point as a scalar initializer of the element type. */
    TensorData zeroPointTensor() {
        return TensorData.ofSmallValues(type, new long[0], zeroPoint);
    }
}
