package dev.lathe.core.calibration;

/**
 * What a pass asks to know about one value of a model on the calibration samples: per-channel sums, sums
 * of squares and largest magnitudes, and, where asked for, the Gram matrix of the channels (the sum over
 * all positions of the outer product of the channel vector with itself; on the last axis of a MatMul input
 * that is GPTQ's {@code Σ xᵀx}).
 *
 * @param value    the value's name (a main-graph input or a value a main-graph node computes)
 * @param axis     its channel axis, counted from the end (-1: last axis)
 * @param rank     its rank, needed when the axis is not the last one (0 when unknown)
 * @param channels its number of channels
 * @param gram     whether the Gram matrix is needed
 */
public record ChannelRequest(String value, int axis, int rank, int channels, boolean gram) implements java.io.Serializable {

    /** Checks the fields. */
    public ChannelRequest {
        if (channels < 1) {
            throw new IllegalArgumentException("value '" + value + "': channels must be >= 1, got " + channels);
        }
        if (axis >= 0 || axis != -1 && rank + axis < 0) {
            throw new IllegalArgumentException("value '" + value + "': axis must be -1 or a negative axis within rank "
                    + rank + ", got " + axis);
        }
    }

    /** The channels on the last axis, without a Gram matrix. */
    public static ChannelRequest lastAxis(String value, int channels) {
        return new ChannelRequest(value, -1, 0, channels, false);
    }
}
