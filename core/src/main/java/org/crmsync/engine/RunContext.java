package org.crmsync.engine;

import java.time.Clock;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.SyncContext;

/** The {@link SyncContext} of one run. */
record RunContext(String jobId, org.crmsync.SyncDirection direction, FieldMapping mapping, SyncPolicy policy, ApiCallMeter calls, Clock clock,
        boolean dryRun) implements SyncContext {
}
