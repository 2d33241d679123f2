package org.crmsync.engine;

import static org.crmsync.engine.Outcomes.row;
import static org.crmsync.engine.Outcomes.skipped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.activity.Activity;
import org.crmsync.activity.ActivityMapping;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.ActivityResult;
import org.crmsync.spi.ActivityWrite;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.PendingRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One activity run (application to CRM, {@link SyncDirection#ACTIVITIES}): the application's
 * activities since the cursor, each posted once to the CRM record of its profile.
 *
 * <p>Exactly once, read top to bottom:
 * <ol>
 *   <li>Before a batch from the source is sent, the cursor is saved with the batch's last sequence as
 *       "in flight" ({@value #IN_FLIGHT_THROUGH}); after its results are applied, the cursor moves past
 *       it. A run that stops in between (a crash, a lost answer) leaves the in-flight mark, and the next
 *       run sends those activities again as {@link ActivityWrite#inDoubt() in doubt}.
 *   <li>A kept activity (waiting for its link, refused with a retry, or in doubt) is a pending record
 *       of the job, marked in doubt before it is sent again.
 *   <li>An in-doubt activity goes to a connector that finds activities by their key ({@link
 *       Capability#FINDS_ACTIVITIES_BY_KEY}), which answers {@code ALREADY_POSTED} when an earlier
 *       attempt landed; any other connector never gets it again (reported {@link Reason#IN_DOUBT}).
 * </ol>
 * An activity whose profile is not linked waits as a pending record ({@link Reason#NOT_LINKED_YET})
 * and is posted by the first run after the profile sync links it. The quota stops the run between
 * batches, or mid-batch where the connector answers {@code NOT_SENT}; what was not sent waits.
 */
final class ActivityRun {
    private static final Logger LOG = LoggerFactory.getLogger(ActivityRun.class);
    private static final SyncDirection ACT = SyncDirection.ACTIVITIES;
    static final String SEQUENCE = "sequence";
    static final String IN_FLIGHT_THROUGH = "inFlightThrough";

    private final SyncJob job;
    private final ConnectorSession session;
    private final RunContext ctx;
    private final QuotaMeter meter;
    private final SyncReport.Builder report;
    private final Progress progress;
    private final int batchSize;
    private final boolean findsByKey;
    private SyncCursor cursor;
    private boolean stopped;
    /** Keys of the kept activities this run handled, so the same activity read again from the source is not. */
    private final java.util.Set<String> keptThisRun = new java.util.HashSet<>();

    ActivityRun(SyncJob job, ConnectorSession session, RunContext ctx, QuotaMeter meter, SyncReport.Builder report,
            Progress progress) {
        this.job = job;
        this.session = session;
        this.ctx = ctx;
        this.meter = meter;
        this.report = report;
        this.progress = progress;
        this.batchSize = Math.max(1, job.connector().preferredBatchSize());
        this.findsByKey = job.connector().capabilities().contains(Capability.FINDS_ACTIVITIES_BY_KEY);
    }

    /** One activity as this run sends it: from the source or kept, and whether it may have landed already. */
    private record Item(Activity activity, boolean kept, boolean inDoubt, int attemptsBefore, Instant firstFailedAt) {
    }

    void run() {
        cursor = job.state().cursor(job.id(), ACT).orElse(SyncCursor.start());
        report.cursorBefore(cursor).cursorAfter(cursor);
        try {
            long done = number(cursor, SEQUENCE);
            long inFlight = Math.max(done, number(cursor, IN_FLIGHT_THROUGH));
            // 1. Kept activities, oldest first.
            List<Item> kept = job.state().pending(job.id(), ACT).stream().map(this::kept)
                    .sorted(Comparator.comparingLong(i -> i.activity().sequence())).toList();
            kept.forEach(i -> keptThisRun.add(i.activity().key()));
            for (int from = 0; from < kept.size() && !stopped; from += batchSize) {
                sendKept(kept.subList(from, Math.min(kept.size(), from + batchSize)));
            }
            // 2. Then the source: first what a stopped run left in flight (in doubt), then what is new.
            while (!stopped) {
                List<Activity> batch = job.activities().since(done, batchSize);
                if (batch.isEmpty()) {
                    break;
                }
                if (quotaSpent()) {
                    break;
                }
                List<Item> items = new ArrayList<>();
                for (Activity a : batch) {
                    if (!keptThisRun.contains(a.key())) {
                        progress.read();
                        items.add(new Item(a, false, a.sequence() <= inFlight, 0, ctx.clock().instant()));
                    }
                }
                if (items.isEmpty()) {
                    long last = batch.get(batch.size() - 1).sequence();
                    saveCursor(SyncCursor.of(SEQUENCE, Long.toString(last)));
                    done = last;
                    continue;
                }
                done = sendNew(items, done, batch.get(batch.size() - 1).sequence());
            }
        } finally {
            meter.flush();
        }
    }

    private boolean quotaSpent() {
        if (meter.remaining().isPresent() && meter.remaining().getAsLong() <= 0) {
            stop(RunStatus.QUOTA_REACHED, "the daily API quota is used up; the activities left wait for the next run");
            return true;
        }
        return false;
    }

    // ----- batches -----

    /** A batch from the source; returns the sequence the cursor moved to. */
    private long sendNew(List<Item> items, long done, long last) {
        Map<String, ActivityWrite> writes = prepare(items);
        if (!writes.isEmpty() && !ctx.dryRun()) {
            // Journal first: should the run stop after the CRM took the batch, the next one knows to check.
            saveCursor(SyncCursor.of(SEQUENCE, Long.toString(done), IN_FLIGHT_THROUGH, Long.toString(last)));
        }
        send(items, writes);
        saveCursor(SyncCursor.of(SEQUENCE, Long.toString(last)));
        return last;
    }

    private void sendKept(List<Item> items) {
        if (quotaSpent()) {
            for (Item i : items) {
                finish(i, deferred(i, Reason.QUOTA_REACHED, "the daily API quota is used up; kept for the next run"));
            }
            return;
        }
        items.forEach(i -> progress.read());
        Map<String, ActivityWrite> writes = prepare(items);
        if (!ctx.dryRun()) {
            for (Item i : items) {
                if (writes.containsKey(i.activity().key()) && !i.inDoubt()) {
                    keep(i, "being sent", true); // in doubt from here until its result is applied
                }
            }
        }
        send(items, writes);
    }

    /** The writes of a batch; every item that is not sent gets its row (and is kept when it waits). */
    private Map<String, ActivityWrite> prepare(List<Item> items) {
        Map<String, ActivityWrite> writes = new LinkedHashMap<>();
        for (Item i : items) {
            Activity a = i.activity();
            if (writes.containsKey(a.key())) {
                finish(i, row(a.key(), ACT, Outcome.FAILED, Reason.VALIDATION_ERROR, "a second activity with key "
                        + a.key() + " (sequence " + a.sequence() + "): a key names one activity, so only the first is"
                        + " posted", Optional.of(a.localId()), Optional.empty()));
                continue;
            }
            Object plan = plan(i);
            if (plan instanceof ActivityWrite w) {
                writes.put(w.key(), w);
            } else {
                finish(i, (RecordResult) plan);
            }
        }
        return writes;
    }

    /** What one activity needs: its write, or its row when it is not sent now. */
    private Object plan(Item i) {
        Activity a = i.activity();
        Optional<ActivityMapping.Mapped> mapped = job.activityMapping().toRemote(a);
        if (mapped.isEmpty()) {
            forget(i);
            return skipped(a.key(), ACT, Reason.ACTIVITY_NOT_MAPPED, "activity type " + a.type() + " is not in the"
                    + " job's activity mapping (it maps " + job.activityMapping().types() + ")",
                    Optional.of(a.localId()), Optional.empty());
        }
        if (!mapped.get().missingRequired().isEmpty()) {
            forget(i);
            return skipped(a.key(), ACT, Reason.MISSING_REQUIRED_FIELD, "this " + a.type() + " has no "
                    + String.join(", ", mapped.get().missingRequired()) + ", which the activity mapping requires",
                    Optional.of(a.localId()), Optional.empty());
        }
        Optional<Profile> profile = job.profiles().findByLocalId(a.localId());
        if (profile.isEmpty()) {
            forget(i);
            return skipped(a.key(), ACT, Reason.ACTIVITY_NOT_MAPPED, "the profile store has no profile "
                    + a.localId() + " for this " + a.type(), Optional.of(a.localId()), Optional.empty());
        }
        if (profile.get().optInStatus() == OptInStatus.OPTED_OUT && !job.policy().activitiesOfOptedOutProfiles()) {
            forget(i);
            return skipped(a.key(), ACT, Reason.PROFILE_OPTED_OUT, "profile " + a.localId() + " opted out, and the"
                    + " policy keeps the activities of opted-out profiles out of the CRM", Optional.of(a.localId()),
                    Optional.empty());
        }
        Optional<String> record = profile.get().constituentId();
        if (record.isEmpty()) {
            // Never sent while unlinked, so not in doubt: it waits.
            keep(i, "profile " + a.localId() + " is not linked to a CRM record yet", false);
            return row(a.key(), ACT, Outcome.DEFERRED, Reason.NOT_LINKED_YET, "profile " + a.localId() + " is not"
                    + " linked to a CRM record yet; this " + a.type() + " waits and is posted once the profile sync"
                    + " links it", Optional.of(a.localId()), Optional.empty());
        }
        if (i.inDoubt() && !findsByKey) {
            forget(i);
            return skipped(a.key(), ACT, Reason.IN_DOUBT, "an earlier attempt may have posted this " + a.type()
                    + ", and the " + job.connector().providerId() + " connector cannot look for it by its key, so it"
                    + " is not sent again (never twice); check the CRM record of profile " + a.localId(),
                    Optional.of(a.localId()), Optional.empty());
        }
        return new ActivityWrite(a.key(), mapped.get().remoteType(), record.get(), a.occurredAt(),
                mapped.get().fields(), i.inDoubt());
    }

    private void send(List<Item> items, Map<String, ActivityWrite> writes) {
        if (writes.isEmpty()) {
            return;
        }
        Map<String, Item> byKey = new HashMap<>();
        items.forEach(i -> byKey.put(i.activity().key(), i));
        if (ctx.dryRun()) {
            writes.values().forEach(w -> finish(byKey.get(w.key()), row(w.key(), ACT, Outcome.CREATED, Reason.NONE,
                    "dry run: would post this " + byKey.get(w.key()).activity().type() + (w.inDoubt()
                            ? " after looking for it by its key" : ""), Optional.of(byKey.get(w.key()).activity()
                            .localId()), Optional.empty())));
            return;
        }
        List<ActivityResult> results;
        try {
            results = session.writeActivities(List.copyOf(writes.values()));
        } catch (RuntimeException failure) {
            CrmSyncException e = failure instanceof CrmSyncException c ? c : new CrmSyncException(ErrorCode.INTERNAL,
                    "unexpected " + failure.getClass().getSimpleName() + " while posting activities: "
                            + failure.getMessage(), failure);
            if (!(failure instanceof CrmSyncException)) {
                LOG.error("sync job {}: unexpected failure while posting activities", job.id(), failure);
            }
            boolean quota = e.code() == ErrorCode.QUOTA_EXHAUSTED;
            for (ActivityWrite w : writes.values()) {
                Item i = byKey.get(w.key());
                keep(i, e.getMessage(), true);
                finish(i, deferred(i, quota ? Reason.QUOTA_REACHED : Reason.RUN_STOPPED, "the call that carried it"
                        + " failed (" + e.getMessage() + "); it may have reached the CRM, so the next run looks for it"
                        + " by its key before posting it"));
            }
            stop(quota ? RunStatus.QUOTA_REACHED : RunStatus.FAILED, e.getMessage());
            return;
        }
        Map<String, ActivityResult> resultByKey = new HashMap<>();
        results.forEach(r -> resultByKey.put(r.key(), r));
        for (ActivityWrite w : writes.values()) {
            Item i = byKey.get(w.key());
            ActivityResult r = resultByKey.get(w.key());
            finish(i, applied(i, r));
        }
    }

    private RecordResult applied(Item i, ActivityResult r) {
        Activity a = i.activity();
        Optional<String> local = Optional.of(a.localId());
        if (r == null) {
            keep(i, "the connector returned no result for it", true);
            return row(a.key(), ACT, Outcome.FAILED, Reason.PROCESSING_ERROR, "the connector returned no result for"
                    + " this " + a.type() + "; kept in doubt, and looked for by its key before it is sent again", local,
                    Optional.empty());
        }
        switch (r.status()) {
            case POSTED:
                forget(i);
                return row(a.key(), ACT, Outcome.CREATED, Reason.NONE, r.message().isEmpty() ? "posted" : r.message(),
                        local, r.remoteId());
            case ALREADY_POSTED:
                forget(i);
                return row(a.key(), ACT, Outcome.NO_DIFFERENCE, Reason.NONE, "already in the CRM: an earlier attempt"
                        + " posted it, so it was not posted again", local, r.remoteId());
            case NOT_SENT:
                keep(i, r.message(), i.inDoubt());
                stopped = true;
                report.status(RunStatus.QUOTA_REACHED, r.message());
                return deferred(i, Reason.QUOTA_REACHED, r.message());
            case FAILED:
            default:
                String message = r.errorCode().map(c -> c + ": ").orElse("") + r.message();
                if (r.retryable()) {
                    keep(i, message, false);
                    return row(a.key(), ACT, Outcome.FAILED, Reason.PROCESSING_ERROR, message + "; kept for the next run",
                            local, Optional.empty());
                }
                forget(i);
                return row(a.key(), ACT, Outcome.FAILED, Reason.VALIDATION_ERROR, message + "; the CRM refused it, so"
                        + " it is not sent again until it is corrected", local, Optional.empty());
        }
    }

    private RecordResult deferred(Item i, Reason reason, String message) {
        return row(i.activity().key(), ACT, Outcome.DEFERRED, reason, message, Optional.of(i.activity().localId()),
                Optional.empty());
    }

    private void finish(Item i, RecordResult result) {
        progress.done(result);
    }

    private void stop(RunStatus status, String message) {
        stopped = true;
        report.status(status, message);
    }

    private void saveCursor(SyncCursor next) {
        cursor = next;
        report.cursorAfter(next);
        meter.flush();
        if (!ctx.dryRun()) {
            job.state().saveCursor(job.id(), ACT, next);
        }
    }

    // ----- kept activities, as pending records of the job -----

    private static final String TYPE = "activity:type";
    private static final String LOCAL_ID = "activity:localId";
    private static final String OCCURRED_AT = "activity:occurredAt";
    private static final String SEQ = "activity:sequence";
    private static final String IN_DOUBT = "activity:inDoubt";
    private static final String FIELD = "field:";

    private void keep(Item i, String why, boolean inDoubt) {
        if (ctx.dryRun()) {
            return;
        }
        Activity a = i.activity();
        Map<String, String> kept = new LinkedHashMap<>();
        kept.put(TYPE, a.type());
        kept.put(LOCAL_ID, a.localId());
        kept.put(OCCURRED_AT, a.occurredAt().toString());
        kept.put(SEQ, Long.toString(a.sequence()));
        kept.put(IN_DOUBT, Boolean.toString(inDoubt));
        a.fields().forEach((k, v) -> kept.put(FIELD + k, v));
        job.state().savePending(job.id(), ACT, new PendingRecord(a.key(), i.attemptsBefore() + 1, why,
                i.firstFailedAt(), kept, Optional.empty()));
    }

    private void forget(Item i) {
        if (i.kept() && !ctx.dryRun()) {
            job.state().removePending(job.id(), ACT, i.activity().key());
        }
    }

    private Item kept(PendingRecord p) {
        Map<String, String> f = p.remoteFields();
        Map<String, String> fields = new LinkedHashMap<>();
        f.forEach((k, v) -> {
            if (k.startsWith(FIELD)) {
                fields.put(k.substring(FIELD.length()), v);
            }
        });
        Activity a = new Activity(p.key(), f.getOrDefault(TYPE, "unknown"), f.getOrDefault(LOCAL_ID, "?"),
                Instant.parse(f.getOrDefault(OCCURRED_AT, p.firstFailedAt().toString())), fields,
                Long.parseLong(f.getOrDefault(SEQ, "0")));
        return new Item(a, true, Boolean.parseBoolean(f.get(IN_DOUBT)), p.attempts(), p.firstFailedAt());
    }

    private static long number(SyncCursor c, String key) {
        return c.get(key).map(Long::parseLong).orElse(0L);
    }
}
