package org.crmsync.salesforce;

import static java.util.Objects.requireNonNull;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import org.crmsync.csv.ExportFileReader;
import org.crmsync.csv.ExportRow;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * The rows of a Salesforce report export (the seed's "custom export URL ... ending in =CSV"), streamed
 * from the download through core's {@link ExportFileReader}: fields keyed by CSV heading, the record id
 * from the Contact ID column (required) in its 18-character form. Every CSV heading of the field mapping
 * must be a column of the report (a report can rename its columns, and a column missing under its
 * mapped heading would drop that field from every row: no opt-out would ever be read), so a file
 * without one fails when it is opened, before any row moves, naming the missing headings and the ones
 * the report has. The footer Salesforce appends after
 * the data (a blank line, "Grand Totals (n records)", "Confidential Information - Do Not Distribute",
 * "Copyright (c) ... salesforce.com, inc.") ends the data; it is neither records nor errors.
 *
 * <p>A report has no cursor: each run reads the report as it stands (its own filters, such as "last
 * modified in the last 2 days", decide which contacts it lists), and applying a row twice changes
 * nothing.
 */
final class SalesforceExportReader implements ChangeStream {
    static final String CURSOR_DOWNLOADED = "export.downloaded";
    static final String CURSOR_LINE = "export.line";

    private final ExportFileReader reader;
    private final Iterator<ExportRow> rows;
    private final String idHeading;
    private final String downloadedAt;

    private SalesforceExportReader(ExportFileReader reader, String idHeading, Instant downloadedAt) {
        this.reader = reader;
        this.rows = reader.iterator();
        this.idHeading = idHeading;
        this.downloadedAt = downloadedAt.toString();
    }

    /**
     * Reads the header of a downloaded export.
     *
     * @throws org.crmsync.CrmSyncException with {@code INVALID_INPUT} when the file is empty or has no
     *     {@code idHeading} column, or no column for one of the mapping's CSV headings
     */
    static SalesforceExportReader open(ResponseBody body, String source, String idHeading, FieldMapping mapping,
            Instant downloadedAt) {
        requireNonNull(body, "body");
        Charset charset = Optional.ofNullable(body.contentType()).map(MediaType::charset).orElse(StandardCharsets.UTF_8);
        ExportFileReader reader = ExportFileReader.builder().source(source).input(body.byteStream()).charset(charset)
                .requiredHeadings(idHeading).mappedHeadings(mapping).rowFilter(SalesforceReportFooter.FACTORY).open();
        return new SalesforceExportReader(reader, idHeading, downloadedAt);
    }

    @Override
    public boolean hasNext() {
        return rows.hasNext();
    }

    @Override
    public RemoteRecord next() {
        if (!rows.hasNext()) {
            throw new NoSuchElementException(reader.source() + ": no more rows");
        }
        ExportRow row = rows.next();
        SyncCursor cursor = SyncCursor.of(CURSOR_DOWNLOADED, downloadedAt, CURSOR_LINE, Long.toString(row.lineNumber()));
        Optional<String> raw = row.get(idHeading);
        Optional<String> id = raw.flatMap(SalesforceIds::to18);
        if (row.problem().isPresent()) {
            return RemoteRecord.malformed(id.orElse(""), cursor, row.location(), row.problem().get());
        }
        if (id.isEmpty()) {
            return RemoteRecord.malformed("", cursor, row.location(), raw.isEmpty()
                    ? "no value in the " + idHeading + " column"
                    : "'" + raw.get() + "' in the " + idHeading + " column is not a Salesforce record id");
        }
        Map<String, String> fields = new LinkedHashMap<>(row.values());
        fields.put(idHeading, id.get());
        return RemoteRecord.of(id.get(), fields, RecordSource.EXPORT_FILE, cursor, row.location());
    }

    @Override
    public void close() {
        reader.close();
    }
}
