package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One activity of a batch to post to the CRM.
 *
 * @param key the application's key of the activity: a connector whose CRM can store it (an action
 *     field, a custom field) writes it with the activity, and results carry it back
 * @param type the CRM's name for the activity's type ({@code ActivityMapping})
 * @param remoteRecordId the CRM record of the person it belongs to (the profile's constituent ID)
 * @param occurredAt when it happened
 * @param fields its values by CRM field name, already mapped
 * @param inDoubt an earlier attempt may have reached the CRM (its answer was lost, or the run stopped
 *     between the write and the cursor): a connector with {@link Capability#FINDS_ACTIVITIES_BY_KEY}
 *     looks for the key first and answers {@link ActivityResult.Status#ALREADY_POSTED} when it finds it
 */
public record ActivityWrite(String key, String type, String remoteRecordId, Instant occurredAt,
        Map<String, String> fields, boolean inDoubt) {
    public ActivityWrite {
        requireNonNull(key, "key");
        requireNonNull(type, "type");
        requireNonNull(remoteRecordId, "remoteRecordId");
        requireNonNull(occurredAt, "occurredAt");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(fields, "fields")));
    }

    /** Names the write by key, type and record only: its fields may hold personal data. */
    @Override
    public String toString() {
        return "ActivityWrite{" + key + " " + type + " on " + remoteRecordId + (inDoubt ? " in doubt" : "") + "}";
    }
}
