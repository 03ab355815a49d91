package dev.lathe.bench;

import dev.lathe.bench.Targets.Metric;
import dev.lathe.bench.Targets.Target;
import dev.lathe.bench.Targets.Verdict;
import dev.lathe.core.task.Embeddings;
import dev.lathe.core.task.NeighbourOverlap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The comparison's figures, side by side, with the issue's targets: as aligned text for a terminal and as a
 * JSON-friendly tree (maps, lists, numbers, strings) for the README table. Ratios are taken against the
 * {@link ModelRow.Kind#BASELINE} row, embeddings are compared with its embeddings.
 */
public final class ComparisonReport {
    private static final double MB = 1e6;

    private final Machine machine;
    private final Settings settings;
    private final List<ModelRow> rows;
    private final Map<String, Map<Metric, Double>> figures = new LinkedHashMap<>();

    /**
     * How the comparison ran.
     *
     * @param model             the encoder's name
     * @param sentences         sentences measured
     * @param meanTokens        mean tokens per sentence, special tokens included
     * @param timedPasses       timed passes over all sentences
     * @param calibrationSentences this many sentences, none of them measured, were the passes' calibration inputs
     * @param recipeRuns        timed runs of each recipe after its warm-up run
     */
    public record Settings(String model, int sentences, double meanTokens, int timedPasses, int calibrationSentences,
            int recipeRuns) {
    }

    /**
     * Computes every row's figures against the baseline.
     *
     * @param machine  where it ran
     * @param settings how it ran
     * @param rows     the models, the measured baseline first, names unique
     */
    public ComparisonReport(Machine machine, Settings settings, List<ModelRow> rows) {
        this.machine = machine;
        this.settings = settings;
        this.rows = List.copyOf(rows);
        if (rows.isEmpty() || rows.get(0).kind() != ModelRow.Kind.BASELINE || rows.get(0).run().isEmpty()) {
            throw new IllegalArgumentException("the first row must be the measured fp32 baseline");
        }
        for (ModelRow row : rows) {
            Map<Metric, Double> values = new LinkedHashMap<>();
            for (Metric metric : Metric.values()) {
                figure(row, metric).ifPresent(value -> values.put(metric, value));
            }
            if (figures.put(row.name(), values) != null) {
                throw new IllegalArgumentException("two rows are named '" + row.name() + "'");
            }
        }
    }

    private ModelRow baseline() {
        return rows.get(0);
    }

    /** A row's figures by metric: empty for a row that was not measured, recipe figures only for Lathe recipes. */
    public Map<Metric, Double> figures(String rowName) {
        Map<Metric, Double> values = figures.get(rowName);
        if (values == null) {
            throw new IllegalArgumentException("no row named '" + rowName + "'");
        }
        return values;
    }

    private Optional<Double> figure(ModelRow row, Metric metric) {
        if (row.run().isEmpty()) {
            return Optional.empty();
        }
        EncoderRuns.Result run = row.run().get();
        EncoderRuns.Result base = baseline().run().orElseThrow();
        return switch (metric) {
            case SIZE_RATIO -> Optional.of((double) row.sizeBytes() / baseline().sizeBytes());
            case LATENCY_RATIO -> Optional.of(run.medianMillis() / base.medianMillis());
            case MEAN_COSINE -> Optional.of(Embeddings.meanCosine(base.embeddings(), run.embeddings()));
            case OVERLAP_AT_10 -> Optional.of(NeighbourOverlap.overlapAt(10, base.embeddings(), run.embeddings()));
            case RECIPE_MILLIS -> row.recipe().map(r -> r.phases().totalMillis());
            case PEAK_HEAP -> row.recipe().map(r -> (double) r.heap().usedAboveBaseline() / baseline().sizeBytes());
        };
    }

    /** The verdict on one target of a measured Lathe row. */
    private Verdict judge(ModelRow row, Target target, Map<Metric, Double> figures) {
        if (target.metric() == Metric.PEAK_HEAP) {
            LatheRecipe.Measurement recipe = row.recipe().orElseThrow();
            double size = baseline().sizeBytes();
            return target.judge(recipe.heap().afterGcAboveBaseline() / size, recipe.heap().usedAboveBaseline() / size);
        }
        return target.judge(figures.get(target.metric()));
    }

    /** Whether any target of a measured Lathe row failed (or a Lathe row could not be measured). */
    public boolean anyTargetFailed() {
        for (ModelRow row : rows) {
            if (row.kind() != ModelRow.Kind.LATHE) {
                continue;
            }
            if (row.problem().isPresent()) {
                return true;
            }
            Map<Metric, Double> f = figures(row.name());
            for (Target target : Targets.forRecipe(row.name(), row.passName().orElseThrow())) {
                if (judge(row, target, f) == Verdict.FAIL) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The report as aligned text. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Quantization comparison: %s, %d sentences (mean %.1f tokens), batch 1, "
                + "CPU, 1 intra-op + 1 inter-op thread, all graph optimizations, %d timed passes%n", settings.model(),
                settings.sentences(), settings.meanTokens(), settings.timedPasses()));
        out.append("Machine: ").append(machine.describe()).append('\n');
        out.append("Runtime: ONNX Runtime ").append(machine.onnxRuntime()).append(", Java ").append(machine.java())
                .append(", ").append(machine.os()).append('\n');
        out.append(String.format(Locale.ROOT, "Calibration: %d sentences, none of them among the %d measured (the "
                + "measured ones are held out: every fourth of the shipped sentences). "
                + "Lathe recipes: cleanup, then the quantize pass; timed after one warm-up run, median of %d.%n%n",
                settings.calibrationSentences(), settings.sentences(), settings.recipeRuns()));

        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"model", "size MB", "size x", "median ms", "latency x", "mean cos", "overlap@10",
            "recipe ms", "peak heap MB (after GC)"});
        for (ModelRow row : rows) {
            if (row.problem().isPresent()) {
                table.add(new String[] {row.name(), "-", "-", "-", "-", "-", "-", "-", row.problem().get()});
                continue;
            }
            Map<Metric, Double> f = figures(row.name());
            EncoderRuns.Result run = row.run().orElseThrow();
            table.add(new String[] {row.name(), fmt("%.1f", row.sizeBytes() / MB), fmt("%.3f", f.get(Metric.SIZE_RATIO)),
                fmt("%.2f", run.medianMillis()), fmt("%.3f", f.get(Metric.LATENCY_RATIO)),
                fmt("%.4f", f.get(Metric.MEAN_COSINE)), fmt("%.3f", f.get(Metric.OVERLAP_AT_10)),
                row.recipe().map(r -> fmt("%.0f", r.phases().totalMillis())).orElse("-"),
                row.recipe().map(r -> fmt("%.0f", r.heap().usedAboveBaseline() / MB) + " ("
                        + fmt("%.0f", r.heap().afterGcAboveBaseline() / MB) + ")").orElse("-")});
        }
        appendAligned(out, table);
        for (ModelRow row : rows) {
            row.recipe().ifPresent(r -> out.append(String.format(Locale.ROOT, "%s recipe (%s): load %.0f ms, cleanup %.0f ms, "
                    + "quantize %.0f ms, save %.0f ms; %d collections, max heap %.0f MB%n", row.name(), row.spec().orElseThrow(),
                    r.phases().loadMillis(), r.phases().cleanupMillis(), r.phases().quantizeMillis(), r.phases().saveMillis(),
                    r.heap().collections(), r.maxHeapBytes() / MB)));
        }

        out.append("\nTargets (issues 5 and 9) and the reference figures of issue 5\n");
        List<String[]> checks = new ArrayList<>();
        checks.add(new String[] {"model", "figure", "measured", "target", "verdict"});
        for (ModelRow row : rows) {
            if (row.kind() == ModelRow.Kind.REFERENCE && row.run().isPresent()) {
                Map<Metric, Double> f = figures(row.name());
                Targets.referenceFigures().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                        checks.add(new String[] {row.name(), e.getKey().label(), fmt("%.3f", f.get(e.getKey())),
                            "issue measured " + fmt("%.3f", e.getValue()), fmt("%+.3f", f.get(e.getKey()) - e.getValue())}));
            } else if (row.kind() == ModelRow.Kind.LATHE) {
                if (row.problem().isPresent()) {
                    checks.add(new String[] {row.name(), "(all)", "-", "-", "NOT MEASURED"});
                    continue;
                }
                Map<Metric, Double> f = figures(row.name());
                for (Target target : Targets.forRecipe(row.name(), row.passName().orElseThrow())) {
                    String measured = target.metric() == Metric.PEAK_HEAP
                            ? fmt("%.2f", f.get(Metric.PEAK_HEAP)) + " (after GC " + fmt("%.2f",
                                    row.recipe().orElseThrow().heap().afterGcAboveBaseline() / (double) baseline().sizeBytes()) + ")"
                            : fmt(target.metric() == Metric.RECIPE_MILLIS ? "%.0f"
                                    : target.metric() == Metric.MEAN_COSINE ? "%.4f" : "%.3f", f.get(target.metric()));
                    checks.add(new String[] {row.name(), target.metric().label(), measured, target.describe(),
                        judge(row, target, f).name()});
                }
            }
        }
        appendAligned(out, checks);
        out.append("\nsize: model file plus external data; latency: per sentence the median of its timed runs, then the "
                + "median over sentences; ratios against fp32.\n");
        out.append("peak heap: most heap used during a recipe run above the heap before it (uncollected garbage "
                + "included); after GC: most still used right after a collection. UNSURE = the two bracket the target.\n");
        out.append("Latencies on a shared or small machine are noisy: compare ratios from one run, not across runs.\n");
        return out.toString();
    }

    /** The report as a JSON-friendly tree. */
    public Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "quantization-comparison");
        Map<String, Object> machineTree = new LinkedHashMap<>();
        machineTree.put("cpu", machine.cpuModel());
        machineTree.put("logicalCpus", machine.logicalCpus());
        machineTree.put("availableCpus", machine.availableCpus());
        machineTree.put("vectorExtensions", machine.vectorExtensions());
        machineTree.put("java", machine.java());
        machineTree.put("os", machine.os());
        machineTree.put("onnxRuntime", machine.onnxRuntime());
        root.put("machine", machineTree);
        Map<String, Object> settingsTree = new LinkedHashMap<>();
        settingsTree.put("model", settings.model());
        settingsTree.put("sentences", settings.sentences());
        settingsTree.put("meanTokens", settings.meanTokens());
        settingsTree.put("batch", 1);
        settingsTree.put("intraOpThreads", 1);
        settingsTree.put("interOpThreads", 1);
        settingsTree.put("graphOptimizations", "all");
        settingsTree.put("timedPasses", settings.timedPasses());
        settingsTree.put("calibrationSentences", settings.calibrationSentences());
        settingsTree.put("calibrationAlsoMeasured", true);
        settingsTree.put("recipeRuns", settings.recipeRuns());
        root.put("settings", settingsTree);
        List<Object> models = new ArrayList<>();
        for (ModelRow row : rows) {
            models.add(rowJson(row));
        }
        root.put("models", models);
        return root;
    }

    private Map<String, Object> rowJson(ModelRow row) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("name", row.name());
        tree.put("kind", row.kind().name().toLowerCase(Locale.ROOT));
        row.spec().ifPresent(spec -> tree.put("spec", spec));
        if (row.problem().isPresent()) {
            tree.put("problem", row.problem().get());
            return tree;
        }
        Map<Metric, Double> f = figures(row.name());
        EncoderRuns.Result run = row.run().orElseThrow();
        tree.put("sizeBytes", row.sizeBytes());
        tree.put("sizeRatio", f.get(Metric.SIZE_RATIO));
        tree.put("medianLatencyMs", run.medianMillis());
        tree.put("latencyRatio", f.get(Metric.LATENCY_RATIO));
        tree.put("meanCosine", f.get(Metric.MEAN_COSINE));
        tree.put("overlapAt10", f.get(Metric.OVERLAP_AT_10));
        tree.put("sessionInitMs", run.sessionInitMillis());
        row.recipe().ifPresent(recipe -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("totalMs", recipe.phases().totalMillis());
            r.put("loadMs", recipe.phases().loadMillis());
            r.put("cleanupMs", recipe.phases().cleanupMillis());
            r.put("quantizeMs", recipe.phases().quantizeMillis());
            r.put("saveMs", recipe.phases().saveMillis());
            r.put("timedRuns", recipe.timedRuns());
            r.put("peakHeapAboveBaselineBytes", recipe.heap().usedAboveBaseline());
            r.put("peakHeapAfterGcAboveBaselineBytes", recipe.heap().afterGcAboveBaseline());
            r.put("heapBaselineBytes", recipe.heap().baselineBytes());
            r.put("collections", recipe.heap().collections());
            r.put("maxHeapBytes", recipe.maxHeapBytes());
            r.put("passDetails", jsonFriendly(recipe.passDetails()));
            tree.put("recipe", r);
        });
        if (row.kind() == ModelRow.Kind.REFERENCE) {
            Map<String, Object> issue = new LinkedHashMap<>();
            Targets.referenceFigures().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> issue.put(e.getKey().label(), e.getValue()));
            tree.put("issueFigures", issue);
        }
        if (row.kind() == ModelRow.Kind.LATHE) {
            List<Object> targets = new ArrayList<>();
            for (Target target : Targets.forRecipe(row.name(), row.passName().orElseThrow())) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("figure", target.metric().label());
                t.put("target", target.describe());
                t.put("measured", f.get(target.metric()));
                if (target.metric() == Metric.PEAK_HEAP) {
                    t.put("measuredAfterGc", (double) row.recipe().orElseThrow().heap().afterGcAboveBaseline()
                            / baseline().sizeBytes());
                }
                t.put("verdict", judge(row, target, f).name());
                targets.add(t);
            }
            tree.put("targets", targets);
        }
        return tree;
    }

    /** Numbers, strings, booleans, maps and collections as they are (recursively); anything else as its string. */
    static Object jsonFriendly(Object value) {
        if (value == null || value instanceof Number || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), jsonFriendly(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>();
            items.forEach(item -> copy.add(jsonFriendly(item)));
            return copy;
        }
        return value.toString();
    }

    private static String fmt(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }

    /** Appends rows with every column padded to its widest cell; the first column left-aligned, numbers right. */
    private static void appendAligned(StringBuilder out, List<String[]> table) {
        int columns = table.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        for (String[] row : table) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : table) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String cell = row[c];
                String pad = " ".repeat(widths[c] - cell.length());
                line.append(c == 0 || c == row.length - 1 ? cell + pad : pad + cell).append(c == row.length - 1 ? "" : "  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}

