package dev.lathe.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The targets of the quantization issue (issue 5, "Targets"), and the figures it measured for the
 * reference twin, so that a run shows next to its own figures what they should be.
 */
public final class Targets {
    /** Heap a recipe may use, in multiples of the fp32 model's size. */
    public static final double HEAP_MODEL_SIZES = 3.0;
    /** Milliseconds load + quantize + save of MiniLM may take in a warm JVM. */
    public static final double RECIPE_MILLIS = 1500;

    private Targets() {
    }

    /** What a figure measures. */
    public enum Metric {
        /** Model file bytes (external data included) over fp32's. */
        SIZE_RATIO("size ratio"),
        /** Median latency over fp32's. */
        LATENCY_RATIO("latency ratio"),
        /** Mean cosine between a sentence's embedding and its fp32 embedding. */
        MEAN_COSINE("mean cosine"),
        /** Nearest-neighbour overlap at 10 with fp32. */
        OVERLAP_AT_10("overlap@10"),
        /** Milliseconds of load + cleanup + quantize + save in a warm JVM. */
        RECIPE_MILLIS("load+quantize+save ms"),
        /** Peak heap during a recipe run over the fp32 model's size. */
        PEAK_HEAP("peak heap / model size");

        private final String label;

        Metric(String label) {
            this.label = label;
        }

        /** The name the report prints. */
        public String label() {
            return label;
        }
    }

    /** How a figure compares with its target. */
    public enum Verdict {
        /** Meets the target. */
        PASS,
        /** Misses the target. */
        FAIL,
        /** The measurement brackets the target (peak heap: live data below it, uncollected garbage above it). */
        UNSURE
    }

    /**
     * One target.
     *
     * @param metric the figure
     * @param atMost whether the figure must stay at or below the limit (otherwise at or above)
     * @param limit  the limit
     */
    public record Target(Metric metric, boolean atMost, double limit) {

        /** The verdict on one measured value. */
        public Verdict judge(double value) {
            return judge(value, value);
        }

        /**
         * The verdict on a value known only between two bounds: pass if the whole range meets the target, fail
         * if none of it does, unsure otherwise.
         */
        public Verdict judge(double lowest, double highest) {
            double worst = atMost ? highest : lowest;
            double best = atMost ? lowest : highest;
            if (meets(worst)) {
                return Verdict.PASS;
            }
            return meets(best) ? Verdict.UNSURE : Verdict.FAIL;
        }

        private boolean meets(double value) {
            return atMost ? value <= limit : value >= limit;
        }

        /** The target as the report prints it, such as {@code ≤ 0.26}. */
        public String describe() {
            return (atMost ? "<= " : ">= ") + format(limit);
        }

        private static String format(double value) {
            return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%s", value);
        }
    }

    /** The label of the default recipe that runs {@code quantize.int8} without calibration data. */
    public static final String INT8_WITHOUT_DATA = "int8-nodata";

    /**
     * The targets of a recipe row: those of issue 9 for {@value #INT8_WITHOUT_DATA} (no data given: mean cosine
     * at least 0.99 on real sentences, the reference quantizer's level), else those of its pass.
     */
    public static List<Target> forRecipe(String label, String passName) {
        if (label.equals(INT8_WITHOUT_DATA)) {
            return List.of(new Target(Metric.MEAN_COSINE, false, 0.99));
        }
        return forPass(passName);
    }

    /** The targets for a Lathe recipe using this quantization pass (the tool's own targets included). */
    public static List<Target> forPass(String passName) {
        List<Target> tool = List.of(new Target(Metric.RECIPE_MILLIS, true, RECIPE_MILLIS),
                new Target(Metric.PEAK_HEAP, true, HEAP_MODEL_SIZES));
        return switch (passName) {
            case "quantize.int8" -> concat(List.of(new Target(Metric.SIZE_RATIO, true, 0.26),
                    new Target(Metric.LATENCY_RATIO, true, 0.50), new Target(Metric.MEAN_COSINE, false, 0.998),
                    new Target(Metric.OVERLAP_AT_10, false, 0.95)), tool);
            case "quantize.int4" -> concat(List.of(new Target(Metric.SIZE_RATIO, true, 0.20),
                    new Target(Metric.MEAN_COSINE, false, 0.99)), tool);
            default -> tool;
        };
    }

    /**
     * What the issue measured for the reference twin ({@code all-minilm-l6-v2-q}) against fp32: one AVX2 core,
     * batch 1, 400 sentences, ONNX Runtime Java 1.29.
     */
    public static Map<Metric, Double> referenceFigures() {
        return Map.of(Metric.SIZE_RATIO, 0.254, Metric.LATENCY_RATIO, 0.586, Metric.MEAN_COSINE, 0.990,
                Metric.OVERLAP_AT_10, 0.861);
    }

    private static List<Target> concat(List<Target> first, List<Target> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }
}
