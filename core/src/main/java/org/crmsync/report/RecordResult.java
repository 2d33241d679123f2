package org.crmsync.report;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.crmsync.SyncDirection;

/**
 * One row of the synchronization report: which record, which way, what happened and why.
 *
 * <p>A value: two rows are equal when all seven parts are. The message may be given as a
 * {@link #lazy lazy} text, which is built the first time {@link #message()} is read (by a sink that
 * writes the row, by the report's JSON or CSV) and never for a row nobody reads: a run of a million
 * updated records that keeps only counts and a sample does not build a million "changed: ..." texts.
 * A lazy message's supplier must be pure (the same text each time) and must not fail; it is called
 * at most once, from whichever thread reads the message first, and then dropped.
 */
public final class RecordResult {
    private final String key;
    private final SyncDirection direction;
    private final Outcome outcome;
    private final Reason reason;
    private final Optional<String> localId;
    private final Optional<String> remoteId;
    /** The built text; {@code null} until a lazy message is first read (then a String, safely shared). */
    private volatile String message;
    /** What builds a lazy message; dropped once it is built, so a kept row holds only its text. */
    private Supplier<String> pending;

    /**
     * A row with its message already built.
     *
     * @param key the record's key: the CRM id (inbound) or the local id (outbound), else where it was read
     * @param direction inbound, outbound or activities
     * @param outcome what happened
     * @param reason why, fitting the outcome
     * @param message details for people (which field was missing, the CRM's error); never a secret
     * @param localId the local profile's id, when there is one
     * @param remoteId the CRM record's id, when there is one
     */
    public RecordResult(String key, SyncDirection direction, Outcome outcome, Reason reason, String message,
            Optional<String> localId, Optional<String> remoteId) {
        this(key, direction, outcome, reason, requireNonNull(message, "message"), null, localId, remoteId);
    }

    private RecordResult(String key, SyncDirection direction, Outcome outcome, Reason reason, String message,
            Supplier<String> pending, Optional<String> localId, Optional<String> remoteId) {
        this.key = requireNonNull(key, "key");
        this.direction = requireNonNull(direction, "direction");
        this.outcome = requireNonNull(outcome, "outcome");
        this.reason = requireNonNull(reason, "reason");
        this.localId = requireNonNull(localId, "localId");
        this.remoteId = requireNonNull(remoteId, "remoteId");
        this.message = message;
        this.pending = pending;
        if (!reason.fits(outcome)) {
            throw new IllegalArgumentException("reason " + reason + " does not go with outcome " + outcome);
        }
    }

    /**
     * A row whose message is built only when it is first read; see the class comment for what the
     * supplier must keep to.
     */
    public static RecordResult lazy(String key, SyncDirection direction, Outcome outcome, Reason reason,
            Supplier<String> message, Optional<String> localId, Optional<String> remoteId) {
        return new RecordResult(key, direction, outcome, reason, null, requireNonNull(message, "message"), localId,
                remoteId);
    }

    /** The record's key: the CRM id (inbound) or the local id (outbound), else where it was read. */
    public String key() {
        return key;
    }

    /** Which way the record went. */
    public SyncDirection direction() {
        return direction;
    }

    /** What happened. */
    public Outcome outcome() {
        return outcome;
    }

    /** Why, fitting the outcome. */
    public Reason reason() {
        return reason;
    }

    /** Details for people (which field was missing, the CRM's error); never a secret; built on first read. */
    public String message() {
        String m = message;
        if (m == null) {
            synchronized (this) {
                m = message;
                if (m == null) {
                    m = requireNonNull(pending.get(), "the message of row " + key);
                    message = m;
                    pending = null;
                }
            }
        }
        return m;
    }

    /** The local profile's id, when there is one. */
    public Optional<String> localId() {
        return localId;
    }

    /** The CRM record's id, when there is one. */
    public Optional<String> remoteId() {
        return remoteId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordResult r && key.equals(r.key) && direction == r.direction && outcome == r.outcome
                && reason == r.reason && localId.equals(r.localId) && remoteId.equals(r.remoteId)
                && message().equals(r.message());
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, direction, outcome, reason, message(), localId, remoteId);
    }

    @Override
    public String toString() {
        return "RecordResult[key=" + key + ", direction=" + direction + ", outcome=" + outcome + ", reason=" + reason
                + ", message=" + message() + ", localId=" + localId + ", remoteId=" + remoteId + "]";
    }
}
