package org.crmsync.activecampaign;

import java.time.Clock;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.SyncContext;

/** A sync context for calling a connector directly, outside the engine. */
record DirectContext(FieldMapping mapping, SyncPolicy policy, Clock clock, ApiCallMeter calls) implements SyncContext {
    DirectContext(FieldMapping mapping, SyncPolicy policy, Clock clock) {
        this(mapping, policy, clock, ApiCallMeter.unlimited());
    }

    @Override
    public String jobId() {
        return "test";
    }

    public org.crmsync.SyncDirection direction() {
        return org.crmsync.SyncDirection.OUTBOUND;
    }

    @Override
    public boolean dryRun() {
        return false;
    }
}
