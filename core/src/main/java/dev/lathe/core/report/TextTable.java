package dev.lathe.core.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A table of already formatted cells, built once by {@link ReportSections} and drawn by both the Markdown
 * and the HTML rendering. Cells are plain text; each renderer escapes them for its own format.
 */
final class TextTable {
    private final List<Column> columns;
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * One column: its header and whether it holds figures (drawn right-aligned).
     *
     * @param header  the header text
     * @param numeric whether the column holds figures
     */
    record Column(String header, boolean numeric) {
    }

    private TextTable(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    /** A table with these columns and no rows yet. */
    static TextTable of(Column... columns) {
        return new TextTable(List.of(columns));
    }

    /** A column of words. */
    static Column text(String header) {
        return new Column(header, false);
    }

    /** A column of figures. */
    static Column number(String header) {
        return new Column(header, true);
    }

    /** Adds a row; it must have one cell per column. */
    TextTable row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** The columns, in order. */
    List<Column> columns() {
        return columns;
    }

    /** The rows, in the order added. */
    List<List<String>> rows() {
        return Collections.unmodifiableList(rows);
    }
}
