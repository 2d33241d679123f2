package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.crmsync.mapping.RecordSource;

/**
 * One CRM record as a connector read it: its id in the CRM, its fields keyed by API field name (for
 * {@link RecordSource#API}) or CSV heading (for {@link RecordSource#EXPORT_FILE}), the cursor that
 * follows it, where it was read (for messages, e.g. {@code export.csv line 12}), and, when the
 * connector could not read it properly, the problem.
 *
 * @param problem empty for a record read properly; else why not, and whether reading it again may
 *     work ({@link Problem#retryable()}: the engine keeps such a record and reads it again by id on the
 *     next run) or not (malformed data: reported as failed; it comes back when the CRM's data changes)
 */
public record RemoteRecord(String remoteId, Map<String, String> fields, RecordSource source, SyncCursor cursorAfter,
        String location, Optional<Problem> problem) {
    /** Why a record could not be read; the message names no personal value. */
    public record Problem(String message, boolean retryable) {
        public Problem {
            requireNonNull(message, "message");
        }
    }

    public RemoteRecord {
        requireNonNull(remoteId, "remoteId");
        requireNonNull(fields, "fields");
        requireNonNull(source, "source");
        requireNonNull(cursorAfter, "cursorAfter");
        requireNonNull(location, "location");
        requireNonNull(problem, "problem");
        if (!(fields instanceof FieldValues)) { // immutable, with no null name or value: kept as it is
            Map<String, String> copy = new LinkedHashMap<>(fields.size() * 4 / 3 + 1);
            fields.forEach((k, v) -> copy.put(requireNonNull(k, "field name"), v == null ? "" : v));
            fields = Collections.unmodifiableMap(copy);
        }
    }

    /** A record read without problems. */
    public static RemoteRecord of(String remoteId, Map<String, String> fields, RecordSource source,
            SyncCursor cursorAfter, String location) {
        return new RemoteRecord(remoteId, fields, source, cursorAfter, location, Optional.empty());
    }

    /** A record whose data the connector could not make sense of; the engine reports it as failed. */
    public static RemoteRecord malformed(String remoteId, SyncCursor cursorAfter, String location, String problem) {
        return new RemoteRecord(remoteId, Map.of(), RecordSource.API, cursorAfter, location,
                Optional.of(new Problem(problem, false)));
    }

    /**
     * A record the CRM named as changed but that could not be read now (its read failed); the engine
     * keeps it and reads it again by id on the next run ({@link Capability#READ_BY_ID}).
     */
    public static RemoteRecord unreadable(String remoteId, SyncCursor cursorAfter, String location, String why) {
        requireNonNull(remoteId, "remoteId");
        if (remoteId.isEmpty()) {
            throw new IllegalArgumentException("an unreadable record needs its id, to be read again");
        }
        return new RemoteRecord(remoteId, Map.of(), RecordSource.API, cursorAfter, location,
                Optional.of(new Problem(why, true)));
    }

    /** A field's value by its remote name; blank values are empty. */
    public Optional<String> field(String remoteName) {
        return Optional.ofNullable(fields.get(remoteName)).filter(v -> !v.isBlank());
    }

    /** Records hold personal data: only the id and location are printed. */
    @Override
    public String toString() {
        return "RemoteRecord{" + remoteId + " at " + location + problem.map(p -> ", problem=" + p.message()).orElse("")
                + "}";
    }
}
