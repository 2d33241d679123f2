package org.crmsync.report;

/** How a run ended. */
public enum RunStatus {
    /** Every record was read and handled (some may have been skipped or failed, see the rows). */
    COMPLETED,
    /** The daily API quota was reached: the run stopped writing and left the rest for the next run. */
    QUOTA_REACHED,
    /**
     * The CRM is still preparing the changes (an export job running, a file not written yet): the run
     * saved where to find them and read nothing; run it again at {@link SyncReport#retryAfter()}.
     */
    WAITING_FOR_REMOTE,
    /** Preflight found problems (credentials, mapped fields); no record moved. */
    PREFLIGHT_FAILED,
    /** The run stopped on an error that is not one record's (the CRM unreachable, a store failing). */
    FAILED
}
