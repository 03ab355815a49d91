package dev.lathe.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.LatencyStats;
import dev.lathe.core.runtime.OutputFidelity;
import dev.lathe.core.selection.ProviderDecision;

/**
 * The report as JSON, with the stable schema documented in {@code docs/report-schema.md}: keys always
 * appear, in a fixed order; absent values are {@code null}. {@link #SCHEMA_VERSION} changes only when a
 * key is removed or changes meaning.
 */
public final class ReportJson {
    /** Version of the report schema. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    /** The report as pretty-printed JSON text. */
    public static String render(OptimizationReport report) {
        try {
            return MAPPER.writeValueAsString(toTree(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report cannot be serialized", e);
        }
    }

    /** The report as a JSON tree. */
    public static ObjectNode toTree(OptimizationReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("latheVersion", report.latheVersion());
        root.put("model", report.model());
        root.put("output", report.output().orElse(null));
        ObjectNode shapes = root.putObject("inputShapes");
        report.before().inputShapes().forEach((name, shape) -> {
            ArrayNode dims = shapes.putArray(name);
            for (long dim : shape) {
                dims.add(dim);
            }
        });
        root.set("before", footprint(report.before(), report.measuredBefore()));
        root.set("after", footprint(report.after(), report.measuredAfter()));
        ArrayNode steps = root.putArray("steps");
        for (StepRecord step : report.steps()) {
            ObjectNode node = steps.addObject();
            node.put("name", step.name());
            node.set("config", MAPPER.valueToTree(step.config()));
            node.put("durationMs", round(step.durationMs()));
            node.put("status", step.status().name().toLowerCase(java.util.Locale.ROOT));
            node.set("details", MAPPER.valueToTree(step.details()));
            ObjectNode after = node.putObject("after");
            after.put("sizeBytes", step.after() == null ? null : step.after().sizeBytes());
            after.put("parameters", step.after() == null ? null : step.after().parameters());
            after.put("macs", step.after() == null ? null : step.after().macs());
        }
        root.set("provider", provider(report.provider()));
        report.conversion().ifPresent(c -> {
            ObjectNode conversion = root.putObject("conversion");
            conversion.put("from", c.from());
            conversion.put("samples", c.samples());
            conversion.put("maxAbsError", c.maxAbsError());
            conversion.put("outputScale", c.outputScale());
            conversion.put("relativeError", c.relativeError());
            conversion.put("worstOutput", c.worstOutput());
            conversion.put("withinTolerance", c.withinTolerance());
        });
        root.set("fidelity", fidelity(report.validation().fidelity()));
        root.set("validation", validation(report.validation()));
        ObjectNode data = root.putObject("data");
        data.set("calibration", report.data().calibration().map(ReportJson::source).orElse(null));
        data.set("validation", source(report.data().validation()));
        root.set("cost", cost(report.cost()));
        ObjectNode measurement = root.putObject("measurement");
        measurement.put("memoryMethod", report.measuredAfter().memoryMethod());
        measurement.put("runs", report.measuredAfter().latencyMs().runs());
        return root;
    }

    private static ObjectNode footprint(Footprint footprint, BenchmarkResult measured) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("sizeBytes", footprint.sizeBytes());
        node.put("parameters", footprint.parameters());
        node.put("quantizedParameters", footprint.quantizedParameters());
        if (footprint.complete()) {
            node.put("macs", footprint.macs());
        } else {
            node.putNull("macs");
            node.put("macsCounted", footprint.macs());
        }
        node.set("macsByOpType", MAPPER.valueToTree(footprint.macsByOpType()));
        node.set("macsByPrecision", MAPPER.valueToTree(footprint.macsByPrecision()));
        node.put("elementwiseOps", footprint.elementwiseOps());
        node.put("nodeCount", footprint.nodeCount());
        node.set("latencyMs", latency(measured.latencyMs()));
        node.put("throughputPerSec", round(measured.throughputPerSec()));
        node.put("peakMemoryBytes", measured.peakMemoryBytes());
        node.put("sessionInitMs", round(measured.sessionInitMs()));
        node.set("bytesByDataType", MAPPER.valueToTree(footprint.bytesByDataType()));
        node.put("sparsity", footprint.sparsity());
        node.set("opCounts", MAPPER.valueToTree(footprint.opCounts()));
        node.set("notes", MAPPER.valueToTree(footprint.notes()));
        node.set("timeByOpTypeMs", MAPPER.valueToTree(measured.timeByOpTypeMs()));
        return node;
    }

    private static ObjectNode latency(LatencyStats stats) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("mean", round(stats.mean()));
        node.put("p50", round(stats.p50()));
        node.put("p90", round(stats.p90()));
        node.put("p99", round(stats.p99()));
        return node;
    }

