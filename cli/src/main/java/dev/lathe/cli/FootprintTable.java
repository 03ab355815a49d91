package dev.lathe.cli;

import static dev.lathe.cli.TextTable.row;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.ShapeMethod;
import dev.lathe.core.report.Figures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders an {@link Inspection} as aligned text for a terminal: a summary of key figures, then one section
 * each for MACs by op type, MACs by precision, the op histogram, bytes by data type, control-flow notes,
 * unresolved nodes and metadata (the last three only when there are any).
 */
final class FootprintTable {
    private FootprintTable() {
    }

    /** The whole report, ending with a line break. */
    static String render(Inspection inspection) {
        Footprint footprint = inspection.footprint();
        StringBuilder text = new StringBuilder();
        List<String[]> summary = new ArrayList<>();
        summary.add(row("Model", inspection.model()));
        if (inspection.format().isPresent()) {
            summary.add(row("Format", inspection.format().get()));
        } else {
            summary.add(row("Opsets", inspection.opsets().entrySet().stream()
                    .map(e -> (e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + " " + e.getValue())
                    .collect(Collectors.joining(", "))));
        }
        summary.add(row("Size", Figures.bytesAndExact(footprint.sizeBytes())));
        summary.add(row("Parameters", Figures.countAndExact(footprint.parameters())));
        if (footprint.quantizedParameters() > 0) {
            summary.add(row("Quantized weights", Figures.countAndExact(footprint.quantizedParameters())));
        }
        summary.add(row("Sparsity", Figures.fraction(footprint.sparsity()) + " (" + Figures.exact(footprint.zeroParameters())
                + " of " + Figures.exact(footprint.parameters()) + " parameters are zero)"));
        summary.add(row("Nodes", Figures.exact(footprint.nodeCount())));
        summary.add(row("Input shapes", TextTable.shapes(footprint.inputShapes())));
        summary.add(row("Shape method", describe(footprint.shapeMethod())));
        summary.add(row("MACs", footprint.complete() ? Figures.countAndExact(footprint.macs())
                : "unknown (" + Figures.exact(footprint.macs()) + " counted; " + footprint.unresolvedNodes().size()
                        + " nodes' shapes unknown, not counted)"));
        summary.add(row("Elementwise ops", Figures.countAndExact(footprint.elementwiseOps())));
        TextTable.appendAligned(text, "", summary, false);

        List<String[]> macs = new ArrayList<>();
        footprint.macsByOpType().forEach((op, count) -> macs.add(row(op, Figures.exact(count), Figures.count(count),
                Figures.fraction(footprint.macs() == 0 ? 0 : (double) count / footprint.macs()))));
        TextTable.section(text, "MACs by op type", macs, true);
        List<String[]> precisions = new ArrayList<>();
        footprint.macsByPrecision().forEach((precision, count) -> precisions.add(row(precision, Figures.exact(count),
                Figures.count(count), Figures.fraction(footprint.macs() == 0 ? 0 : (double) count / footprint.macs()))));
        TextTable.section(text, "MACs by precision", precisions, true);
        TextTable.section(text, "Ops", counts(footprint.opCounts()), true);
        TextTable.section(text, "Bytes by data type", counts(footprint.bytesByDataType()), true);
        if (!footprint.notes().isEmpty()) {
            TextTable.section(text, "Notes (how compute was counted)",
                    footprint.notes().stream().map(TextTable::row).toList(), false);
        }
        if (!footprint.unresolvedNodes().isEmpty()) {
            TextTable.section(text, "Unresolved nodes (output shapes unknown, compute not counted)",
                    footprint.unresolvedNodes().stream().map(TextTable::row).toList(), true);
        }
        if (!inspection.details().isEmpty()) {
            TextTable.section(text, "Original", inspection.details().stream().map(TextTable::row).toList(), false);
        }
        if (!inspection.metadata().isEmpty()) {
            List<String[]> metadata = new ArrayList<>();
            inspection.metadata().forEach((key, value) -> metadata.add(row(key, value)));
            TextTable.section(text, "Metadata", metadata, false);
        }
        return text.toString();
    }

    private static String describe(ShapeMethod method) {
        return switch (method) {
            case STATIC -> "static (propagated through the graph)";
            case RUNTIME -> "runtime (read off one run on generated inputs)";
            case INCOMPLETE -> "INCOMPLETE (static propagation got stuck and the runtime run failed; see Notes)";
        };
    }

    private static List<String[]> counts(Map<String, Long> counts) {
        List<String[]> rows = new ArrayList<>();
        counts.forEach((name, count) -> rows.add(row(name, Figures.exact(count))));
        return rows;
    }
}
