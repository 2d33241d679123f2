package org.crmsync.everyaction;

import java.time.Clock;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.SyncContext;

/** A sync context for calling a connector directly, outside the engine. */
record DirectContext(FieldMapping mapping, SyncPolicy policy, Clock clock, SyncDirection direction, ApiCallMeter calls)
        implements SyncContext {
    DirectContext(FieldMapping mapping, SyncPolicy policy, Clock clock, SyncDirection direction) {
        this(mapping, policy, clock, direction, ApiCallMeter.unlimited());
    }

    @Override
    public String jobId() {
        return "test";
    }

    @Override
    public boolean dryRun() {
        return false;
    }
}