    private static ObjectNode provider(ProviderDecision decision) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("selected", decision.selected().provider().cliName());
        node.put("configuration", decision.selected().describe());
        node.put("policy", decision.policy());
        ArrayNode decisions = node.putArray("decisions");
        for (ProviderDecision.Candidate candidate : decision.candidates()) {
            ObjectNode c = decisions.addObject();
            c.put("provider", candidate.provider());
            c.put("available", candidate.available());
            c.put("selected", candidate.selected());
            c.put("reason", candidate.reason());
            c.put("medianLatencyMs", candidate.medianLatencyMs().isPresent() ? round(candidate.medianLatencyMs().getAsDouble()) : null);
        }
        return node;
    }

    private static JsonNode fidelity(Fidelity fidelity) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("cosineMean", fidelity.cosineMean());
        node.put("cosineMin", fidelity.cosineMin());
        node.put("maxAbsError", fidelity.maxAbsError());
        node.put("meanAbsError", fidelity.meanAbsError());
        node.put("samples", fidelity.samples());
        ArrayNode outputs = node.putArray("outputs");
        for (OutputFidelity output : fidelity.outputs()) {
            ObjectNode o = outputs.addObject();
            o.put("output", output.output());
            o.put("cosineMean", output.cosineMean());
            o.put("cosineMin", output.cosineMin());
            o.put("maxAbsError", output.maxAbsError());
            o.put("meanAbsError", output.meanAbsError());
            o.put("top1Agreement", output.top1Agreement().isPresent() ? output.top1Agreement().getAsDouble() : null);
        }
        return node;
    }

    private static ObjectNode validation(ValidationOutcome outcome) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("checked", outcome.checked());
        node.put("passed", outcome.checked() && outcome.passed());
        ArrayNode thresholds = node.putArray("thresholds");
        outcome.thresholds().forEach(thresholds::add);
        node.put("task", outcome.task());
        ObjectNode taskMetrics = node.putObject("taskMetrics");
        outcome.taskMetrics().forEach(taskMetrics::put);
        ArrayNode failures = node.putArray("failures");
        outcome.failures().forEach(failures::add);
        ObjectNode metrics = node.putObject("metrics");
        new java.util.TreeMap<>(outcome.metrics()).forEach((name, values) -> {
            ObjectNode metric = metrics.putObject(name);
            metric.put("original", values[0]);
            metric.put("optimized", values[1]);
        });
        node.put("writtenDespiteFailure", outcome.writtenDespiteFailure());
        return node;
    }

    private static ObjectNode source(DataSources.Source source) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("source", source.description());
        node.put("samples", source.samples());
        node.put("generated", source.generated());
        return node;
    }

    private static ObjectNode cost(Cost cost) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("currency", cost.pricing().currency());
        node.put("pricePerInstanceHour", cost.pricing().pricePerInstanceHour());
        node.put("priceSource", cost.pricing().source());
        node.put("costPerMillionBefore", round(cost.costPerMillionBefore(), 6));
        node.put("costPerMillionAfter", round(cost.costPerMillionAfter(), 6));
        node.put("computeSavedPercent", round(cost.computeSavedPercent()));
        node.put("noisePercent", round(cost.noisePercent()));
        node.put("savingWithinNoise", cost.withinNoise());
        if (Double.isNaN(cost.macsSavedPercent())) {
            node.putNull("macsSavedPercent");
        } else {
            node.put("macsSavedPercent", round(cost.macsSavedPercent()));
        }
        return node;
    }

    private static double round(double value) {
        return round(value, 3);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
