package org.crmsync.activity;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something a person did on the application's side that the CRM records but that is not a profile: a
 * call made through the platform, a donation. Activities are pushed to the CRM exactly once, after the
 * person's profile is linked to a CRM record.
 *
 * @param key the application's stable key for the activity (its call or donation id): the same
 *     activity always has the same key, and no two activities share one; connectors that can store it
 *     in the CRM do, so a retry finds what an earlier attempt posted
 * @param type what kind of activity, such as {@code call} or {@code donation}: the {@link
 *     ActivityMapping} says per type which fields go to the CRM
 * @param localId the local profile the activity belongs to
 * @param occurredAt when it happened
 * @param fields its values by local field name (a call's {@code recipient_id}, a donation's {@code
 *     amount}); never null values
 * @param sequence its place in the {@link ActivitySource}, increasing; 0 for an activity not yet added
 *     to a source
 */
public record Activity(String key, String type, String localId, Instant occurredAt, Map<String, String> fields,
        long sequence) {
    public Activity {
        requireNonNull(key, "key");
        requireNonNull(type, "type");
        requireNonNull(localId, "localId");
        requireNonNull(occurredAt, "occurredAt");
        requireNonNull(fields, "fields");
        if (key.isBlank()) {
            throw new IllegalArgumentException("an activity needs a key (the application's id for it)");
        }
        if (!type.matches("[a-z0-9_.-]+")) {
            throw new IllegalArgumentException("activity " + key + ": type '" + type
                    + "' may only contain lower-case letters, digits, '_', '.' and '-'");
        }
        if (localId.isBlank()) {
            throw new IllegalArgumentException("activity " + key + " needs the local id of its profile");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("activity " + key + ": sequence may not be negative: " + sequence);
        }
        Map<String, String> copy = new LinkedHashMap<>();
        fields.forEach((name, value) -> {
            requireNonNull(name, "field name");
            if (value == null) {
                throw new IllegalArgumentException("activity " + key + ": field " + name + " has no value (leave it"
                        + " out instead)");
            }
            copy.put(name, value);
        });
        fields = Collections.unmodifiableMap(copy);
    }

    /** An activity not yet added to a source. */
    public static Activity of(String key, String type, String localId, Instant occurredAt, Map<String, String> fields) {
        return new Activity(key, type, localId, occurredAt, fields, 0);
    }

    /** This activity at {@code place} of a source. */
    public Activity atSequence(long place) {
        return new Activity(key, type, localId, occurredAt, fields, place);
    }

    /** Names the activity by key and type only: its fields may hold personal data. */
    @Override
    public String toString() {
        return "Activity{" + key + " " + type + " of " + localId + " #" + sequence + "}";
    }
}
