package org.crmsync.spi;

import java.time.Clock;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;

/**
 * What a connector may know about the run it is serving, passed to every call: the job, the field
 * mapping, the policy, the meter that counts API calls against the quota, the clock, and whether the
 * run is a dry run (a connector then reads and looks up, but writes nothing).
 */
public interface SyncContext {
    String jobId();

    /**
     * Which way this run moves records, so a connector checks only what that direction needs (for
     * example, an inbound run does not need its mapped fields to be writable). The engine's context
     * always says; the default is for hand-made contexts in tests that never ask.
     */
    default org.crmsync.SyncDirection direction() {
        throw new UnsupportedOperationException("this SyncContext does not say its direction");
    }

    FieldMapping mapping();

    SyncPolicy policy();

    ApiCallMeter calls();

    Clock clock();

    boolean dryRun();
}
