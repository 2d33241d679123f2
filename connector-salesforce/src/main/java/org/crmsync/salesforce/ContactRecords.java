package org.crmsync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.mapping.RecordSource;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;

/** Contacts as the REST API returns them, turned into {@link RemoteRecord}s keyed by API name. */
final class ContactRecords {
    static final String TYPE = "Contact";
    static final String ID = "Id";
    static final String MODSTAMP = "SystemModstamp";
    static final String LAST_NAME = "LastName";
    static final String FIRST_NAME = "FirstName";
    /** Cursor keys: the last record's SystemModstamp and Id, the compound position of an inbound read. */
    static final String CURSOR_MODSTAMP = "modstamp";
    static final String CURSOR_ID = "id";
    /**
     * Cursor key present (value {@value #PASS_OPEN}) while a read of the changes has not reached the end
     * of its query: the next run resumes right after (SystemModstamp, Id), with no look-back, so a run
     * cut off by the quota always makes progress. Absent once a read reached the end: the next run
     * starts a new pass, with the policy's look-back.
     */
    static final String CURSOR_PASS = "pass";
    static final String PASS_OPEN = "open";
    /**
     * Cursor key: where the pass after this one must look back from, when a run cut this pass off within
     * the look-back of its own start. The resumed read continues after (SystemModstamp, Id) without
     * looking back, so a change stamped before that cut but committed after the cut-off run read past it
     * (commit lag) would be passed over; the next new pass therefore starts a look-back before the
     * earliest such cut instead of before its own end. A cut in old records (a backlog read long after
     * the changes) needs none: a change committed that late would be older than any look-back.
     */
    static final String CURSOR_RECHECK = "recheck";

    // REST answers datetimes as 2025-03-04T17:22:05.000+0000: an offset without a colon, which
    // ISO_OFFSET_DATE_TIME refuses.
    private static final DateTimeFormatter SALESFORCE_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private ContactRecords() {
    }

    static Optional<Instant> dateTime(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value, SALESFORCE_DATETIME).toInstant());
        } catch (DateTimeParseException notSalesforceForm) {
            try {
                return Optional.of(OffsetDateTime.parse(value).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * The selected fields of a record as text: JSON null (an empty field) as an empty string, a
     * checkbox as {@code true}/{@code false}, numbers as written. Compound values (objects) are left out;
     * we select component fields only.
     */
    static Map<String, String> fields(ObjectNode record, List<String> selected) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : selected) {
            JsonNode value = record.get(name);
            if (value == null || value.isNull()) {
                out.put(name, "");
            } else if (value.isValueNode()) {
                out.put(name, value.asText());
            }
        }
        return out;
    }

    /**
     * A record read by a query; the cursor after it is its (SystemModstamp, Id), marked
     * {@link #CURSOR_PASS} open unless the record is the last of the query, with the pass's
     * {@link #CURSOR_RECHECK} mark when it has one.
     *
     * @param lastOfPass whether the query has no record after this one
     * @param recheck the pass's recheck mark so far, and since when a cut counts as recent
     */
    static RemoteRecord changed(ObjectNode record, List<String> selected, SyncCursor previous, boolean lastOfPass,
            Recheck recheck) {
        String id = text(record, ID);
        Optional<Instant> modstamp = dateTime(text(record, MODSTAMP));
        String location = "Salesforce Contact " + (id.isEmpty() ? "(no Id)" : id);
        if (id.isEmpty() || modstamp.isEmpty()) {
            return RemoteRecord.malformed(id, lastOfPass ? closed(previous) : previous, location, "the query answered"
                    + " a Contact without " + (id.isEmpty() ? "an Id"
                            : "a readable SystemModstamp ('" + text(record, MODSTAMP) + "')"));
        }
        Map<String, String> after = new LinkedHashMap<>();
        after.put(CURSOR_MODSTAMP, modstamp.get().toString());
        after.put(CURSOR_ID, id);
        if (!lastOfPass) {
            after.put(CURSOR_PASS, PASS_OPEN);
        }
        recheck.after(modstamp.get(), lastOfPass).ifPresent(r -> after.put(CURSOR_RECHECK, r.toString()));
        return RemoteRecord.of(id, fields(record, selected), RecordSource.API, new SyncCursor(after), location);
    }

    /** Whether {@code cursor} stopped inside a read that did not reach the end of its query. */
    static boolean midPass(SyncCursor cursor) {
        return cursor.get(CURSOR_PASS).filter(PASS_OPEN::equals).isPresent();
    }

    /** The cursor's {@link #CURSOR_RECHECK} mark; empty when it has none or it cannot be read. */
    static Optional<Instant> recheck(SyncCursor cursor) {
        try {
            return cursor.get(CURSOR_RECHECK).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The {@link #CURSOR_RECHECK} mark of the records of one read.
     *
     * @param carried the mark of the pass this read resumes (set by an earlier run's cut), if any
     * @param recentAfter a cut after a record stamped later than this is recent (the read's start less
     *     the look-back); empty without a look-back
     */
    record Recheck(Optional<Instant> carried, Optional<Instant> recentAfter) {
        /** No marks: a read without a look-back. */
        static Recheck none() {
            return new Recheck(Optional.empty(), Optional.empty());
        }

        /**
         * The mark of a cursor after a record stamped {@code modstamp}: the mark carried, else, were the
         * read cut right after a recent record, that record's stamp. The last record of a pass carries
         * only an earlier run's mark: a pass read to its end in one run needs no more than its own end.
         */
        Optional<Instant> after(Instant modstamp, boolean lastOfPass) {
            if (carried.isPresent() || lastOfPass) {
                return carried;
            }
            return recentAfter.filter(modstamp::isAfter).map(recent -> modstamp);
        }
    }

    private static SyncCursor closed(SyncCursor cursor) {
        if (!midPass(cursor)) {
            return cursor;
        }
        Map<String, String> values = new LinkedHashMap<>(cursor.values());
        values.remove(CURSOR_PASS);
        return new SyncCursor(values);
    }

    /** A lookup candidate: fields by API name; it moves no cursor. */
    static RemoteRecord candidate(ObjectNode record, List<String> selected) {
        String id = text(record, ID);
        return RemoteRecord.of(id, fields(record, selected), RecordSource.API, SyncCursor.start(),
                "Salesforce Contact " + id);
    }

    static String text(ObjectNode record, String field) {
        JsonNode value = record.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }
}
