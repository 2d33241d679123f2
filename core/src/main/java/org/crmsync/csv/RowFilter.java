package org.crmsync.csv;

import java.util.List;

/**
 * A file's own rules about which of its rows are data (a report's footer, a trailer line), applied as
 * the reader reads: a vendor's module supplies one, the reader keeps the order and the look-ahead.
 * The reader asks for a new filter for each file (it may keep state) and shows it every non-blank row
 * after the header, in order.
 */
public interface RowFilter {
    /** What a row is. */
    enum Verdict {
        /** A data row: it, and every row held before it, are data. */
        DATA,
        /** Cannot tell yet: the reader holds the row until a later row decides (the end of the file: data). */
        HOLD,
        /** The data ended before this row: it, the rows held before it, and everything after are not data. */
        END
    }

    /**
     * @param row the row as the reader would return it
     * @param afterBlankLine whether a blank line came right before it
     */
    Verdict classify(ExportRow row, boolean afterBlankLine);

    /** Makes the filter for one file, given its headings in column order. */
    @FunctionalInterface
    interface Factory {
        RowFilter forFile(List<String> headings);
    }

    /** Every row is data. */
    Factory NONE = headings -> (row, afterBlankLine) -> Verdict.DATA;
}
