package dev.lathe.bench;

import java.util.Optional;

/**
 * One model of the comparison: what it is, whether it could be measured, and what was measured.
 *
 * @param name     the row name, such as {@code fp32}, {@code reference-q} or {@code int8}
 * @param kind     what the model is
 * @param spec     for a Lathe recipe, the quantization pass specification
 * @param problem  why the model has no figures (pass not registered, pass failed); empty when measured
 * @param sizeBytes the model's bytes on disk, external data included (0 when not produced)
 * @param run      latency and embeddings, when measured
 * @param recipe   for a Lathe recipe, the timing and heap of producing the model
 */
public record ModelRow(String name, Kind kind, Optional<String> spec, Optional<String> problem, long sizeBytes,
        Optional<EncoderRuns.Result> run, Optional<LatheRecipe.Measurement> recipe) {

    /** What a row's model is. */
    public enum Kind {
        /** The fp32 original every ratio is taken against. */
        BASELINE,
        /** The twin made by ONNX Runtime's Python quantizer. */
        REFERENCE,
        /** A model Lathe produced. */
        LATHE
    }

    /** A model that was measured. */
    public static ModelRow measured(String name, Kind kind, Optional<String> spec, long sizeBytes, EncoderRuns.Result run,
            Optional<LatheRecipe.Measurement> recipe) {
        return new ModelRow(name, kind, spec, Optional.empty(), sizeBytes, Optional.of(run), recipe);
    }

    /** A Lathe recipe that produced no model, and why. */
    public static ModelRow missing(String name, String spec, String problem) {
        return new ModelRow(name, Kind.LATHE, Optional.of(spec), Optional.of(problem), 0, Optional.empty(), Optional.empty());
    }

    /** The quantization pass's name, for a Lathe recipe. */
    public Optional<String> passName() {
        return spec.map(s -> new LatheRecipe(name, s).passName());
    }
}
