package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the CRM did with one record of a write batch.
 *
 * @param key the {@link RemoteWrite#key()} of the record
 * @param status what happened: created, matched, updated, unchanged, not sent, excluded or failed
 * @param remoteId the CRM record id (the new id for a create)
 * @param errorCode the CRM's own error code for a failure (e.g. Salesforce's {@code REQUIRED_FIELD_MISSING})
 * @param message what happened, for the report; never a secret
 * @param retryable whether sending the same record again later may succeed
 */
public record WriteResult(String key, Status status, Optional<String> remoteId, Optional<String> errorCode,
        String message, boolean retryable) {
    /** The outcome of one record's write. */
    public enum Status {
        CREATED,
        /**
         * A create the CRM matched to a record it already had ({@link Capability#MATCHES_ON_CREATE});
         * {@code remoteId} is that record. The engine links the profile to it after checking that no
         * other local profile is linked to it.
         */
        MATCHED,
        UPDATED,
        /** The CRM record already had these values; nothing was sent for it. */
        UNCHANGED,
        /**
         * Never reached the CRM (the quota ran out before the call that would carry it): reported as
         * deferred and sent on the next run.
         */
        NOT_SENT,
        /**
         * The CRM left the record alone by a rule of the account that sending it again does not change (an
         * email exclusion list, say): nothing was written. Reported as skipped, with the connector's
         * message, and not kept for a retry; the record is sent again when it changes locally.
         */
        EXCLUDED,
        FAILED
    }

    public WriteResult {
        requireNonNull(key, "key");
        requireNonNull(status, "status");
        requireNonNull(remoteId, "remoteId");
        requireNonNull(errorCode, "errorCode");
        requireNonNull(message, "message");
        if ((status == Status.CREATED || status == Status.MATCHED) && remoteId.isEmpty()) {
            throw new IllegalArgumentException("a " + status.name().toLowerCase(java.util.Locale.ROOT)
                    + " record needs its CRM id (" + key + ")");
        }
    }

    public static WriteResult created(String key, String remoteId) {
        return new WriteResult(key, Status.CREATED, Optional.of(remoteId), Optional.empty(), "", false);
    }

    /** A create the CRM matched to its existing record {@code remoteId}. */
    public static WriteResult matched(String key, String remoteId, String message) {
        return new WriteResult(key, Status.MATCHED, Optional.of(remoteId), Optional.empty(), message, false);
    }

    /** Never sent: the quota (or the run) stopped before the call that would carry it. */
    public static WriteResult notSent(String key, String why) {
        return new WriteResult(key, Status.NOT_SENT, Optional.empty(), Optional.empty(), why, true);
    }

    public static WriteResult updated(String key, String remoteId) {
        return new WriteResult(key, Status.UPDATED, Optional.of(remoteId), Optional.empty(), "", false);
    }

    /** The record already had these values; the connector sent nothing for it. */
    public static WriteResult unchanged(String key, String remoteId, String message) {
        return new WriteResult(key, Status.UNCHANGED, Optional.of(remoteId), Optional.empty(), message, false);
    }

    /**
     * The CRM keeps this record out by a rule of the account ({@link Status#EXCLUDED}).
     *
     * @param errorCode the connector's or CRM's code for the rule, e.g. {@code EMAIL_EXCLUDED}
     * @param message which rule, and what to change in the CRM to let the record through; no personal data
     */
    public static WriteResult excluded(String key, String errorCode, String message) {
        requireNonNull(errorCode, "errorCode");
        return new WriteResult(key, Status.EXCLUDED, Optional.empty(), Optional.of(errorCode), message, false);
    }

    public static WriteResult failed(String key, String errorCode, String message, boolean retryable) {
        return new WriteResult(key, Status.FAILED, Optional.empty(), Optional.ofNullable(errorCode), message,
                retryable);
    }
}
