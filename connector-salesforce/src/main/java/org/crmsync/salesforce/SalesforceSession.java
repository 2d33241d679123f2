package org.crmsync.salesforce;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.http.RunMeters;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;

/**
 * One run's use of a {@link SalesforceConnector}: the connector's login, HTTP client and describe
 * cache are shared with other runs; every request this session sends, its change stream's page reads
 * included, is charged to its own run's meter.
 */
final class SalesforceSession implements ConnectorSession {
    private final SalesforceConnector connector;
    private final SyncContext context;
    private final RunMeters meters;

    SalesforceSession(SalesforceConnector connector, SyncContext context, RunMeters meters) {
        this.connector = connector;
        this.context = context;
        this.meters = meters;
    }

    @Override
    public List<PreflightProblem> preflight() {
        return meters.charging(context.calls(), () -> connector.preflight(context));
    }

    @Override
    public ChangeFeed readChanges(SyncCursor since) {
        return ChangeFeed.ready(meters.charging(context.calls(),
                meters.charging(context.calls(), () -> connector.readChanges(context, since))));
    }

    @Override
    public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
        return meters.charging(context.calls(), () -> connector.lookup(context, requests));
    }

    @Override
    public Optional<String> missingRequiredField(RemoteWrite write) {
        return connector.missingRequiredField(write);
    }

    @Override
    public List<WriteResult> write(List<RemoteWrite> batch) {
        return meters.charging(context.calls(), () -> connector.write(context, batch));
    }

    @Override
    public Map<String, RemoteRecord> read(List<String> remoteIds) {
        return meters.charging(context.calls(), () -> connector.read(context, remoteIds));
    }
}
