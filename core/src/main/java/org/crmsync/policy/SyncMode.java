package org.crmsync.policy;

/** The seeds' two kinds of data sync. */
public enum SyncMode {
    /** Data syncs in both directions regardless of the opt-in status in the CRM. */
    LIBERAL,
    /** Only records whose opt-in status in the CRM is true are synced in. */
    CONSERVATIVE
}
