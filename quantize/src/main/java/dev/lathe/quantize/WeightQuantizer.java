package dev.lathe.quantize;

/**
 * Linear 8-bit quantization of float weights, {@code q = round(w / scale) + zeroPoint} clamped to the
 * integer range, in groups along one axis of a row-major matrix (per column, per row, or the whole tensor
 * as one group). Rounding is half to even, as numpy and ONNX Runtime do, so results are reproducible.
 */
public final class WeightQuantizer {
    private static final double[] CLIP_RATIOS = {1.0, 0.98, 0.96, 0.94, 0.92, 0.9, 0.87, 0.84, 0.8, 0.75, 0.7};

    private final boolean signed;
    private final boolean symmetric;
    private final boolean reduceRange;
    private final boolean mseClipping;

    /**
     * @param signed      int8 (true) or uint8 (false) values
     * @param symmetric   zero point fixed (0 for int8, 128 for uint8) and range symmetric around zero
     * @param reduceRange use 7 bits of range (for CPUs whose int8 kernels can saturate)
     * @param mseClipping per group, choose the clipping of the range that minimises squared error instead of
     *                    the plain min/max
     */
    public WeightQuantizer(boolean signed, boolean symmetric, boolean reduceRange, boolean mseClipping) {
        this.signed = signed;
        this.symmetric = symmetric;
        this.reduceRange = reduceRange;
        this.mseClipping = mseClipping;
    }

    /** How groups are laid out in a row-major [rows, cols] matrix. */
    public enum Grouping {
        /** One scale per column (per output channel of a [K, N] MatMul weight). */
        PER_COLUMN,
        /** One scale per row (per embedding of a [vocabulary, dim] table). */
        PER_ROW,
        /** One scale for the whole tensor. */
        PER_TENSOR
    }

    /**
     * Quantized values with their scales and zero points.
     *
     * @param values     one byte per element, same layout as the input (two's complement for int8)
     * @param scales     one per group
     * @param zeroPoints one per group
     */
    public record Quantized(byte[] values, float[] scales, int[] zeroPoints) {
    }

    /** Quantizes a row-major [rows, cols] matrix. */
    public Quantized quantize(float[] weights, int rows, int cols, Grouping grouping) {
        int groups = switch (grouping) {
            case PER_COLUMN -> cols;
            case PER_ROW -> rows;
            case PER_TENSOR -> 1;
        };
        int groupSize = weights.length / groups;
        byte[] values = new byte[weights.length];
        float[] scales = new float[groups];
        int[] zeroPoints = new int[groups];
        float[] group = new float[groupSize];
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < groupSize; i++) {
                group[i] = weights[index(grouping, g, i, cols)];
            }
            float[] scaleAndZero = chooseRange(group);
            scales[g] = scaleAndZero[0];
            zeroPoints[g] = (int) scaleAndZero[1];
            for (int i = 0; i < groupSize; i++) {
                values[index(grouping, g, i, cols)] = (byte) quantize(group[i], scales[g], zeroPoints[g]);
            }
        }
        return new Quantized(values, scales, zeroPoints);
    }

    /** The float a quantized value stands for. */
    public static float dequantize(int value, float scale, int zeroPoint) {
        return (value - zeroPoint) * scale;
    }

    private static int index(Grouping grouping, int group, int i, int cols) {
        return switch (grouping) {
            case PER_COLUMN -> i * cols + group;
            case PER_ROW -> group * cols + i;
            case PER_TENSOR -> i;
        };
    }

    private int qmin() {
        if (signed) {
            return symmetric ? -qmaxSigned() : (reduceRange ? -64 : -128);
        }
        return 0;
    }

    private int qmax() {
        return signed ? qmaxSigned() : (reduceRange ? 127 : 255);
    }

    private int qmaxSigned() {
        return signedMax(reduceRange);
    }

    /** The largest magnitude of a symmetric signed weight: 127, or 63 with reduced range. */
    public static int signedMax(boolean reduceRange) {
        return reduceRange ? 63 : 127;
    }

    /** {scale, zeroPoint} for one group, the best of several clippings when MSE clipping is on. */
    private float[] chooseRange(float[] group) {
        float min = 0;
        float max = 0;
        for (float v : group) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] best = range(min, max, 1.0);
        if (!mseClipping) {
            return best;
        }
        double bestError = error(group, best);
        for (int c = 1; c < CLIP_RATIOS.length; c++) {
            float[] candidate = range(min, max, CLIP_RATIOS[c]);
            double candidateError = error(group, candidate);
            if (candidateError < bestError) {
                best = candidate;
                bestError = candidateError;
            }
        }
        return best;
    }

    private float[] range(float min, float max, double clip) {
        double lo = min * clip;
        double hi = max * clip;
        if (symmetric) {
            double amax = Math.max(-lo, hi);
            int zero = signed ? 0 : (qmax() + 1) / 2;
            int half = signed ? qmax() : qmax() - zero;
            return new float[] {amax == 0 ? 1f : (float) (amax / half), zero};
        }
        double scale = (hi - lo) / (qmax() - qmin());
        if (scale == 0) {
            return new float[] {1f, signed ? 0 : qmin()};
        }
        long zero = Math.round(qmin() - lo / scale);
        return new float[] {(float) scale, Math.max(qmin(), Math.min(qmax(), zero))};
    }

    private double error(float[] group, float[] scaleAndZero) {
        double sum = 0;
        for (float v : group) {
            double d = v - dequantize(quantize(v, scaleAndZero[0], (int) scaleAndZero[1]), scaleAndZero[0], (int) scaleAndZero[1]);
            sum += d * d;
        }
        return sum;
    }

    private int quantize(float value, float scale, int zeroPoint) {
        long q = (long) Math.rint(value / scale) + zeroPoint;
        return (int) Math.max(qmin(), Math.min(qmax(), q));
    }
}
