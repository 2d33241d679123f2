package org.crmsync.actionkit;

import java.time.Clock;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.SyncContext;

/** A {@link SyncContext} for calling the connector directly, without the engine. */
record DirectContext(ActionKitFixture f, SyncDirection direction, ApiCallMeter meter) implements SyncContext {
    DirectContext(ActionKitFixture f, SyncDirection direction) {
        this(f, direction, ApiCallMeter.unlimited());
    }

    @Override
    public String jobId() {
        return "direct";
    }

    @Override
    public FieldMapping mapping() {
        return f.mapping;
    }

    @Override
    public SyncPolicy policy() {
        return f.policy;
    }

    @Override
    public ApiCallMeter calls() {
        return meter;
    }

    @Override
    public Clock clock() {
        return f.clock;
    }

    @Override
    public boolean dryRun() {
        return false;
    }
}
