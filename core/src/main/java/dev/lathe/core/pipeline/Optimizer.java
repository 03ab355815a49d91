package dev.lathe.core.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.LatheException;
import dev.lathe.core.LatheVersion;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.footprint.FootprintAnalyzer;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.report.StepRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies passes to a model in memory: each pass in order, with its options, duration, status, what it
 * reported and (by default) the static footprint after it, then stamps provenance (the Lathe version and the
 * steps with their options) into the model's {@code metadata_props}. No files, no provider, no validation,
 * no benchmarks: {@link Pipeline} adds those around it, and code that only wants the passes applied (the
 * benchmark, a build step) uses this directly.
 *
 * <pre>{@code
 * Optimization result = Optimizer.builder().add(registry.create("quantize.int8")).build()
 *         .optimize(model, context);
 * result.model().save(Path.of("model.int8.onnx"));
 * }</pre>
 */
public final class Optimizer {
    /** metadata_props key of the Lathe version that wrote a model. */
    public static final String VERSION_KEY = "lathe.version";
    /** metadata_props key of the steps (passes and options, JSON) that made a model. */
    public static final String STEPS_KEY = "lathe.pipeline";

    private final List<Pass> passes;
    private final boolean stepFootprints;

    private Optimizer(Builder builder) {
        this.passes = List.copyOf(builder.passes);
        this.stepFootprints = builder.stepFootprints;
    }

    /** A builder with no passes and per-step footprints on. */
    public static Builder builder() {
        return new Builder();
    }

    /** The passes, in order. */
    public List<Pass> passes() {
        return passes;
    }

    /**
     * What the passes made of a model.
     *
     * @param model the optimized model, with provenance in its metadata
     * @param steps one record per pass, in order
     */
    public record Optimization(OnnxModel model, List<StepRecord> steps) {
        /** Copies the step list. */
        public Optimization {
            steps = List.copyOf(steps);
        }
    }

    /**
     * Applies every pass in order. Footprints after each step are taken at {@code context.binding()}.
     *
     * @throws PassFailedException if a pass fails (the message names the pass and the model)
     * @throws LatheException      if the model with provenance is invalid
     */
    public Optimization optimize(OnnxModel model, PassContext context) throws LatheException {
        List<StepRecord> steps = new ArrayList<>();
        OnnxModel current = model;
        for (Pass pass : passes) {
            current = applyStep(pass, current, context, steps);
        }
        return new Optimization(withProvenance(current), steps);
    }

    private OnnxModel applyStep(Pass pass, OnnxModel model, PassContext context, List<StepRecord> steps)
            throws LatheException {
        String task = "step " + pass.name();
        context.progress().started(task, -1);
        long start = System.nanoTime();
        try {
            PassResult result = pass.apply(model, context);
            double millis = (System.nanoTime() - start) / 1e6;
            steps.add(new StepRecord(pass.name(), pass.options(), millis, StepRecord.Status.OK, result.details(),
                    stepFootprints ? FootprintAnalyzer.analyze(result.model(), context.binding()) : null));
            return result.model();
        } catch (LatheException | RuntimeException e) {
            steps.add(new StepRecord(pass.name(), pass.options(), (System.nanoTime() - start) / 1e6,
                    StepRecord.Status.FAILED, Map.of("error", String.valueOf(e.getMessage())), null));
            if (e instanceof PassFailedException failed) {
                throw failed;
            }
            throw new PassFailedException("pass " + pass.name() + " failed on " + model.source() + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            steps.add(new StepRecord(pass.name(), pass.options(), (System.nanoTime() - start) / 1e6,
                    StepRecord.Status.FAILED, Map.of("error", "out of Java heap"), null));
            throw HeapBudget.exhausted("pass " + pass.name() + " on " + model.source(), e);
        } finally {
            context.progress().finished(task);
        }
    }

    private OnnxModel withProvenance(OnnxModel model) throws LatheException {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode steps = mapper.createArrayNode();
        for (Pass pass : passes) {
            ObjectNode step = steps.addObject();
            step.put("pass", pass.name());
            step.set("options", mapper.valueToTree(new LinkedHashMap<>(pass.options())));
        }
        return model.edit().putMetadata(VERSION_KEY, LatheVersion.get()).putMetadata(STEPS_KEY, steps.toString()).build();
    }

    /** Configures an {@link Optimizer}; {@code build()} may be called more than once. */
    public static final class Builder {
        private final List<Pass> passes = new ArrayList<>();
        private boolean stepFootprints = true;

        private Builder() {
        }

        /** Appends a pass. */
        public Builder add(Pass pass) {
            passes.add(pass);
            return this;
        }

        /**
         * Whether to take the static footprint after every step (default true); off, the steps' {@code after}
         * is null and no time is spent on it (for timing the passes alone).
         */
        public Builder stepFootprints(boolean on) {
            this.stepFootprints = on;
            return this;
        }

        /** The configured optimizer. */
        public Optimizer build() {
            return new Optimizer(this);
        }
    }
}
