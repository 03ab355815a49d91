package dev.lathe.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Aligned text for terminal reports: rows of cells padded into columns, titled sections of such rows, and
 * input shapes written the way {@code --shape} reads them.
 */
final class TextTable {
    /** The indentation of rows inside a section. */
    static final String INDENT = "  ";

    private TextTable() {
    }

    /** One row of cells. */
    static String[] row(String... cells) {
        return cells;
    }

    /**
     * Appends a blank line, the title, and the rows indented and aligned ({@code numeric}: all columns but
     * the first right-aligned); {@code (none)} when there are no rows.
     */
    static void section(StringBuilder text, String title, List<String[]> rows, boolean numeric) {
        text.append('\n').append(title).append('\n');
        if (rows.isEmpty()) {
            text.append(INDENT).append("(none)").append('\n');
        } else {
            appendAligned(text, INDENT, rows, numeric);
        }
    }

    /**
     * Appends rows with every column padded to its widest cell: the first column left-aligned, the others
     * right-aligned when {@code numeric}, else left-aligned. The last column is not padded on the right.
     */
    static void appendAligned(StringBuilder text, String indent, List<String[]> rows, boolean numeric) {
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
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** Shapes the way {@code --shape} reads them: {@code input_ids=1x128, attention_mask=1x128}. */
    static String shapes(Map<String, long[]> shapes) {
        return shapes.isEmpty() ? "(none)" : shapes.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue().length == 0 ? "scalar" : Arrays.stream(e.getValue())
                        .mapToObj(Long::toString).collect(Collectors.joining("x"))))
                .collect(Collectors.joining(", "));
    }
}
