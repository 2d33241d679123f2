package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the CRM did with one activity of a batch.
 *
 * @param key the {@link ActivityWrite#key()} of the activity
 * @param status what happened
 * @param remoteId the CRM's id of the posted activity, when it gives one
 * @param errorCode the CRM's own code for a failure
 * @param message what happened, for the report; never a secret or a field value
 * @param retryable for a failure: whether posting it again later may succeed (the CRM refused it, so
 *     it was not posted)
 */
public record ActivityResult(String key, Status status, Optional<String> remoteId, Optional<String> errorCode,
        String message, boolean retryable) {
    /** The outcome of one activity's write. */
    public enum Status {
        /** Posted now. */
        POSTED,
        /** An in-doubt activity the connector found in the CRM by its key: an earlier attempt posted it. */
        ALREADY_POSTED,
        /** Never reached the CRM (the quota ran out before the call that would carry it). */
        NOT_SENT,
        /** The CRM refused it: not posted. */
        FAILED
    }

    public ActivityResult {
        requireNonNull(key, "key");
        requireNonNull(status, "status");
        requireNonNull(remoteId, "remoteId");
        requireNonNull(errorCode, "errorCode");
        requireNonNull(message, "message");
    }

    public static ActivityResult posted(String key, Optional<String> remoteId) {
        return new ActivityResult(key, Status.POSTED, remoteId, Optional.empty(), "", false);
    }

    public static ActivityResult alreadyPosted(String key, Optional<String> remoteId) {
        return new ActivityResult(key, Status.ALREADY_POSTED, remoteId, Optional.empty(), "", false);
    }

    public static ActivityResult notSent(String key, String why) {
        return new ActivityResult(key, Status.NOT_SENT, Optional.empty(), Optional.empty(), why, true);
    }

    public static ActivityResult failed(String key, String errorCode, String message, boolean retryable) {
        return new ActivityResult(key, Status.FAILED, Optional.empty(), Optional.ofNullable(errorCode), message,
                retryable);
    }
}
