package dev.lathe.bench;

import dev.lathe.core.LatheException;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.Optimizer;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.report.StepRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One Lathe recipe as the benchmark runs it: load the fp32 model from its file, apply {@code cleanup} and
 * one pass with the {@link Optimizer} (so the written model carries provenance, as the CLI's do), save the
 * result. {@link #measure} times that whole sequence in this JVM
 * after one warm-up run, and watches the heap while it runs.
 *
 * @param label      the row name in the report, such as {@code int8}
 * @param spec       the quantization pass specification, such as {@code quantize.int8} or
 *                   {@code quantize.int4:block=32,sym}
 * @param calibrated whether the pass gets the calibration sentences; without them data-aware passes use
 *                   their data-free form, as they do when a user gives no data
 */
public record LatheRecipe(String label, String spec, boolean calibrated) {

    /** Checks the label and spec are not blank. */
    public LatheRecipe {
        if (label.isBlank() || spec.isBlank()) {
            throw new IllegalArgumentException("a recipe needs a label and a pass specification, got '" + label
                    + "' and '" + spec + "'");
        }
    }

    /** A recipe calibrated on the benchmark's calibration sentences. */
    public LatheRecipe(String label, String spec) {
        this(label, spec, true);
    }

    /** The quantization pass's name (the specification without its options). */
    public String passName() {
        int colon = spec.indexOf(':');
        return (colon < 0 ? spec : spec.substring(0, colon)).strip();
    }

    /** Whether the quantization pass is on the class path. */
    public boolean isRegistered(PassRegistry registry) {
        return registry.factories().containsKey(passName());
    }

    /**
     * Runs the recipe once untimed (warm-up), then {@code timedRuns} times with timing and a heap watch;
     * every run writes {@code target}.
     *
     * @param registry  where the passes come from
     * @param source    the fp32 model file
     * @param target    where the quantized model goes (a file in its own folder)
     * @param context   shapes and calibration inputs for the passes
     * @param timedRuns how many timed runs (at least 1)
     * @throws LatheException if a pass fails or the model cannot be loaded or saved
     * @throws IOException    if the model cannot be written
     */
    public Measurement measure(PassRegistry registry, Path source, Path target, PassContext context, int timedRuns)
            throws LatheException, IOException {
        if (timedRuns < 1) {
            throw new IllegalArgumentException("timed runs must be >= 1, got " + timedRuns);
        }
        runOnce(registry, source, target, context);
        List<Phases> runs = new ArrayList<>();
        HeapWatch.Peak worst = null;
        Map<String, Object> details = Map.of();
        for (int i = 0; i < timedRuns; i++) {
            Phases phases;
            try (HeapWatch watch = HeapWatch.start()) {
                Run run = runOnce(registry, source, target, context);
                HeapWatch.Peak peak = watch.stop();
                phases = run.phases();
                details = run.details();
                if (worst == null || peak.usedAboveBaseline() > worst.usedAboveBaseline()) {
                    worst = peak;
                }
            }
            runs.add(phases);
        }
        return new Measurement(Phases.median(runs), runs.size(), worst, Runtime.getRuntime().maxMemory(), details);
    }

    private record Run(Phases phases, Map<String, Object> details) {
    }

    private Run runOnce(PassRegistry registry, Path source, Path target, PassContext context)
            throws LatheException, IOException {
        Optimizer optimizer = Optimizer.builder().add(registry.create("cleanup")).add(registry.create(spec))
                .stepFootprints(false).build();
        long start = System.nanoTime();
        OnnxModel model = OnnxModel.load(source);
        long loaded = System.nanoTime();
        Optimizer.Optimization optimized = optimizer.optimize(model, context);
        long done = System.nanoTime();
        optimized.model().save(target);
        long saved = System.nanoTime();
        StepRecord cleanup = optimized.steps().get(0);
        StepRecord pass = optimized.steps().get(1);
        // The provenance stamp, the only work outside the two steps, counts with the pass.
        return new Run(new Phases((loaded - start) / 1e6, cleanup.durationMs(), (done - loaded) / 1e6 - cleanup.durationMs(),
                (saved - done) / 1e6), pass.details());
    }

    /**
     * Milliseconds spent in each step of a recipe run.
     *
     * @param loadMillis     loading the fp32 model file
     * @param cleanupMillis  the cleanup pass
     * @param quantizeMillis the quantization pass
     * @param saveMillis     saving the quantized model
     */
    public record Phases(double loadMillis, double cleanupMillis, double quantizeMillis, double saveMillis) {

        /** Load, cleanup, quantization and save together. */
        public double totalMillis() {
            return loadMillis + cleanupMillis + quantizeMillis + saveMillis;
        }

        /** The run with the median total time (the lower middle one for an even count). */
        static Phases median(List<Phases> runs) {
            Phases[] sorted = runs.toArray(Phases[]::new);
            Arrays.sort(sorted, (a, b) -> Double.compare(a.totalMillis(), b.totalMillis()));
            return sorted[(sorted.length - 1) / 2];
        }
    }

    /**
     * What {@link #measure} found.
     *
     * @param phases        the timed run with the median total time
     * @param timedRuns     how many timed runs there were
     * @param heap          the heap watch of the run that used the most heap
     * @param maxHeapBytes  the JVM's maximum heap size, for context
     * @param passDetails   what the quantization pass reported about its last run
     */
    public record Measurement(Phases phases, int timedRuns, HeapWatch.Peak heap, long maxHeapBytes,
            Map<String, Object> passDetails) {
    }
}
