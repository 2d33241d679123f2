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

    FieldMapping mapping();

    SyncPolicy policy();

    ApiCallMeter calls();

    Clock clock();

    boolean dryRun();
}
