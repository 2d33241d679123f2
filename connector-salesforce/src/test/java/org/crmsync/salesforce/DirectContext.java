package org.crmsync.salesforce;

import java.time.Clock;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.policy.SyncPolicy;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.SyncContext;

/** A {@link SyncContext} for calling the connector directly, without the engine; it counts every call. */
final class DirectContext implements SyncContext {
    private final SalesforceFixture f;
    private final ApiCallMeter meter;

    DirectContext(SalesforceFixture f) {
        this(f, ApiCallMeter.unlimited());
    }

    DirectContext(SalesforceFixture f, ApiCallMeter meter) {
        this.f = f;
        this.meter = meter;
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
    public org.crmsync.SyncDirection direction() {
        return org.crmsync.SyncDirection.OUTBOUND;
    }

    @Override
    public boolean dryRun() {
        return false;
    }
}
