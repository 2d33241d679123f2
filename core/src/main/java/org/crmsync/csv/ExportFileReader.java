package org.crmsync.csv;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.spi.FieldValues;

/**
 * Reads a CRM export file one record at a time (Salesforce report exports, Luminate changed-records
 * files, EveryAction export jobs); the file is never held in memory.
 *
 * <p>{@link Builder#open()} reads the header row: a UTF-8 byte order mark is dropped, headings are
 * trimmed, leading blank lines are skipped, and a missing header, a missing required heading or a
 * duplicate heading fails at once, before any record is read. The required headings are those given
 * to {@link Builder#requiredHeadings(List)} and, with {@link Builder#mappedHeadings(FieldMapping)},
 * the CSV heading of every rule of the field mapping that has one: a column the mapping reads but the
 * file lacks (a renamed report column) would otherwise leave that field out of every record without a
 * word. The message names each missing heading (with its field) and every heading the file has;
 * headings are not personal data. Columns with a blank heading are kept in the column count but their
 * values are ignored.
 *
 * <p>Records are then read lazily, in a single pass, through {@link #iterator()} or {@link #stream()}:
 *
 * <ul>
 *   <li>CRLF and LF line ends are accepted; quoted values may contain delimiters, line breaks and
 *       doubled quotes, and {@link ExportRow#lineNumber()} stays the physical line on which a record
 *       starts.
 *   <li>Blank lines, and rows whose values are all blank, are skipped.
 *   <li>A row with fewer values than the header has columns gets empty values for the rest
 *       (Salesforce omits trailing empty values); a row with more gets {@link ExportRow#problem()}, so
 *       the caller can report that one record as failed and go on.
 *   <li>Malformed CSV (a quote that is never closed) or bytes that are not valid in the charset throw
 *       {@link CrmSyncException} with {@link ErrorCode#INVALID_INPUT}, naming the source and the line
 *       on which the bad record starts. Records already returned stay valid.
 * </ul>
 *
 * <p>A {@link Builder#rowFilter(RowFilter.Factory) row filter} supplied by a vendor's module says
 * where a file's data ends (a report footer): rows it holds wait until a later row decides, and at the
 * end of the file they are data.
 *
 * <p>The reader owns its input and closes it in {@link #close()}, also when {@code open()} fails. Not
 * thread-safe.
 */
public final class ExportFileReader implements Iterable<ExportRow>, AutoCloseable {
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final String source;
    private final RowFilter rowFilter;
    private final String charsetName;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> headings;
    /** The layout of every row's values: the non-blank headings, in column order. */
    private final FieldValues.Layout layout;
    /** Each column's position in {@link #layout}; -1 for a column with a blank heading. */
    private final int[] positionOfColumn;
    private boolean iterating;
    private boolean closed;

    private ExportFileReader(Builder builder, Reader input) throws IOException {
        this.source = builder.source;
        this.charsetName = builder.charsetName();
        CSVFormat format = CSVFormat.RFC4180.builder()
                .setDelimiter(builder.delimiter)
                .setIgnoreEmptyLines(false) // blank lines come through, so line numbers and the footer can be seen
                .setIgnoreSurroundingSpaces(false)
                .setTrim(false)
                .get();
        this.parser = CSVParser.builder().setReader(input).setFormat(format).get();
        this.records = parser.iterator();
        this.headings = readHeader(builder.wantedHeadings());
        this.rowFilter = requireNonNull(builder.rowFilter.forFile(headings), "row filter");
        List<String> named = headings.stream().filter(h -> !h.isEmpty()).toList();
        this.layout = FieldValues.Layout.of(named);
        this.positionOfColumn = headings.stream().mapToInt(h -> h.isEmpty() ? -1 : layout.position(h)).toArray();
    }

    /** A builder; {@code source} and an input are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name of the file or export, as used in messages. */
    public String source() {
        return source;
    }

    /** The trimmed headings of the header row, in column order. */
    public List<String> headings() {
        return headings;
    }

    /**
     * The records after the header, read lazily. The file is read once: a second call fails.
     *
     * @throws IllegalStateException on a second call, or after {@link #close()}
     */
    @Override
    public Iterator<ExportRow> iterator() {
        if (closed) {
            throw new IllegalStateException(source + ": the reader is closed");
        }
        if (iterating) {
            throw new IllegalStateException(source + ": the records can be read only once");
        }
        iterating = true;
        return new RowIterator();
    }

