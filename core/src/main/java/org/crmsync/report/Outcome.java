package org.crmsync.report;

/** What happened to one record, as the synchronization report of the seeds' platform counts it. */
public enum Outcome {
    /** A new profile (inbound) or CRM record (outbound) was created. */
    CREATED,
    /** An existing profile or CRM record was changed. */
    UPDATED,
    /** The record was already equal on both sides. */
    NO_DIFFERENCE,
    /** The record was not synced, on purpose; the reason says why. */
    SKIPPED,
    /** The record was left for a later run (the daily API quota was reached). Nothing is lost. */
    DEFERRED,
    /** The record could not be synced; it is kept and retried on the next run. */
    FAILED
}
