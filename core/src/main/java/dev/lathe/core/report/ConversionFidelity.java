package dev.lathe.core.report;

/**
 * How closely a model converted from another framework reproduces the original: both run on the same
 * inputs, and the largest absolute difference of any output element is set against the largest absolute
 * output value.
 *
 * @param from          what the model was converted from, e.g. {@code TensorFlow SavedModel (signature serving_default)}
 * @param samples       input samples compared
 * @param maxAbsError   the largest |original − converted| over all outputs and samples
 * @param outputScale   the largest |original output| over all outputs and samples
 * @param relativeError {@code maxAbsError / outputScale} (the absolute error when the scale is 0)
 * @param worstOutput   the output with the largest error
 */
public record ConversionFidelity(String from, int samples, double maxAbsError, double outputScale, double relativeError,
        String worstOutput) {
    /** The relative error a conversion must stay within: 1e-4 of the output scale. */
    public static final double TOLERANCE = 1e-4;

    /** Whether the relative error is within {@link #TOLERANCE}. */
    public boolean withinTolerance() {
        return relativeError <= TOLERANCE;
    }
}
