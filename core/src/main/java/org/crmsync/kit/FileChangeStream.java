package org.crmsync.kit;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.crmsync.csv.ExportFileReader;
import org.crmsync.csv.ExportRow;
import org.crmsync.csv.RowFilter;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.FieldValues;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * Changes a CRM delivers as one or several CSV files (a report export, an export job's files, a nightly
 * changed-records file), streamed one row at a time through core's {@link ExportFileReader}: each file
 * opened only when the one before it is read, every mapped CSV heading required (a renamed column fails
 * the file before any of its rows move), the file's own rule about where its data ends (a
 * {@link RowFilter}), and a cursor at file and line, so a run cut off inside the third file resumes at
 * the row after the last one applied. The connector says how a row becomes a record (its id column).
 */
public final class FileChangeStream implements ChangeStream {
    /** The cursor keys of a position inside the files. */
    public static final String CURSOR_FILE = "file";
    public static final String CURSOR_LINE = "line";
    /** A cursor's two keys, in their natural order, as {@link SyncCursor} keeps them. */
    private static final FieldValues.Layout CURSOR_LAYOUT = FieldValues.Layout.of(List.of(CURSOR_FILE, CURSOR_LINE));

    /** One file of the feed: a name for messages and cursors, and how to open it (streamed, once). */
    public record FileSource(String name, Supplier<InputStream> open, Charset charset) {
        public FileSource {
            requireNonNull(name, "name");
            requireNonNull(open, "open");
            requireNonNull(charset, "charset");
        }

        public static FileSource of(String name, Supplier<InputStream> open) {
            return new FileSource(name, open, StandardCharsets.UTF_8);
        }
    }

    private final Iterator<FileSource> files;
    private final Builder settings;
    private final Optional<SyncCursor> endCursor;
    private Optional<String> resumeFile;
    private long resumeLine;
    private ExportFileReader reader;
    private Iterator<ExportRow> rows;
    private String fileName;
    private ExportRow next;

    private FileChangeStream(Builder b) {
        this.files = List.copyOf(b.files).iterator();
        this.settings = b;
        this.endCursor = b.endCursor;
        this.resumeFile = b.resumeFrom.flatMap(c -> c.get(CURSOR_FILE));
        this.resumeLine = b.resumeFrom.flatMap(c -> c.get(CURSOR_LINE)).map(Long::parseLong).orElse(0L);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            if (rows != null && rows.hasNext()) {
                ExportRow row = rows.next();
                if (row.lineNumber() > resumeLine) {
                    next = row;
                }
                continue;
            }
            if (!openNextFile()) {
                return false;
            }
        }
        return true;
    }

    private boolean openNextFile() {
        closeReader();
        resumeLine = 0;
        while (files.hasNext()) {
            FileSource file = files.next();
            if (resumeFile.isPresent()) {
                if (!resumeFile.get().equals(file.name())) {
                    continue; // read before the cursor
                }
                resumeFile = Optional.empty();
                resumeLine = settings.resumeFrom.flatMap(c -> c.get(CURSOR_LINE)).map(Long::parseLong).orElse(0L);
            }
            ExportFileReader.Builder b = ExportFileReader.builder().source(file.name()).input(file.open().get())
                    .charset(file.charset()).requiredHeadings(settings.requiredHeadings).rowFilter(settings.rowFilter)
                    .delimiter(settings.delimiter);
            settings.mapping.ifPresent(b::mappedHeadings);
            reader = b.open();
            rows = reader.iterator();
            fileName = file.name();
            return true;
        }
        return false;
    }

    @Override
    public RemoteRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more rows");
        }
        ExportRow row = next;
        next = null;
        // One small array per row, not a map copied into a sorted map.
        SyncCursor cursor = new SyncCursor(CURSOR_LAYOUT.values(new String[] {fileName,
                Long.toString(row.lineNumber())}));
        return settings.toRecord.apply(row, cursor);
    }

    @Override
    public Optional<SyncCursor> endCursor() {
        return endCursor;
    }

    @Override
    public void close() {
        closeReader();
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
            rows = null;
        }
    }

    /** Builds a {@link FileChangeStream}; the files and the row-to-record rule are required. */
    public static final class Builder {
        private final List<FileSource> files = new ArrayList<>();
        private List<String> requiredHeadings = List.of();
        private Optional<FieldMapping> mapping = Optional.empty();
        private RowFilter.Factory rowFilter = RowFilter.NONE;
        private char delimiter = ',';
        private Optional<SyncCursor> resumeFrom = Optional.empty();
        private Optional<SyncCursor> endCursor = Optional.empty();
        private BiFunction<ExportRow, SyncCursor, RemoteRecord> toRecord;

        private Builder() {
        }

        /** The files, read in this order. */
        public Builder files(List<FileSource> value) {
            files.addAll(requireNonNull(value, "files"));
            return this;
        }

        /** Columns every file must have besides the mapping's headings (the record id's). */
        public Builder requiredHeadings(String... headings) {
            this.requiredHeadings = List.of(headings);
            return this;
        }

        /** Requires a column for every CSV heading of the mapping (see {@link ExportFileReader.Builder#mappedHeadings}). */
        public Builder mappedHeadings(FieldMapping value) {
            this.mapping = Optional.of(requireNonNull(value, "mapping"));
            return this;
        }

        public Builder rowFilter(RowFilter.Factory value) {
            this.rowFilter = requireNonNull(value, "rowFilter");
            return this;
        }

        public Builder delimiter(char value) {
            this.delimiter = value;
            return this;
        }

        /** Resume after the cursor's file and line (a cursor this stream gave); files before it are skipped. */
        public Builder resumeFrom(SyncCursor value) {
            requireNonNull(value, "resumeFrom");
            this.resumeFrom = value.get(CURSOR_FILE).isPresent() ? Optional.of(value) : Optional.empty();
            return this;
        }

        /** Where a pass that read every file ends (the feed's own next start). */
        public Builder endCursor(SyncCursor value) {
            this.endCursor = Optional.of(requireNonNull(value, "endCursor"));
            return this;
        }

        /** How a row becomes a record, given its cursor (the connector's id column, its id form). */
        public Builder records(BiFunction<ExportRow, SyncCursor, RemoteRecord> value) {
            this.toRecord = requireNonNull(value, "records");
            return this;
        }

        public FileChangeStream build() {
            if (toRecord == null) {
                throw new IllegalArgumentException("a file change stream needs records(...): how a row becomes a record");
            }
            return new FileChangeStream(this);
        }
    }
}
