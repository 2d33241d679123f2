package org.crmsync.csv;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.crmsync.spi.FieldValues;

/**
 * One data record of an export file, immutable.
 *
 * <p>Values are kept verbatim (not trimmed). Blank values (empty or whitespace only) are omitted: {@link
 * #get(String)} answers empty for them, and {@link #values()} has no entry for them.
 *
 * <p>A record with more values than the header has columns carries a {@link #problem()}: its values
 * are probably shifted by an unquoted delimiter, so the caller should report it as failed (naming
 * {@link #location()}) rather than sync it. Its {@link #values()} still hold the first values
 * positionally, which helps identify the record in the report, but they are not reliable.
 */
public final class ExportRow {
    private final String source;
    private final long lineNumber;
    private final Map<String, String> values;
    private final String problem;

    ExportRow(String source, long lineNumber, Map<String, String> values, String problem) {
        this.source = requireNonNull(source, "source");
        this.lineNumber = lineNumber;
        this.values = requireNonNull(values, "values") instanceof FieldValues ? values
                : Collections.unmodifiableMap(values);
        this.problem = problem;
    }

    /** The physical line of the file on which this record starts; the header is on line 1. */
    public long lineNumber() {
        return lineNumber;
    }

    /** The value under {@code heading}; empty when it is blank or the file has no such column. */
    public Optional<String> get(String heading) {
        requireNonNull(heading, "heading");
        return Optional.ofNullable(values.get(heading));
    }

    /** Heading to value, in the column order of the file; blank values are omitted. Unmodifiable. */
    public Map<String, String> values() {
        return values;
    }

    /** Where this record is, for messages and reports: {@code "export.csv line 12"}. */
    public String location() {
        return source + " line " + lineNumber;
    }

    /**
     * Why this record cannot be trusted, e.g. {@code "the record has 6 values but the header has 5 columns; ..."}.
     * It does not name the file or line: report it after {@link #location()}, which does, once.
     */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** Names the record but not its contents, which are personal data. */
    @Override
    public String toString() {
        return "ExportRow[" + location() + ", " + values.size() + " values"
                + (problem == null ? "" : ", problem: " + problem) + "]";
    }
}
