package dev.lathe.quantize.auto;

import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassOptionSet;
import dev.lathe.core.pipeline.PassOptionValues;
import dev.lathe.core.pipeline.PassSettingsBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of {@link AutoQuantization} ({@code quantize.auto}). Read them from text options with
 * {@link #from}, or build them: {@code AutoQuantizationSettings.builder().candidates(List.of("int8", "static")).build()}.
 *
 * @param candidates the recipes tried, by the name after {@code quantize.} (their default options)
 * @param runs       timed runs per model when comparing latencies
 */
public record AutoQuantizationSettings(List<String> candidates, int runs) {

    /** The registered pass name. */
    public static final String PASS = "quantize.auto";

    /** The recipes tried by default: dynamic int8, static int8 (QDQ) and int8 weight-only. */
    public static final List<String> DEFAULT_CANDIDATES = List.of("int8", "static", "int8-weights");

    static final PassOption<Set<String>> CANDIDATES = PassOption.list("candidates", Set.copyOf(DEFAULT_CANDIDATES),
            "the quantize.* recipes tried").written("int8+static+int8-weights");
    static final PassOption<Long> RUNS = PassOption.integer("runs", 20, 3, 10_000,
            "timed runs per model when comparing latencies (median)");

    /** The declared options of {@code quantize.auto}. */
    public static final PassOptionSet OPTIONS = PassOptionSet.of(PASS,
            "tries int8, static and int8-weights on the selected provider, keeps those that pass the validation gate "
                    + "on calibration samples and writes the fastest", CANDIDATES, RUNS);

    /**
     * Reads the text options of {@code quantize.auto}.
     *
     * @throws IllegalArgumentException naming the option and what is valid
     */
    public static AutoQuantizationSettings from(Map<String, String> text) {
        PassOptionValues options = OPTIONS.read(text);
        List<String> candidates = DEFAULT_CANDIDATES.stream().filter(options.get(CANDIDATES)::contains).toList();
        List<String> others = options.get(CANDIDATES).stream().filter(c -> !DEFAULT_CANDIDATES.contains(c)).sorted().toList();
        List<String> all = new java.util.ArrayList<>(candidates);
        all.addAll(others);
        return new AutoQuantizationSettings(all, (int) (long) options.get(RUNS));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting as option text; {@link #from} reads it back to equal settings. */
    public Map<String, String> options() {
        return builder().candidates(candidates).runs(runs).options();
    }

    /** Builds {@link AutoQuantizationSettings}; what is not set keeps its default. */
    public static final class Builder extends PassSettingsBuilder<AutoQuantizationSettings, Builder> {
        private Builder() {
        }

        /** The recipes tried (default int8, static, int8-weights). */
        public Builder candidates(List<String> candidates) {
            return set(CANDIDATES, Set.copyOf(candidates));
        }

        /** Timed runs per model (default 20). */
        public Builder runs(int runs) {
            return set(RUNS, (long) runs);
        }

        @Override
        public AutoQuantizationSettings build() {
            return from(options());
        }
    }
}
