package org.crmsync.report;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Where a run's report rows go as they happen, every one of them: a run of millions of records keeps
 * only its counts and a bounded sample of rows in its {@link SyncReport}, and its full report is this
 * sink's (a CSV file, JSON lines, the application's own table). The engine calls {@link #accept} for
 * every row, in order, on the run's thread, and {@link #flush} when the run ends; the caller owns
 * what the sink writes to and closes it.
 */
public interface ReportSink {
    /** No sink: the report's sample is all there is. */
    ReportSink NONE = row -> {
    };

    void accept(RecordResult row);

    /** Called once when the run ends. */
    default void flush() {
    }

    /**
     * The rows as CSV ({@link SyncReport#writeCsv}'s columns, with a header), formula-safe; each row's
     * message is built only here, when the row is written.
     */
    static ReportSink csv(Writer out) {
        requireNonNull(out, "out");
        return new ReportSink() {
            private boolean header;

            @Override
            public void accept(RecordResult row) {
                try {
                    if (!header) {
                        out.write(SyncReport.CSV_HEADER);
                        header = true;
                    }
                    out.write(SyncReport.csvLine(row));
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write a report row", e);
                }
            }

            @Override
            public void flush() {
                try {
                    if (!header) {
                        out.write(SyncReport.CSV_HEADER);
                        header = true;
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write the report rows", e);
                }
            }
        };
    }

    /** The rows as JSON lines: one object per row, as in {@link SyncReport#writeJson}'s {@code rows}. */
    static ReportSink jsonLines(Writer out) {
        requireNonNull(out, "out");
        return new ReportSink() {
            @Override
            public void accept(RecordResult row) {
                try {
                    out.write(SyncReport.jsonLine(row));
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write a report row", e);
                }
            }

            @Override
            public void flush() {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write the report rows", e);
                }
            }
        };
    }
}
