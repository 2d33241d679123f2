package org.crmsync;

/** Which way records move. */
public enum SyncDirection {
    /** CRM to application (the seeds' nightly sync). */
    INBOUND,
    /** Application to CRM (the seeds' every-five-minutes sync of opt-ins and opt-outs). */
    OUTBOUND,
    /**
     * Application to CRM, for activities (calls, donations) rather than profiles: each posted once,
     * after its profile is linked. A job of this direction reads its {@code ActivitySource}.
     */
    ACTIVITIES
}
