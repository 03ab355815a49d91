package dev.lathe.cli;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.ShapeMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders an {@link Inspection} as aligned text for a terminal: a summary of key figures, then one section
 * each for MACs by op type, the op histogram, bytes by data type, unresolved nodes and metadata (the last
 * two only when there are any).
 */
final class FootprintTable {
    private static final String INDENT = "  ";

    private FootprintTable() {
    }

    /** The whole report, ending with a line break. */
    static String render(Inspection inspection) {
        Footprint footprint = inspection.footprint();
        StringBuilder text = new StringBuilder();
        List<String[]> summary = new ArrayList<>();
        summary.add(row("Model", inspection.model()));
        summary.add(row("Opsets", inspection.opsets().entrySet().stream()
                .map(e -> (e.getKey().isEmpty() ? "ai.onnx" : e.getKey()) + " " + e.getValue())
                .collect(Collectors.joining(", "))));
        summary.add(row("Size", Units.megabytes(footprint.sizeBytes())));
        summary.add(row("Parameters", Units.count(footprint.parameters())));
        summary.add(row("Sparsity", Units.percent(footprint.sparsity()) + " (" + Units.exact(footprint.zeroParameters())
                + " of " + Units.exact(footprint.parameters()) + " parameters are zero)"));
        summary.add(row("Nodes", Units.exact(footprint.nodeCount())));
        summary.add(row("Input shapes", describe(footprint.inputShapes())));
        summary.add(row("Shape method", describe(footprint.shapeMethod())));
        summary.add(row("MACs", Units.count(footprint.macs())));
        summary.add(row("Elementwise ops", Units.count(footprint.elementwiseOps())));
        appendAligned(text, "", summary, false);

        List<String[]> macs = new ArrayList<>();
        footprint.macsByOpType().forEach((op, count) -> macs.add(row(op, Units.exact(count), Units.scaled(count),
                Units.percent(footprint.macs() == 0 ? 0 : (double) count / footprint.macs()))));
        section(text, "MACs by op type", macs);
        section(text, "Ops", counts(footprint.opCounts()));
        section(text, "Bytes by data type", counts(footprint.bytesByDataType()));
        if (!footprint.unresolvedNodes().isEmpty()) {
            section(text, "Unresolved nodes (output shapes unknown, compute not counted)",
                    footprint.unresolvedNodes().stream().map(FootprintTable::row).toList());
        }
        if (!inspection.metadata().isEmpty()) {
            List<String[]> metadata = new ArrayList<>();
            inspection.metadata().forEach((key, value) -> metadata.add(row(key, value)));
            text.append('\n').append("Metadata").append('\n');
            appendAligned(text, INDENT, metadata, false);
        }
        return text.toString();
    }

    private static String describe(ShapeMethod method) {
        return switch (method) {
            case STATIC -> "static (propagated through the graph)";
            case RUNTIME -> "runtime (read off one ONNX Runtime run on generated inputs)";
        };
    }

    /** Shapes the way {@code --shape} reads them: {@code input_ids=1x128, attention_mask=1x128}. */
    private static String describe(Map<String, long[]> shapes) {
        return shapes.isEmpty() ? "(none)" : shapes.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue().length == 0 ? "scalar" : Arrays.stream(e.getValue())
                        .mapToObj(Long::toString).collect(Collectors.joining("x"))))
                .collect(Collectors.joining(", "));
    }

    private static List<String[]> counts(Map<String, Long> counts) {
        List<String[]> rows = new ArrayList<>();
        counts.forEach((name, count) -> rows.add(row(name, Units.exact(count))));
        return rows;
    }

    private static void section(StringBuilder text, String title, List<String[]> rows) {
        text.append('\n').append(title).append('\n');
        if (rows.isEmpty()) {
            text.append(INDENT).append("(none)").append('\n');
        } else {
            appendAligned(text, INDENT, rows, true);
        }
    }

    private static String[] row(String... cells) {
        return cells;
    }

    /**
     * Appends rows with every column padded to its widest cell: the first column left-aligned, the others
     * right-aligned when {@code numeric}, else left-aligned. The last column is not padded on the right.
     */
    private static void appendAligned(StringBuilder text, String indent, List<String[]> rows, boolean numeric) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < row.length; c++) {
                boolean right = numeric && c > 0;
                boolean last = c == row.length - 1;
                String padding = " ".repeat(widths[c] - row[c].length());
                line.append(c == 0 ? "" : "  ");
                line.append(right ? padding + row[c] : row[c] + (last ? "" : padding));
            }
            text.append(line).append('\n');
        }
    }
}
