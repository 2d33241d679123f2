package org.crmsync.salesforce;

import static java.util.Objects.requireNonNull;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import org.crmsync.csv.ExportRow;
import org.crmsync.kit.FileChangeStream;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/**
 * The rows of a Salesforce report export (the seed's "custom export URL ... ending in =CSV"), streamed
 * from the download through the kit's {@link FileChangeStream}: fields keyed by CSV heading, the record id
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
final class SalesforceExportReader {
    private SalesforceExportReader() {
    }

    /**
     * The download as a change stream (the kit's {@link FileChangeStream}, one file); its header is read
     * by the first {@code hasNext()}.
     *
     * @throws org.crmsync.CrmSyncException with {@code INVALID_INPUT} (from {@code hasNext()}) when the file
     *     is empty or has no {@code idHeading} column, or no column for one of the mapping's CSV headings
     */
    static ChangeStream open(ResponseBody body, String source, String idHeading, FieldMapping mapping) {
        requireNonNull(body, "body");
        Charset charset = Optional.ofNullable(body.contentType()).map(MediaType::charset).orElse(StandardCharsets.UTF_8);
        FileChangeStream rows = FileChangeStream.builder()
                .files(List.of(new FileChangeStream.FileSource(source, body::byteStream, charset)))
                .requiredHeadings(idHeading).mappedHeadings(mapping).rowFilter(SalesforceReportFooter.FACTORY)
                .records((row, cursor) -> record(row, cursor, idHeading)).build();
        rows.hasNext(); // the header now: a missing column fails the run before any record moves
        return rows;
    }

    private static RemoteRecord record(ExportRow row, SyncCursor cursor, String idHeading) {
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
}
