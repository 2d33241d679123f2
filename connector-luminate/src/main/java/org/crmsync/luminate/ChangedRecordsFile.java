package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.crmsync.csv.ExportFileReader;
import org.crmsync.csv.ExportRow;
import org.crmsync.kit.HydratingChangeStream.ChangedId;
import org.crmsync.spi.RemoteRecord;

/**
 * The changed-records file read as constituent ids, one row at a time. Luminate support sets this file
 * up per organization and no standard layout is documented (reference notes §7), so only the column of
 * constituent ids ({@code export.id.heading}) is required and read: the record read through the API is
 * the truth. The file goes through core's {@link ExportFileReader} (a byte order mark dropped, bytes
 * not valid in {@code export.charset} and an unclosed quote failing with the file and line, a missing
 * id column failing with the headings found), and each id carries the cursor of its line.
 *
 * <p>A row whose id is not a constituent id, or the last row of a file that ends without a line break
 * (a file cut off while it was written: its id may be cut too), is not read through the API: it comes
 * back as a {@link RemoteRecord#malformed} record naming its line.
 */
final class ChangedRecordsFile implements Iterator<ChangedId>, AutoCloseable {
    /** Ids of rows that are not read through the API start with this; no constituent id does. */
    static final String UNREADABLE = "!";

    private final ExportDownload.RemoteFile file;
    private final FileIdentity identity;
    private final String source;
    private final long resumeAfter;
    private final ExportFileReader reader;
    private final Iterator<ExportRow> rows;
    private final ExportDownload.CheckedContent content;
    private final String idHeading;
    private final Map<String, RemoteRecord> problems = new HashMap<>();
    private ExportRow pending;

    /**
     * @param resumeAfter the last line already applied (0 for none)
     */
    ChangedRecordsFile(ExportDownload.RemoteFile file, LuminateConfig config, long resumeAfter) {
        this.file = requireNonNull(file, "file");
        this.identity = file.identity();
        this.source = "Luminate changed-records file " + config.export();
        this.resumeAfter = resumeAfter;
        this.idHeading = config.idHeading();
        java.io.InputStream in = file.content();
        this.content = in instanceof ExportDownload.CheckedContent c ? c : null;
        try {
            this.reader = ExportFileReader.builder().source(source).input(in).charset(config.charset())
                    .requiredHeadings(idHeading).open();
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        this.rows = reader.iterator();
    }

    @Override
    public boolean hasNext() {
        while (pending == null && rows.hasNext()) {
            ExportRow row = rows.next();
            if (row.lineNumber() > resumeAfter) {
                pending = row;
            }
        }
        return pending != null;
    }

    @Override
    public ChangedId next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more rows");
        }
        ExportRow row = pending;
        pending = null;
        boolean last = !rows.hasNext();
        String line = Long.toString(row.lineNumber());
        org.crmsync.spi.SyncCursor cursor = identity.cursor(line);
        Optional<String> value = row.get(idHeading).map(String::trim);
        Optional<String> problem = row.problem();
        if (problem.isEmpty() && last && content != null && content.ended() && !content.endsWithLineBreak()) {
            problem = Optional.of("the file ends inside this row, without a line break after it: it may have been cut"
                    + " off while it was written, so its id is not trusted; the next complete file brings the change");
        }
        if (problem.isEmpty() && value.isEmpty()) {
            problem = Optional.of("the row has no constituent id under \"" + idHeading + "\"");
        }
        if (problem.isEmpty() && !value.get().matches("[0-9]{1,18}")) {
            problem = Optional.of("\"" + idHeading + "\" holds something that is not a constituent id (Luminate's are"
                    + " numbers)");
        }
        if (problem.isPresent()) {
            String id = UNREADABLE + line;
            problems.put(id, RemoteRecord.malformed(value.filter(v -> v.matches("[0-9]{1,18}")).orElse(""), cursor,
                    row.location(), problem.get()));
            return new ChangedId(id, cursor, row.location());
        }
        return new ChangedId(value.get(), cursor, row.location());
    }

    /** The record for a row that is not read through the API, by the id {@link #next()} gave it. */
    Optional<RemoteRecord> problem(String id) {
        return Optional.ofNullable(problems.remove(id));
    }

    @Override
    public void close() {
        reader.close();
        file.close();
    }
}
