package org.crmsync.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.crmsync.mapping.RecordSource;

/**
 * A record a run could not finish, kept for the next run. Outbound, the key is the local id and the
 * engine reloads the profile; inbound, the CRM record's fields are kept so the record is applied again
 * even though the cursor has moved past it.
 *
 * @param key local id (outbound) or CRM id (inbound)
 * @param attempts how many runs have tried it
 * @param lastError the last failure, for the report
 * @param firstFailedAt when it first failed
 * @param remoteFields inbound only: the CRM record's fields
 * @param source inbound only: where the fields were read
 */
public record PendingRecord(String key, int attempts, String lastError, Instant firstFailedAt,
        Map<String, String> remoteFields, Optional<RecordSource> source) {
    public PendingRecord {
        requireNonNull(key, "key");
        requireNonNull(lastError, "lastError");
        requireNonNull(firstFailedAt, "firstFailedAt");
        remoteFields = Map.copyOf(remoteFields);
        requireNonNull(source, "source");
    }
}
