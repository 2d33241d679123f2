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

    /** A record read by a query; the cursor after it is its (SystemModstamp, Id). */
    static RemoteRecord changed(ObjectNode record, List<String> selected, SyncCursor previous) {
        String id = text(record, ID);
        Optional<Instant> modstamp = dateTime(text(record, MODSTAMP));
        String location = "Salesforce Contact " + (id.isEmpty() ? "(no Id)" : id);
        if (id.isEmpty() || modstamp.isEmpty()) {
            return RemoteRecord.malformed(id, previous, location, "the query answered a Contact without "
                    + (id.isEmpty() ? "an Id" : "a readable SystemModstamp ('" + text(record, MODSTAMP) + "')"));
        }
        SyncCursor after = SyncCursor.of(CURSOR_MODSTAMP, modstamp.get().toString(), CURSOR_ID, id);
        return RemoteRecord.of(id, fields(record, selected), RecordSource.API, after, location);
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
