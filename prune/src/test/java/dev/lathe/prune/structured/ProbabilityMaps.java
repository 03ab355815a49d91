package dev.lathe.prune.structured;

/** How close two text-detection probability maps are. */
final class ProbabilityMaps {
    private ProbabilityMaps() {
    }

    /**
     * Closeness of two maps.
     *
     * @param meanAbsDifference     mean absolute difference of the probabilities
     * @param intersectionOverUnion IoU of the pixels above the threshold in either map (1 when neither has any)
     */
    record Closeness(double meanAbsDifference, double intersectionOverUnion) {
    }

    /** Compares two maps of the same size, thresholding both at {@code threshold} for the IoU. */
    static Closeness compare(float[] expected, float[] actual, float threshold) {
        double difference = 0;
        long intersection = 0;
        long union = 0;
        for (int i = 0; i < expected.length; i++) {
            difference += Math.abs(expected[i] - actual[i]);
            boolean a = expected[i] > threshold;
            boolean b = actual[i] > threshold;
            intersection += a && b ? 1 : 0;
            union += a || b ? 1 : 0;
        }
        return new Closeness(difference / expected.length, union == 0 ? 1.0 : (double) intersection / union);
    }
}