    /** The records as a lazy, sequential stream; closing the stream closes this reader. */
    public Stream<ExportRow> stream() {
        Spliterator<ExportRow> rows =
                Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(rows, false).onClose(this::close);
    }

    /** Closes the input. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            parser.close();
        } catch (IOException e) {
            // Nothing is lost when closing an input we only read from fails; the records are already out.
        }
    }

    /**
     * Reads the header row and checks it.
     *
     * @param wanted the headings the file must have, each with the local field it is read into (empty when
     *     it was required by name only)
     */
    private List<String> readHeader(Map<String, Optional<String>> wanted) {
        Numbered header;
        do {
            header = readRecord();
        } while (header != null && isBlank(header.record));
        if (header == null) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, source + ": the file is empty; expected a header row with "
                    + (wanted.isEmpty() ? "the column headings" : "the headings " + quoted(wanted.keySet()))
                    + ". Check that the export finished and that the right file was given.");
        }
        List<String> found = new ArrayList<>(header.record.size());
        for (String heading : header.record) {
            found.add(heading.strip());
        }
        Set<String> seen = new LinkedHashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (String heading : found) {
            if (!heading.isEmpty() && !seen.add(heading)) {
                duplicates.add(heading);
            }
        }
        if (!duplicates.isEmpty()) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, source + " line " + header.line
                    + ": the header has duplicate headings " + quoted(duplicates)
                    + "; each column needs a distinct heading. Rename or remove the repeated columns in the export.");
        }
        List<String> missing = wanted.keySet().stream().filter(h -> !seen.contains(h)).collect(Collectors.toList());
        if (!missing.isEmpty()) {
            throw new CrmSyncException(ErrorCode.INVALID_INPUT, source + " line " + header.line
                    + ": " + missingHeadings(missing, wanted, found));
        }
        return List.copyOf(found);
    }

    /** What is missing, each heading with its field, the headings the file has, and what to do. */
    private static String missingHeadings(List<String> missing, Map<String, Optional<String>> wanted,
            List<String> found) {
        List<String> named = new ArrayList<>();
        List<String> hints = new ArrayList<>();
        boolean mapped = false;
        for (String heading : missing) {
            Optional<String> field = wanted.get(heading);
            mapped |= field.isPresent();
            named.add("\"" + heading + "\"" + field.map(f -> " (" + f + ")").orElse(""));
            found.stream().filter(h -> h.equalsIgnoreCase(heading)).findFirst().ifPresent(h -> hints.add("\"" + h
                    + "\" differs from \"" + heading + "\" only in case, and headings are compared exactly"));
        }
        return "the header has no " + String.join(", ", named) + (missing.size() == 1 ? " column" : " columns")
                + "; headings found: " + quoted(found) + (hints.isEmpty() ? "" : "; " + String.join("; ", hints))
                + ". Add the missing columns to the export"
                + (mapped ? ", or set the field mapping's CSV headings to the file's (a mapping rule without a CSV"
                        + " heading is not read from files)" : "")
                + (found.size() == 1 ? ", or check the delimiter (the header was read as a single column)." : ".");
    }

    /** The next physical record with the line it starts on, or null at the end of the file. */
    private Numbered readRecord() {
        // After a record the parser has consumed its line end, so the next record starts on the next line.
        long line = parser.getCurrentLineNumber() + 1;
        try {
            return records.hasNext() ? new Numbered(line, records.next()) : null;
        } catch (UncheckedIOException e) {
            throw unreadable(line, e.getCause());
        }
    }

    private CrmSyncException unreadable(long line, IOException cause) {
        String where = source + " line " + line + ": ";
        String message;
        if (cause instanceof CSVException && String.valueOf(cause.getMessage()).contains("EOF reached before")) {
            message = where + "a quoted value starting on this line is never closed, so the file cannot be read"
                    + " past it. Check for a stray double quote (\") in that record; quotes inside a quoted value"
                    + " must be doubled (\"\").";
        } else if (cause instanceof CSVException) {
            message = where + "malformed CSV in the record starting on this line (" + cause.getMessage()
                    + "). Quotes inside a quoted value must be doubled (\"\").";
        } else if (cause instanceof CharacterCodingException) {
            message = where + "the record starting on this line has bytes that are not valid " + charsetName
                    + ". Set the charset the file was exported in.";
        } else {
            message = where + "reading the file failed: " + cause.getMessage();
        }
        return new CrmSyncException(ErrorCode.INVALID_INPUT, message, cause);
    }

    private static boolean isBlank(CSVRecord record) {
        // By index: a CSVRecord's iterator copies its values into a new list first.
        for (int i = 0; i < record.size(); i++) {
            if (!record.get(i).isBlank()) {
                return false;
            }
        }
        return true;
    }

    /** Whether only the first value of the record is non-blank. */
    private static String quoted(Iterable<String> values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add("\"" + v + "\""));
        return String.join(", ", out);
    }

    private ExportRow toRow(Numbered numbered) {
        CSVRecord record = numbered.record;
        int columns = headings.size();
        String[] values = new String[layout.size()];
        for (int i = 0; i < Math.min(columns, record.size()); i++) {
            int position = positionOfColumn[i];
            String value = record.get(i);
            if (position >= 0 && !value.isBlank()) {
                values[position] = value;
            }
        }
        // Said without the line: whoever reports the problem puts the row's location() before it.
        String problem = record.size() <= columns
                ? null
                : "the record has " + record.size() + " values but the header has " + columns + " columns; a"
                        + " delimiter inside an unquoted value may have shifted them";
        return new ExportRow(source, numbered.line, layout.values(values), problem);
    }

    private final class RowIterator implements Iterator<ExportRow> {
        private ExportRow next;
        private boolean finished;
        private boolean afterBlankLine;
        private final java.util.List<ExportRow> held = new java.util.ArrayList<>();
        private final java.util.ArrayDeque<ExportRow> release = new java.util.ArrayDeque<>();

        @Override
        public boolean hasNext() {
            if (next == null && !finished) {
                try {
                    next = fetch();
                } catch (RuntimeException e) {
                    finished = true;
                    throw e;
                }
                finished = next == null;
            }
            return next != null;
        }

        @Override
        public ExportRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException(source + ": no more records");
            }
            ExportRow row = next;
            next = null;
            return row;
        }

        private ExportRow fetch() {
            if (closed) {
                throw new IllegalStateException(source + ": the reader is closed");
            }
            while (true) {
                if (!release.isEmpty()) {
                    return release.poll();
                }
                Numbered numbered = readRecord();
                if (numbered == null) {
                    // End of file: rows held with no end after them were data.
                    release.addAll(held);
                    held.clear();
                    if (release.isEmpty()) {
                        return null;
                    }
                    continue;
                }
                if (isBlank(numbered.record)) {
                    afterBlankLine = true;
                    continue;
                }
                boolean blankBefore = afterBlankLine;
                afterBlankLine = false;
                ExportRow row = toRow(numbered); // built once, whether it is held or returned
                switch (rowFilter.classify(row, blankBefore)) {
                    case END:
                        // The data ended: rows held before this one were not data either.
                        held.clear();
                        return null;
                    case HOLD:
                        held.add(row); // the next rows decide
                        continue;
                    default:
                        if (!held.isEmpty()) {
                            // A data row: the data goes on, so the rows held were data too.
                            release.addAll(held);
                            held.clear();
                            release.add(row);
                            continue;
                        }
                        return row;
                }
            }
        }
    }

    private static final class Numbered {
        final long line;
        final CSVRecord record;

        Numbered(long line, CSVRecord record) {
            this.line = line;
            this.record = record;
        }
    }

    /** Builds and opens an {@link ExportFileReader}. */
    public static final class Builder {
        private String source;
        private InputStream inputStream;
        private Reader reader;
        private Charset charset;
        private List<String> requiredHeadings = List.of();
        private final Map<String, String> mappedHeadings = new LinkedHashMap<>();
        private char delimiter = ',';
        private RowFilter.Factory rowFilter = RowFilter.NONE;

        private Builder() {}

        /** The file name or a description of the export, named in every message. Required. */
        public Builder source(String source) {
            this.source = requireNonNull(source, "source");
            return this;
        }

        /** The bytes of the file, decoded with {@link #charset(Charset)}. Give this or a reader. */
        public Builder input(InputStream input) {
            this.inputStream = requireNonNull(input, "input");
            return this;
        }

        /** The characters of the file. Give this or an input stream. */
        public Builder input(Reader input) {
            this.reader = requireNonNull(input, "input");
            return this;
        }

        /** The charset of an input stream; UTF-8 unless set. Bytes not valid in it are an error. */
        public Builder charset(Charset charset) {
            this.charset = requireNonNull(charset, "charset");
            return this;
        }

        /** Headings the header must have, such as {@code "Contact ID"}; compared after trimming. */
        public Builder requiredHeadings(String... headings) {
            return requiredHeadings(List.of(requireNonNull(headings, "headings")));
        }

        /** Headings the header must have, such as {@code "Contact ID"}; compared after trimming. */
        public Builder requiredHeadings(List<String> headings) {
            this.requiredHeadings = List.copyOf(requireNonNull(headings, "headings"));
            return this;
        }

        /**
         * Requires the CSV heading of every rule of {@code mapping} that has one ({@link FieldRule#csvHeading()}),
         * besides the {@link #requiredHeadings(List) required headings}. A file without one of them would
         * silently leave that field out of every record (an opt-in column under another name skips every row as
         * not opted in; a renamed mobile column, every row as without a mobile number), so {@link #open()} fails
         * instead, naming each missing heading with its local field and every heading the file has. A rule
         * without a CSV heading is read from the CRM's API only and is not required. Replaces an earlier mapping.
         */
        public Builder mappedHeadings(FieldMapping mapping) {
            requireNonNull(mapping, "mapping");
            mappedHeadings.clear();
            for (FieldRule rule : mapping.rules()) {
                rule.csvHeading().ifPresent(h -> mappedHeadings.put(h, rule.localField()));
            }
            return this;
        }

        /** Every heading the header must have, in order: the required ones, then the mapping's. */
        private Map<String, Optional<String>> wantedHeadings() {
            Map<String, Optional<String>> wanted = new LinkedHashMap<>();
            requiredHeadings.forEach(h -> wanted.put(h, Optional.ofNullable(mappedHeadings.get(h))));
            mappedHeadings.forEach((h, field) -> wanted.putIfAbsent(h, Optional.of(field)));
            return wanted;
        }

        /** The value delimiter; {@code ','} unless set. */
        public Builder delimiter(char delimiter) {
            this.delimiter = delimiter;
            return this;
        }

        /** The file's own rules about where its data ends (see {@link RowFilter}); every row is data unless set. */
        public Builder rowFilter(RowFilter.Factory rowFilter) {
            this.rowFilter = requireNonNull(rowFilter, "rowFilter");
            return this;
        }

        /**
         * Opens the input and reads the header row.
         *
         * @throws IllegalArgumentException naming every bad setting
         * @throws CrmSyncException with {@link ErrorCode#INVALID_INPUT} for an empty file or a bad header
         */
        public ExportFileReader open() {
            List<String> problems = new ArrayList<>();
            if (source == null || source.isBlank()) {
                problems.add("a source name is required");
            }
            if ((inputStream == null) == (reader == null)) {
                problems.add("give exactly one input, an InputStream or a Reader");
            }
            if (reader != null && charset != null) {
                problems.add("a charset applies only to an InputStream input");
            }
            if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
                problems.add("the delimiter may not be a double quote or a line break");
            }
            for (String heading : requiredHeadings) {
                if (heading.isBlank() || !heading.equals(heading.strip())) {
                    problems.add("required heading \"" + heading + "\" is blank or has surrounding spaces");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("export file reader: " + String.join("; ", problems));
            }
            Reader input = reader != null
                    ? reader
                    : new StrictDecodingReader(inputStream, charset == null ? StandardCharsets.UTF_8 : charset);
            try {
                return new ExportFileReader(this, withoutByteOrderMark(input));
            } catch (IOException e) {
                closeQuietly(input);
                String reason = e instanceof CharacterCodingException
                        ? "the file starts with bytes that are not valid " + charsetName()
                                + ". Set the charset the file was exported in."
                        : "reading the file failed: " + e.getMessage();
                throw new CrmSyncException(ErrorCode.INVALID_INPUT, source + " line 1: " + reason, e);
            } catch (RuntimeException e) {
                closeQuietly(input);
                throw e;
            }
        }

        private String charsetName() {
            return reader != null ? "in the file's charset" : (charset == null ? StandardCharsets.UTF_8 : charset).name();
        }

        private static Reader withoutByteOrderMark(Reader input) throws IOException {
            PushbackReader pushback = new PushbackReader(input, 1);
            int first = pushback.read();
            if (first != -1 && first != BYTE_ORDER_MARK) {
                pushback.unread(first);
            }
            return pushback;
        }

        private static void closeQuietly(Reader input) {
            try {
                input.close();
            } catch (IOException e) {
                // Already failing; the original error is the one to report.
            }
        }
    }
}
