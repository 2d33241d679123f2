package org.crmsync.report;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.crmsync.SyncDirection;

/**
 * One row of the synchronization report: which record, which way, what happened and why.
 *
 * @param key the record's key: the CRM id (inbound) or the local id (outbound), else where it was read
 * @param direction inbound or outbound
 * @param outcome what happened
 * @param reason why, fitting the outcome
 * @param message details for people (which field was missing, the CRM's error); never a secret
 * @param localId the local profile's id, when there is one
 * @param remoteId the CRM record's id, when there is one
 */
public record RecordResult(String key, SyncDirection direction, Outcome outcome, Reason reason, String message,
        Optional<String> localId, Optional<String> remoteId) {
    public RecordResult {
        requireNonNull(key, "key");
        requireNonNull(direction, "direction");
        requireNonNull(outcome, "outcome");
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
        requireNonNull(localId, "localId");
        requireNonNull(remoteId, "remoteId");
        if (!reason.fits(outcome)) {
            throw new IllegalArgumentException("reason " + reason + " does not go with outcome " + outcome);
        }
    }
}
