package org.crmsync.engine;

import static org.crmsync.engine.Outcomes.lazyRow;
import static org.crmsync.engine.Outcomes.row;
import static org.crmsync.engine.Outcomes.skipped;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.WriteMode;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.phone.PhoneCheck;
import org.crmsync.policy.Authority;
import org.crmsync.policy.MatchKey;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;
import org.crmsync.store.LocalChange;
import org.crmsync.store.PendingRecord;
import org.crmsync.store.ProfileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One outbound run (application to CRM), DESIGN.md §3 rules 7-10, read top to bottom:
 *
 * <ol>
 *   <li>{@link #run}: the application's changes since the cursor, one {@link Change} per profile, in
 *       batches; rule 10, the cursor stays before the first record the quota (or a failure) left;
 *       {@link #process}: the batches in waves of as many as may be in flight at once;
 *   <li>{@link #plan}: what each profile needs, before any call: rule 8 (an opt-out) and rule 9 (liberal
 *       and system-of-record pushes) for linked profiles in {@link #planLinked}, rule 7 (a new opt-in
 *       with an email) and rule 8 for the others in {@link #planUnlinked}, each a {@link Plan};
 *   <li>{@link #resolve}: rule 7's look-up before a create, so nothing is duplicated: a match is linked
 *       (conservative sync then writes the opt-in alone), no match is created;
 *   <li>{@link #send}: the writes, and rule 7's write-back of the CRM id as constituent ID in
 *       {@link #applied}; rule 10's quota ends the run, with the rest deferred.
 * </ol>
 */
final class OutboundRun {
    static final String SEQUENCE = "sequence";
    private static final Logger LOG = LoggerFactory.getLogger(OutboundRun.class);
    private static final SyncDirection OUT = SyncDirection.OUTBOUND;

    private final SyncJob job;
    private final ConnectorSession session;
    private final RunContext ctx;
    private final QuotaMeter meter;
    private final SyncReport.Builder report;
    private final Progress progress;
    private final ProfileStore store;
    private final Eligibility checks;
    private final int batchSize;
    private final boolean systemOfRecord;
    private final boolean crmMatchesOnCreate;
    /** How many batches' calls are in flight at once ({@link SyncJob#callsInFlight()}). */
    private final int inFlight;
    /** The most calls a wave's batches took each so far, a look-up and a write at least. */
    private long callsPerBatch = 2;
    /** The threads that make those calls; none when one call is in flight at a time. */
    private ExecutorService callers;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, PendingRecord> pending = new LinkedHashMap<>();
    /** The outcome of each change of the page being processed, to place the cursor when the run stops. */
    private final Map<String, Outcome> outcomes = new HashMap<>();
    private Optional<Stop> stop = Optional.empty();

    /** Why the run stopped early: the rest of its records are deferred with this reason. */
    private record Stop(Reason reason, String why) {
    }

    OutboundRun(SyncJob job, ConnectorSession session, RunContext ctx, QuotaMeter meter, SyncReport.Builder report,
            Progress progress) {
        this.job = job;
        this.session = session;
        this.ctx = ctx;
        this.meter = meter;
        this.report = report;
        this.progress = progress;
        this.store = job.profiles();
        this.checks = new Eligibility(job.policy());
        this.batchSize = Math.max(1, job.connector().preferredBatchSize());
        this.systemOfRecord = job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD;
        this.crmMatchesOnCreate = job.connector().capabilities().contains(Capability.MATCHES_ON_CREATE);
        this.inFlight = job.callsInFlight();
    }

    /**
     * A profile to push, and what changed since it was last pushed.
     *
     * @param everything push every mapped field (a retry, a full export, a prospect imported by the
     *     inbound sync), not only the changed ones
     */
    private record Change(String localId, Set<String> changedFields, boolean created, boolean everything,
            long firstSequence) {
        boolean optInChanged() {
            return everything || created || changedFields.contains(StandardField.OPT_IN_STATUS.fieldName());
        }

        static Change everything(String localId) {
            return new Change(localId, Set.of(), false, true, Long.MAX_VALUE);
        }
    }

    // ----- the changes, in batches; rule 10's cursor -----

    void run() {
        if (inFlight > 1) {
            AtomicInteger n = new AtomicInteger();
            callers = Executors.newFixedThreadPool(inFlight, r -> {
                Thread t = new Thread(r, "crmsync-" + job.id() + "-call-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        try {
            runChanges();
        } finally {
            if (callers != null) {
                callers.shutdownNow();
            }
        }
    }

    private void runChanges() {
        SyncCursor before = job.state().cursor(job.id(), OUT).orElse(SyncCursor.start());
        long sequence = before.get(SEQUENCE).map(Long::parseLong).orElse(0L);
        report.cursorBefore(before).cursorAfter(before);
        job.state().pending(job.id(), OUT).forEach(p -> pending.put(p.key(), p));
        // Records an earlier run could not finish go first, whole.
        List<Change> retries = pending.keySet().stream().map(Change::everything).toList();
        seen.addAll(pending.keySet());
        process(retries);
        if (job.fullExport()) {
            exportAll();
            return;
        }
        while (stop.isEmpty()) {
            List<LocalChange> page = store.changesSince(sequence, batchSize * 10);
            if (page.isEmpty()) {
                break;
            }
            List<Change> changes = coalesce(page);
            outcomes.clear();
            process(changes);
            long last = page.get(page.size() - 1).sequence();
            if (stop.isPresent()) {
                // Rule 10: the cursor stays before the first record that did not get its turn.
                long firstUnfinished = changes.stream()
                        .filter(c -> outcomes.getOrDefault(c.localId(), Outcome.DEFERRED) == Outcome.DEFERRED)
                        .mapToLong(Change::firstSequence).min().orElse(last + 1);
                last = Math.min(last, firstUnfinished - 1);
            }
            sequence = Math.max(sequence, last);
            checkpoint(sequence);
        }
    }

    /** The system-of-record seed's manual export: every profile the filter accepts, whole. */
    private void exportAll() {
        try (Stream<Profile> all = store.all()) {
            List<Change> chunk = new ArrayList<>();
            for (Profile p : (Iterable<Profile>) all::iterator) {
                if (stop.isPresent()) {
                    break;
                }
                if (p.localId().isEmpty() || !seen.add(p.localId().get()) || !job.exportFilter().test(p)) {
                    continue;
                }
                chunk.add(Change.everything(p.localId().get()));
                if (chunk.size() == batchSize) {
                    process(chunk);
                    chunk = new ArrayList<>();
                }
            }
            process(chunk);
        }
        meter.flush();
    }

    private void checkpoint(long sequence) {
        SyncCursor cursor = SyncCursor.of(SEQUENCE, Long.toString(sequence));
        report.cursorAfter(cursor);
        meter.flush();
        if (!ctx.dryRun()) {
            job.state().saveCursor(job.id(), OUT, cursor);
        }
    }

    /**
     * The page's changes the application made, one per profile, in order of first change. What this
     * connection's own inbound sync wrote is not echoed back; but in system-of-record mode a prospect
     * it imported is exported once, so the CRM learns the local ID.
     */
    private List<Change> coalesce(List<LocalChange> page) {
        Map<String, Change> changes = new LinkedHashMap<>();
        for (LocalChange c : page) {
            boolean own = c.origin().equals(job.origin());
            boolean importedProspect = own && c.created() && systemOfRecord;
            if ((own && !importedProspect) || seen.contains(c.localId())) {
                continue;
            }
            Change earlier = changes.get(c.localId());
            Set<String> fields = new HashSet<>(c.changedFields());
            if (earlier != null) {
                fields.addAll(earlier.changedFields());
            }
            changes.put(c.localId(), new Change(c.localId(), Set.copyOf(fields),
                    c.created() || (earlier != null && earlier.created()),
                    importedProspect || (earlier != null && earlier.everything()),
                    earlier != null ? earlier.firstSequence() : c.sequence()));
        }
        seen.addAll(changes.keySet());
        return new ArrayList<>(changes.values());
    }

    /**
     * The changes in waves of up to {@link #inFlight} batches: each wave's batches are planned, looked
     * up at once, resolved in order, written at once, and applied in order, so the report and the
     * cursor are exactly as if the batches had gone one after another. A record held back by its wave
     * (see {@link WaveGuard}) goes first in the next.
     */
    private void process(List<Change> changes) {
        Deque<Change> queue = new ArrayDeque<>(changes);
        while (!queue.isEmpty()) {
            if (stop.isPresent()) {
                Stop s = stop.get();
                queue.forEach(c -> finish(c.localId(), deferred(c.localId(), Optional.empty(), s.reason(),
                        "not reached: " + s.why())));
                return;
            }
            List<Batch> wave = new ArrayList<>();
            int size = waveSize();
            long usedBefore = meter.used();
            while (!queue.isEmpty() && wave.size() < size) {
                List<Change> batch = new ArrayList<>();
                while (!queue.isEmpty() && batch.size() < batchSize) {
                    batch.add(queue.poll());
                }
                wave.add(new Batch(batch));
            }
            List<Change> held = runWave(wave);
            callsPerBatch = Math.max(callsPerBatch, (meter.used() - usedBefore + wave.size() - 1) / wave.size());
            for (int i = held.size() - 1; i >= 0; i--) {
                queue.addFirst(held.get(i));
            }
        }
    }

    /**
     * As many batches as may be in flight, unless the quota left (the policy's or the CRM's own) would
     * not pay for their look-ups and writes: then fewer, down to one, so a run near its quota spends it
     * on whole batches, as one batch at a time would, instead of on look-ups whose writes it cannot send.
     */
    private int waveSize() {
        java.util.OptionalLong left = meter.remaining();
        if (inFlight == 1 || left.isEmpty()) {
            return inFlight;
        }
        return (int) Math.max(1, Math.min(inFlight, left.getAsLong() / callsPerBatch));
    }

    /** One batch's way through its wave. */
    private static final class Batch {
        /** The batch's changes; a change held back for the next wave leaves it. */
        final List<Change> changes;
        final List<Plan> plans = new ArrayList<>();
        final List<LookupRequest> requests = new ArrayList<>();
        /** Rows that need no call of this batch, in order. */
        final List<RecordResult> settled = new ArrayList<>();
        final List<Send> writes = new ArrayList<>();
        CompletableFuture<Map<String, List<RemoteRecord>>> lookup;
        CompletableFuture<List<WriteResult>> written;
        /** Why the batch failed before its writes: the store or the look-up. */
        RuntimeException failure;
        /** An earlier batch of the wave failed before writing: this one is not written either. */
        boolean notReached;

        Batch(List<Change> changes) {
            this.changes = changes;
        }
    }

    private List<Change> runWave(List<Batch> wave) {
        // Plans on this thread, which alone uses the store; a failure leaves the later batches unreached.
        boolean failed = false;
        for (Batch b : wave) {
            if (failed) {
                b.notReached = true;
                continue;
            }
            try {
                planBatch(b);
            } catch (RuntimeException e) {
                b.failure = e;
                failed = true;
            }
        }
        for (Batch b : wave) {
            if (!b.notReached && b.failure == null && !b.requests.isEmpty()) {
                b.lookup = call(() -> session.lookup(b.requests));
            }
        }
        // Answers resolved in order, against what the wave's earlier batches create and link.
        WaveGuard guard = new WaveGuard();
        List<Change> held = new ArrayList<>();
        for (Batch b : wave) {
            Map<String, List<RemoteRecord>> found = Map.of();
            RuntimeException lookupFailure = null;
            if (b.lookup != null) {
                try {
                    found = await(b.lookup);
                } catch (RuntimeException e) {
                    lookupFailure = e;
                }
            }
            if (failed && b.failure == null) {
                b.notReached = true; // waited for, so no call of the session outlives the wave
                continue;
            }
            if (b.failure != null || b.notReached) {
                continue;
            }
            if (lookupFailure != null) {
                b.failure = lookupFailure;
                failed = true;
                continue;
            }
            try {
                resolveBatch(b, found, guard, held);
            } catch (RuntimeException e) {
                b.failure = e;
                failed = true;
            }
        }
        for (Batch b : wave) {
            if (!b.notReached && b.failure == null && !b.writes.isEmpty()) {
                List<RemoteWrite> writes = b.writes.stream().map(Send::write).toList();
                b.written = call(() -> session.write(writes));
            }
        }
        // Every write that was sent is applied, in order, even after a failure: the CRM has it.
        for (Batch b : wave) {
            if (b.notReached) {
                if (b.written != null) {
                    throw new IllegalStateException("an unreached batch was written");
                }
                Stop s = stop.orElseGet(() -> new Stop(Reason.RUN_STOPPED, "an earlier batch failed"));
                b.changes.forEach(c -> finish(c.localId(), deferred(c.localId(), Optional.empty(), s.reason(),
                        "not reached: " + s.why())));
                continue;
            }
            Set<String> done = new HashSet<>();
            try {
                store.inTransaction(() -> {
                    apply(b, done);
                    return null;
                });
            } catch (RuntimeException failure) {
                stopped(failure, b.changes, done);
            }
        }
        return held;
    }

    private void planBatch(Batch b) {
        for (Change change : b.changes) {
            progress.read();
            Plan plan = store.findByLocalId(change.localId()).map(p -> plan(change, p))
                    .orElseGet(() -> new Settled(skipped(change.localId(), OUT, Reason.NOT_IN_CRM,
                            "the local profile no longer exists", Optional.of(change.localId()), Optional.empty())));
            b.plans.add(plan);
            if (plan instanceof Find f && !(crmMatchesOnCreate && f.intent() == Intent.NEW_OPT_IN)) {
                b.requests.add(new LookupRequest(f.change().localId(), f.profile(), job.policy().outboundMatchOrder()));
            } else if (plan instanceof Push push && push.needsCurrent()) {
                b.requests.add(new LookupRequest(push.change().localId(), push.profile(),
                        List.of(MatchKey.CONSTITUENT_ID)));
            }
        }
    }

    /** The batch's rows in order: those settled without a write, then the writes' results. */
    private void apply(Batch b, Set<String> done) {
        for (RecordResult row : b.settled) {
            finish(row.key(), row);
            done.add(row.key());
        }
        if (b.failure != null) {
            throw b.failure;
        }
        if (b.written != null) {
            applyResults(b.writes, await(b.written), done);
        }
    }

    /** Runs a call of the session on the run's callers, or on this thread when one call is in flight at a time. */
    private <T> CompletableFuture<T> call(Supplier<T> what) {
        return CompletableFuture.supplyAsync(what, callers == null ? Runnable::run : callers);
    }

    private static <T> T await(CompletableFuture<T> call) {
        try {
            return call.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * What a wave's earlier records will create and link, so its later ones, looked up before any of
     * it was written, do not duplicate or share a CRM record. A look-up that could have found a record
     * the wave is creating (same email or mobile number, by the policy's match keys) is held back and
     * made again in the next wave, after the create (a CRM that matches on create is held back the same
     * way, so two creates of one person never race); a match already being linked to another profile is
     * reported as linked to another, as it would be one batch later.
     */
    private final class WaveGuard {
        private final Map<String, String> creating = new HashMap<>();
        private final Map<String, String> linking = new HashMap<>();

        boolean mayFindACreate(Find find) {
            return keys(find).stream().anyMatch(k -> {
                String other = creating.get(k);
                return other != null && !other.equals(find.change().localId());
            });
        }

        void creates(Find find) {
            keys(find).forEach(k -> creating.putIfAbsent(k, find.change().localId()));
        }

        /** Whether {@code localId} may link {@code remoteId}: no other record of the wave links it. */
        boolean links(String remoteId, String localId) {
            return linking.putIfAbsent(remoteId, localId) == null || linking.get(remoteId).equals(localId);
        }

        private List<String> keys(Find find) {
            Profile p = find.profile();
            List<String> keys = new ArrayList<>(2);
            List<MatchKey> order = job.policy().outboundMatchOrder();
            if (order.contains(MatchKey.EMAIL) || order.contains(MatchKey.NAME_AND_EMAIL)) {
                p.email().filter(e -> !e.isBlank()).ifPresent(e -> keys.add("e:" + e.trim().toLowerCase(Locale.ROOT)));
            }
            if (order.contains(MatchKey.PHONE)) {
                find.phone().e164().ifPresent(e -> keys.add("p:" + e));
            }
            return keys;
        }
    }

    /**
     * The whole batch failed (the CRM after retries, the store, the quota, or something unforeseen): the
     * run stops, and every record still gets its row. A failed batch is kept for the next run, whose
     * look-up finds any create that landed before the failure.
     */
    private void stopped(RuntimeException failure, List<Change> batch, Set<String> done) {
        CrmSyncException e = failure instanceof CrmSyncException c ? c
                : new CrmSyncException(ErrorCode.INTERNAL, "unexpected " + failure.getClass().getSimpleName()
                        + " while writing a batch: " + failure.getMessage(), failure);
        if (!(failure instanceof CrmSyncException)) {
            LOG.error("sync job {}: unexpected failure while writing a batch", job.id(), failure);
        }
        boolean quota = e.code() == ErrorCode.QUOTA_EXHAUSTED;
        stop = Optional.of(new Stop(quota ? Reason.QUOTA_REACHED : Reason.RUN_STOPPED, e.getMessage()));
        report.status(quota ? RunStatus.QUOTA_REACHED : RunStatus.FAILED, e.getMessage());
        for (Change c : batch) {
            if (!done.contains(c.localId())) {
                finish(c.localId(), quota ? deferred(c.localId(), Optional.empty(), Reason.QUOTA_REACHED, e.getMessage())
                        : row(c.localId(), OUT, Outcome.FAILED, Reason.PROCESSING_ERROR, e.getMessage(),
                                Optional.of(c.localId()), Optional.empty()));
                done.add(c.localId());
            }
        }
    }

    // ----- rules 7, 8 and 9: what each profile needs -----

    /** What a profile needs, decided before any call: one type per state. */
    private sealed interface Plan permits Settled, Push, Find {
    }

    /** Nothing to send: the row says why. */
    private record Settled(RecordResult row) implements Plan {
    }

    /**
     * A linked profile's fields to write to its CRM record.
     *
     * @param fields local field names to write; every mapped field when {@code whole}
     * @param optIn the opt-in this write sets, {@code UNKNOWN} when it does not
     * @param needsCurrent the write depends on the CRM's current values (a field written only when empty)
     */
    private record Push(Change change, Profile profile, String remoteId, Set<String> fields, boolean whole,
            OptInStatus optIn, String note, boolean needsCurrent) implements Plan {
    }

    /** An unlinked profile: look it up, then link or create; {@code phone} is its number checked once. */
    private record Find(Change change, Profile profile, Intent intent, PhoneCheck phone) implements Plan {
    }

    /** Why an unlinked profile is looked up. */
    private enum Intent {
        /** Rule 7: create it opted in unless the CRM has the person. */
        NEW_OPT_IN,
        /** Rule 8: an opt-out, sent if the CRM has the person. */
        OPT_OUT,
        /** System of record: update the CRM's record of the person, or create one. */
        EXPORT
    }

    private Plan plan(Change change, Profile p) {
        if (p.constituentId().isPresent()) {
            return planLinked(change, p, p.constituentId().get());
        }
        return planUnlinked(change, p);
    }

    /** Rules 8 and 9 for a profile linked to a CRM record. */
    private Plan planLinked(Change change, Profile p, String remoteId) {
        if (systemOfRecord) {
            // The application is the system of record: every mapped field is written, local wins.
            return new Push(change, p, remoteId, Set.of(), true, p.optInStatus(), "", needsCurrent(Set.of(), true));
        }
        Set<String> fields = new LinkedHashSet<>();
        if (change.optInChanged() && p.optInStatus() != OptInStatus.UNKNOWN) {
            fields.add(StandardField.OPT_IN_STATUS.fieldName()); // rule 8, and a renewed opt-in
        }
        if (job.policy().mode() == SyncMode.LIBERAL) {
            mappedFields().stream().filter(f -> change.everything() || change.changedFields().contains(f))
                    .forEach(fields::add); // rule 9
        }
        String note = "";
        Optional<Eligibility.Skip> badPhone = phoneNotToPush(p, fields);
        if (badPhone.isPresent()) {
            // A changed phone that is not a valid mobile number is not written over the CRM's; the rest goes.
            fields.remove(StandardField.PHONE_NUMBER.fieldName());
            note = "phone number not pushed: " + badPhone.get().message();
            if (fields.isEmpty()) {
                return new Settled(skipped(change.localId(), OUT, badPhone.get().reason(), note,
                        Optional.of(change.localId()), Optional.of(remoteId)));
            }
        }
        if (fields.isEmpty()) {
            return new Settled(row(change.localId(), OUT, Outcome.NO_DIFFERENCE, Reason.NONE,
                    job.policy().mode() == SyncMode.CONSERVATIVE ? "conservative sync pushes opt-in changes only" : "",
                    Optional.of(change.localId()), Optional.of(remoteId)));
        }
        OptInStatus optIn = fields.contains(StandardField.OPT_IN_STATUS.fieldName()) ? p.optInStatus()
                : OptInStatus.UNKNOWN;
        return new Push(change, p, remoteId, Set.copyOf(fields), false, optIn, note, needsCurrent(fields, false));
    }

    /** Rules 7 and 8 for a profile not linked to a CRM record yet. */
    private Plan planUnlinked(Change change, Profile p) {
        Optional<String> id = Optional.of(change.localId());
        if (systemOfRecord) {
            return new Find(change, p, Intent.EXPORT, phoneOf(p));
        }
        switch (p.optInStatus()) {
            case OPTED_IN:
                if (p.email().isEmpty()) {
                    // Rule 7 applies to users whose profile contains an email address.
                    return new Settled(skipped(change.localId(), OUT, Reason.NO_EMAIL, "new opt-in without an email"
                            + " address is not added to the CRM", id, Optional.empty()));
                }
                // Rule 3 holds both ways: whom the inbound sync would skip is not added to the CRM.
                PhoneCheck phone = phoneOf(p);
                Optional<Eligibility.Skip> skip = notEligible(p, phone);
                if (skip.isPresent()) {
                    return new Settled(skipped(change.localId(), OUT, skip.get().reason(), skip.get().message()
                            + "; not added to the CRM", id, Optional.empty()));
                }
                return new Find(change, p, Intent.NEW_OPT_IN, phone);
            case OPTED_OUT:
                if (!change.optInChanged()) {
                    return new Settled(row(change.localId(), OUT, Outcome.NO_DIFFERENCE, Reason.NONE,
                            "opted out and not in the CRM", id, Optional.empty()));
                }
                return new Find(change, p, Intent.OPT_OUT, phoneOf(p)); // an opt-out of someone the CRM knows is sent
            default:
                return new Settled(row(change.localId(), OUT, Outcome.NO_DIFFERENCE, Reason.NONE,
                        "not opted in and not in the CRM: nothing to send", id, Optional.empty()));
        }
    }

    private PhoneCheck phoneOf(Profile p) {
        return checks.phone(p.phoneNumber().orElse(""));
    }

    /** Why the person would not be synced inbound (no valid mobile number, a country not allowed). */
    private Optional<Eligibility.Skip> notEligible(Profile p, PhoneCheck phone) {
        return checks.mobileProblem(phone).or(() -> checks.countryProblem(p.country().orElse(null), phone));
    }

    private Optional<Eligibility.Skip> phoneNotToPush(Profile p, Set<String> fields) {
        if (!fields.contains(StandardField.PHONE_NUMBER.fieldName()) || p.phoneNumber().isEmpty()) {
            return Optional.empty();
        }
        return checks.mobileProblem(checks.phone(p.phoneNumber().get()));
    }

    private boolean needsCurrent(Set<String> fields, boolean whole) {
        return job.mapping().rules().stream().anyMatch(r -> r.writeMode() == WriteMode.ONLY_WHEN_EMPTY
                && (whole || fields.contains(r.localField())));
    }

    private List<String> mappedFields() {
        List<String> fields = new ArrayList<>();
        for (FieldRule r : job.mapping().rules()) {
            String f = r.localField();
            if (!f.equals(StandardField.CONSTITUENT_ID.fieldName()) && r.writeMode() != WriteMode.NEVER) {
                fields.add(f);
            }
        }
        return fields;
    }

    // ----- rule 7's look-up: link or create, never duplicate -----

    /** One write to send, and what it means. */
    private record Send(String localId, Profile profile, RemoteWrite write, boolean link, String note) {
    }

    /**
     * The batch's look-up answers: each plan becomes a {@link Send} or a settled row, or, when the
     * wave's guard says its look-up may have missed what an earlier record of the wave creates, is held
     * for the next wave.
     */
    private void resolveBatch(Batch b, Map<String, List<RemoteRecord>> found, WaveGuard guard, List<Change> held) {
        List<Send> sends = new ArrayList<>();
        for (Plan plan : b.plans) {
            if (plan instanceof Settled settled) {
                b.settled.add(settled.row());
            } else if (plan instanceof Push push) {
                Map<String, String> current = found.getOrDefault(push.change().localId(), List.of()).stream()
                        .filter(r -> r.remoteId().equals(push.remoteId())).findFirst().map(RemoteRecord::fields)
                        .orElse(Map.of());
                sends.add(new Send(push.change().localId(), push.profile(), RemoteWrite.update(push.change().localId(),
                        push.remoteId(), fields(push.profile(), current, false, push.whole(), push.fields()),
                        push.optIn()).withIdentity(identity(push.profile())), false, push.note()));
            } else if (plan instanceof Find find) {
                boolean crmMatches = crmMatchesOnCreate && find.intent() == Intent.NEW_OPT_IN;
                if (guard.mayFindACreate(find)) {
                    held.add(find.change());
                    b.changes.remove(find.change());
                    continue;
                }
                if (crmMatches) {
                    guard.creates(find);
                    sends.add(create(find)); // the CRM matches on create (MATCHES_ON_CREATE)
                    continue;
                }
                List<RemoteRecord> candidates = found.getOrDefault(find.change().localId(), List.of());
                Matches.Match<RemoteRecord> match = Matches.remote(find.profile(), candidates,
                        job.policy().outboundMatchOrder(), job.mapping(), checks.phones());
                Resolved resolved = resolve(find, match);
                if (resolved instanceof Linked linked && !guard.links(linked.record().remoteId(),
                        find.change().localId())) {
                    String localId = find.change().localId();
                    resolved = new Reported(skipped(localId, OUT, Reason.LINKED_TO_OTHER_RECORD, "CRM record "
                            + linked.record().remoteId() + " matches but is being linked to another local profile",
                            Optional.of(localId), Optional.of(linked.record().remoteId())));
                }
                if (resolved instanceof Reported reported) {
                    b.settled.add(reported.row());
                } else if (resolved instanceof Linked linked) {
                    sends.add(link(find, linked.record()));
                } else {
                    guard.creates(find);
                    sends.add(create(find));
                }
            }
        }
        for (Send s : sends) {
            Optional<RecordResult> notSent = beforeSending(s);
            if (notSent.isPresent()) {
                b.settled.add(notSent.get());
            } else {
                b.writes.add(s);
            }
        }
    }

    /** What the look-up decided for an unlinked profile: one type per answer. */
    private sealed interface Resolved permits Reported, Linked, NoOne {
    }

    /** Nothing is sent: several or conflicting matches, linked elsewhere, an opt-out of no one. */
    private record Reported(RecordResult row) implements Resolved {
    }

    /** The look-up found the person's CRM record: link to it. */
    private record Linked(RemoteRecord record) implements Resolved {
    }

    /** The look-up found no one: create. */
    private record NoOne() implements Resolved {
    }

    /** A match is linked (rule 7: nothing duplicated), several or conflicting ones are reported, none is created. */
    private Resolved resolve(Find find, Matches.Match<RemoteRecord> match) {
        String localId = find.change().localId();
        if (match instanceof Matches.Ambiguous<RemoteRecord> ambiguous) {
            return new Reported(skipped(localId, OUT, Reason.MULTIPLE_MATCHES, ambiguous.why(), Optional.of(localId),
                    Optional.empty()));
        }
        if (match instanceof Matches.Conflict<RemoteRecord> conflict) {
            return new Reported(skipped(localId, OUT, Reason.MATCH_CONFLICT, conflict.why(), Optional.of(localId),
                    Optional.empty()));
        }
        if (match instanceof Matches.Found<RemoteRecord> found) {
            Optional<RecordResult> linkedElsewhere = linkedToAnother(localId, found.match().remoteId(),
                    "matches by " + found.key().name());
            return linkedElsewhere.<Resolved>map(Reported::new).orElseGet(() -> new Linked(found.match()));
        }
        if (find.intent() == Intent.OPT_OUT) {
            return new Reported(skipped(localId, OUT, Reason.NOT_IN_CRM, "opted out, and no CRM record matches",
                    Optional.of(localId), Optional.empty()));
        }
        Optional<Eligibility.Skip> skip = notEligible(find.profile(), find.phone());
        if (find.intent() == Intent.EXPORT && skip.isPresent()) {
            return new Reported(skipped(localId, OUT, skip.get().reason(), skip.get().message()
                    + "; not added to the CRM", Optional.of(localId), Optional.empty()));
        }
        return new NoOne();
    }

    /** Linking writes the opt-in; liberal sync also the changed fields, conservative sync nothing else. */
    private Send link(Find find, RemoteRecord record) {
        Profile p = find.profile();
        String localId = find.change().localId();
        if (systemOfRecord) {
            return new Send(localId, p, RemoteWrite.update(localId, record.remoteId(),
                    fields(p, record.fields(), false, true, Set.of()), p.optInStatus()).withIdentity(identity(p)),
                    true, "");
        }
        boolean liberal = job.policy().mode() == SyncMode.LIBERAL;
        Set<String> fields = new LinkedHashSet<>();
        if (liberal) {
            fields.addAll(find.change().changedFields());
        }
        fields.add(StandardField.OPT_IN_STATUS.fieldName());
        return new Send(localId, p, RemoteWrite.update(localId, record.remoteId(),
                fields(p, record.fields(), false, liberal && find.change().everything(), fields), p.optInStatus())
                .withIdentity(identity(p)), true, "");
    }

    private Send create(Find find) {
        Profile p = DefaultNames.fill(find.profile(), job.policy());
        OptInStatus optIn = systemOfRecord ? p.optInStatus() : OptInStatus.OPTED_IN;
        String localId = find.change().localId();
        return new Send(localId, find.profile(), RemoteWrite.create(localId, fields(p, Map.of(), true, true, Set.of()),
                optIn).withIdentity(identity(p)), false, "");
    }

    /** Who and which phone a write is about, for connectors that address a CRM's phone record by it. */
    private Map<String, String> identity(Profile p) {
        return job.mapping().identityOf(p);
    }

    /** A write's fields by API name, from the mapping, given the CRM's current values. */
    private Map<String, String> fields(Profile p, Map<String, String> current, boolean create, boolean whole,
            Set<String> fields) {
        boolean all = create || whole || systemOfRecord;
        return job.mapping().toRemote(p, current, create, f -> all || fields.contains(f));
    }

    /** A CRM record another local profile is linked to is never linked to this one. */
    private Optional<RecordResult> linkedToAnother(String localId, String remoteId, String how) {
        List<Profile> linked = store.findByConstituentId(remoteId);
        if (linked.stream().anyMatch(o -> !o.localId().equals(Optional.of(localId)))) {
            return Optional.of(skipped(localId, OUT, Reason.LINKED_TO_OTHER_RECORD, "CRM record " + remoteId + " "
                    + how + " but is linked to another local profile", Optional.of(localId), Optional.of(remoteId)));
        }
        return Optional.empty();
    }

    // ----- sending, and rule 7's write-back -----

    /** A write the CRM would refuse for lack of a field it requires is not sent; a dry run sends nothing. */
    private Optional<RecordResult> beforeSending(Send s) {
        Optional<String> missing = session.missingRequiredField(s.write());
        if (missing.isPresent()) {
            return Optional.of(skipped(s.localId(), OUT, Reason.CRM_REQUIRED_FIELD_MISSING, missing.get(),
                    Optional.of(s.localId()), s.write().remoteId()));
        }
        if (ctx.dryRun()) {
            boolean create = s.write().operation() == RemoteWrite.Operation.CREATE;
            return Optional.of(row(s.localId(), OUT, create ? Outcome.CREATED : Outcome.UPDATED, Reason.NONE,
                    "dry run: would " + (create ? "create" : "update") + " fields " + s.write().fields().keySet(),
                    Optional.of(s.localId()), s.write().remoteId()));
        }
        return Optional.empty();
    }

    private void applyResults(List<Send> writes, List<WriteResult> results, Set<String> done) {
        Map<String, WriteResult> byKey = new HashMap<>();
        results.forEach(r -> byKey.put(r.key(), r));
        Optional<String> quotaStop = Optional.empty();
        for (Send s : writes) {
            WriteResult r = byKey.get(s.localId());
            RecordResult result = r == null
                    ? row(s.localId(), OUT, Outcome.FAILED, Reason.PROCESSING_ERROR,
                            "the connector returned no result for this record", Optional.of(s.localId()),
                            s.write().remoteId())
                    : applied(s, r);
            if (r != null && r.status() == WriteResult.Status.NOT_SENT) {
                quotaStop = Optional.of(r.message());
            }
            finish(s.localId(), result);
            done.add(s.localId());
        }
        if (quotaStop.isPresent()) {
            // Rule 10: what the CRM already took keeps its outcome; the rest waits for the next run.
            stop = Optional.of(new Stop(Reason.QUOTA_REACHED, quotaStop.get()));
            report.status(RunStatus.QUOTA_REACHED, quotaStop.get());
        }
    }

    /** One record's result: rule 7's write-back of the CRM id, and its report row. */
    private RecordResult applied(Send s, WriteResult r) {
        Optional<String> id = Optional.of(s.localId());
        switch (r.status()) {
            case NOT_SENT:
                return deferred(s.localId(), s.write().remoteId(), Reason.QUOTA_REACHED, r.message());
            case EXCLUDED:
                // A rule of the CRM account: reported once, not kept for a retry that would change nothing.
                return skipped(s.localId(), OUT, Reason.EXCLUDED_BY_CRM, r.errorCode().map(c -> c + ": ").orElse("")
                        + r.message(), id, s.write().remoteId());
            case FAILED:
                return row(s.localId(), OUT, Outcome.FAILED, r.retryable() ? Reason.PROCESSING_ERROR
                        : Reason.VALIDATION_ERROR, r.errorCode().map(c -> c + ": ").orElse("") + r.message(), id,
                        s.write().remoteId());
            case MATCHED:
                String matched = r.remoteId().orElseThrow();
                Optional<RecordResult> elsewhere = linkedToAnother(s.localId(), matched, "was matched by the CRM");
                if (elsewhere.isPresent()) {
                    return elsewhere.get();
                }
                writeBack(s, matched);
                return lazyRow(s.localId(), OUT, Outcome.UPDATED, Reason.NONE, () -> message(s, r, true), id,
                        Optional.of(matched));
            default:
                String remoteId = r.remoteId().or(() -> s.write().remoteId()).orElseThrow();
                boolean created = r.status() == WriteResult.Status.CREATED;
                if (created || s.link()) {
                    writeBack(s, remoteId); // rule 7: the CRM id becomes the constituent ID
                }
                Outcome outcome = created ? Outcome.CREATED
                        : r.status() == WriteResult.Status.UPDATED || s.link() ? Outcome.UPDATED : Outcome.NO_DIFFERENCE;
                return lazyRow(s.localId(), OUT, outcome, Reason.NONE, () -> message(s, r, s.link()), id,
                        Optional.of(remoteId));
        }
    }

    /**
     * What the write did, for the report: an opt-out must be findable in it ("opted out in the CRM"),
     * then the CRM's own words, and anything left out on purpose. API names only, never values.
     */
    private static String message(Send s, WriteResult r, boolean linked) {
        List<String> parts = new ArrayList<>();
        if (r.status() == WriteResult.Status.MATCHED) {
            parts.add("the CRM matched an existing record; linked to it");
        } else if (linked) {
            parts.add("linked to existing CRM record");
        }
        boolean changedTheCrm = r.status() == WriteResult.Status.UPDATED || r.status() == WriteResult.Status.MATCHED
                || (linked && r.status() != WriteResult.Status.CREATED);
        if (changedTheCrm && s.write().optIn() == OptInStatus.OPTED_OUT) {
            parts.add("opted out in the CRM");
        } else if (changedTheCrm && s.write().optIn() == OptInStatus.OPTED_IN && r.status() == WriteResult.Status.UPDATED) {
            parts.add("opted in in the CRM");
        }
        if (!r.message().isEmpty()) {
            parts.add(r.message());
        }
        if (!s.note().isEmpty()) {
            parts.add(s.note());
        }
        return String.join("; ", parts);
    }

    private void writeBack(Send s, String remoteId) {
        Profile fresh = store.findByLocalId(s.localId()).orElse(s.profile());
        if (!fresh.constituentId().equals(Optional.of(remoteId))) {
            store.update(fresh.toBuilder().constituentId(remoteId).build(), job.origin());
        }
    }

    private RecordResult deferred(String localId, Optional<String> remoteId, Reason reason, String why) {
        return row(localId, OUT, Outcome.DEFERRED, reason, why, Optional.of(localId), remoteId);
    }

    /** Records a record's result: the report row, and the retry list (failures kept, others cleared). */
    private void finish(String localId, RecordResult result) {
        outcomes.put(localId, result.outcome());
        if (!ctx.dryRun() && result.outcome() != Outcome.DEFERRED) {
            PendingRecord earlier = pending.get(localId);
            if (result.outcome() == Outcome.FAILED) {
                PendingRecord kept = new PendingRecord(localId, earlier == null ? 1 : earlier.attempts() + 1,
                        result.message(), earlier == null ? ctx.clock().instant() : earlier.firstFailedAt(), Map.of(),
                        Optional.empty());
                job.state().savePending(job.id(), OUT, kept);
            } else if (earlier != null) {
                job.state().removePending(job.id(), OUT, localId);
            }
        }
        if (result.outcome() == Outcome.DEFERRED) {
            // Deferred records are read again next run: from the change log, or from the retry list.
            seen.remove(localId);
        }
        progress.done(result);
    }
}
