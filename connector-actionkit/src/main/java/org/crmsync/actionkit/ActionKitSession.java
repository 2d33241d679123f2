package org.crmsync.actionkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.actionkit.UserRecords.UserWithPhones;
import org.crmsync.http.RunMeters;
import org.crmsync.spi.ActivityResult;
import org.crmsync.spi.ActivityWrite;
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
 * One run's use of an {@link ActionKitConnector}: the connector's HTTP client and schemas are shared with
 * other runs; what this run learnt of its users' phones is its own ({@link PhoneBook}); every request,
 * the change stream's pages included, is charged to its run's meter.
 */
final class ActionKitSession implements ConnectorSession {
    private final ActionKitConnector connector;
    private final SyncContext context;
    private final RunMeters meters;
    private volatile Parts parts;
    private final CallPages callPages;

    /** What the run's calls use, made once the schemas are known. */
    private record Parts(Schemas schemas, PhoneBook phoneBook, UserLookup lookup, UserWriter writer,
            UserUploads uploads) {
    }

    ActionKitSession(ActionKitConnector connector, SyncContext context, RunMeters meters) {
        this.connector = connector;
        this.context = context;
        this.meters = meters;
        this.callPages = new CallPages(connector.client(), connector.config());
    }

    private String source() {
        return context.policy().sourceCode();
    }

    private Parts parts() {
        Parts p = parts;
        if (p == null) {
            synchronized (this) {
                p = parts;
                if (p == null) {
                    Schemas s = connector.schemas();
                    PhoneBook book = new PhoneBook(connector.client(), s, source());
                    UserLookup lookup = new UserLookup(connector.client(), s, source());
                    UserWriter writer = new UserWriter(connector.client(), source(), connector.config().optInField(), book);
                    p = new Parts(s, book, lookup, writer, new UserUploads(connector.client(), connector.config(),
                            connector.context(), lookup, writer, book));
                    parts = p;
                }
            }
        }
        return p;
    }

    @Override
    public List<PreflightProblem> preflight() {
        return meters.charging(context.calls(), () -> {
            List<PreflightProblem> problems = new Preflight(connector, callPages).run(context);
            parts = null; // the schemas were read again
            return problems;
        });
    }

    @Override
    public ChangeFeed readChanges(SyncCursor since) {
        return meters.charging(context.calls(), () -> {
            Parts p = parts();
            Duration lookback = context.policy().inboundLookbackOr(connector.defaultInboundLookback());
            return ChangeFeed.ready(meters.charging(context.calls(), new UserChangeStream(connector.client(),
                    new UserPhones(connector.client(), p.schemas()), source(), since, lookback)));
        });
    }

    @Override
    public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
        return meters.charging(context.calls(), () -> {
            Parts p = parts();
            UserLookup.Found found = p.lookup().lookup(requests);
            found.users().forEach((id, u) -> p.phoneBook().remember(id, u.phones()));
            return found.candidates();
        });
    }

    @Override
    public List<WriteResult> write(List<RemoteWrite> batch) {
        if (context.dryRun()) {
            throw new IllegalStateException("write called in a dry run; nothing may be sent");
        }
        return meters.charging(context.calls(), () -> writeBatch(parts(), batch));
    }

    /**
     * With an Import page configured, the batch's new users and its updates of user fields go through the
     * upload API when there are at least {@code upload.threshold} of them ({@link UserUploads}); everything
     * else, and whatever an upload did not take, through the REST resources.
     */
    private List<WriteResult> writeBatch(Parts p, List<RemoteWrite> batch) {
        ActionKitConfig config = connector.config();
        Map<String, WriteResult> uploaded = new LinkedHashMap<>();
        if (config.uploadPage().isPresent()) {
            List<RemoteWrite> creates = batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.CREATE).toList();
            List<RemoteWrite> updates = batch.stream().filter(UserUploads::uploadable).toList();
            try {
                if (creates.size() >= config.uploadThreshold()) {
                    uploaded.putAll(p.uploads().creates(creates));
                }
                if (updates.size() >= config.uploadThreshold()) {
                    uploaded.putAll(p.uploads().updates(updates));
                }
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                    throw e;
                }
                List<WriteResult> results = new ArrayList<>(uploaded.values());
                batch.stream().filter(w -> !uploaded.containsKey(w.key()))
                        .forEach(w -> results.add(WriteResult.notSent(w.key(), e.getMessage())));
                return results;
            }
        }
        List<WriteResult> results = new ArrayList<>(uploaded.values());
        results.addAll(writeEach(p, batch.stream().filter(w -> !uploaded.containsKey(w.key())).toList()));
        return results;
    }

    /**
     * Each record through the REST resources, in order. When a call fails as a whole (ActionKit down after
     * retries, the quota) the records already written keep their results; the rest are not sent (the
     * quota) or failed and kept (anything else: the next run looks them up before creating any).
     */
    private List<WriteResult> writeEach(Parts p, List<RemoteWrite> batch) {
        List<WriteResult> results = new ArrayList<>(batch.size());
        try {
            // The phones of the users whose mobile numbers this batch writes, in one call per 100 users.
            p.phoneBook().preload(batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.UPDATE
                    && UserWriter.mayWriteMobile(w)).map(w -> w.remoteId().orElseThrow()).toList());
        } catch (CrmSyncException e) {
            if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                throw e;
            }
            batch.forEach(w -> results.add(WriteResult.notSent(w.key(), e.getMessage())));
            return results;
        }
        for (int i = 0; i < batch.size(); i++) {
            RemoteWrite w = batch.get(i);
            try {
                results.add(w.operation() == RemoteWrite.Operation.CREATE ? p.writer().create(w) : p.writer().update(w));
            } catch (CrmSyncException e) {
                if (i == 0 && e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                    throw e; // nothing of this batch was written: the run stops, the batch is kept
                }
                boolean quota = e.code() == ErrorCode.QUOTA_EXHAUSTED;
                for (int j = i; j < batch.size(); j++) {
                    String key = batch.get(j).key();
                    String why = j == i ? e.getMessage() : "not sent: a call before it in this batch failed: "
                            + e.getMessage();
                    results.add(quota ? WriteResult.notSent(key, e.getMessage()) : WriteResult.failed(key, null, why, true));
                }
                break;
            }
        }
        return results;
    }

    /** mConnect calls, posted as actions on their call pages ({@link CallActions}). */
    @Override
    public List<ActivityResult> writeActivities(List<ActivityWrite> batch) {
        if (context.dryRun()) {
            throw new IllegalStateException("writeActivities called in a dry run; nothing may be sent");
        }
        return meters.charging(context.calls(), () -> new CallActions(connector.client(), connector.config(), callPages,
                parts().lookup()).write(batch));
    }

    /** The current users with these ids, with their phones, as the inbound read gives them. */
    @Override
    public Map<String, RemoteRecord> read(List<String> remoteIds) {
        return meters.charging(context.calls(), () -> {
            Parts p = parts();
            List<String> ids = remoteIds.stream().filter(id -> id.matches("[0-9]{1,18}")).distinct().toList();
            var users = p.lookup().usersById(ids);
            var phones = new UserPhones(connector.client(), p.schemas()).of(users);
            Map<String, RemoteRecord> found = new LinkedHashMap<>();
            users.forEach(u -> {
                UserWithPhones withPhones = new UserWithPhones(u, phones.getOrDefault(
                        org.crmsync.actionkit.internal.ActionKitJson.text(u, "id"), List.of()));
                found.put(withPhones.id(), UserRecords.record(withPhones, source(), SyncCursor.start()));
            });
            return found;
        });
    }
}
