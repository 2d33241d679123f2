package org.crmsync;

/** Which way records move. */
public enum SyncDirection {
    /** CRM to application (the seeds' nightly sync). */
    INBOUND,
    /** Application to CRM (the seeds' every-five-minutes sync of opt-ins and opt-outs). */
    OUTBOUND
}
