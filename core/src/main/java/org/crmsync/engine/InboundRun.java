package org.crmsync.engine;

import static org.crmsync.engine.Outcomes.lazyRow;
import static org.crmsync.engine.Outcomes.row;
import static org.crmsync.engine.Outcomes.skipped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.mapping.InboundValues;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.phone.PhoneCheck;
import org.crmsync.phone.PhoneProblem;
import org.crmsync.policy.Authority;
import org.crmsync.policy.SyncMode;
import org.crmsync.report.Outcome;
import org.crmsync.report.Reason;
import org.crmsync.report.RecordResult;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.PendingRecord;
import org.crmsync.store.ProfileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound run (CRM to application), DESIGN.md §3 rules 1-6, read top to bottom:
 *
 * <ol>
 *   <li>{@link #run}: rule 1, the changes since the cursor (or the CRM's word that they are not ready),
 *       and rule 6, the cursor moved only past records applied or kept for retry;
 *   <li>{@link #apply}: rule 2 (map), rule 3 ({@link #notSynced}: mobile number, country, required
 *       fields), rule 4 ({@link Matches#local}: match, never guess), consent ({@link #consent}: the one
 *       place that decides what a CRM's opt-in does locally) and rule 5 ({@link #create} on the opt-in
 *       path, {@link #update});
 *   <li>{@link #retryKept}: records an earlier run could not apply, read again from the CRM where the
 *       connector can read by id.
 * </ol>
 */
final class InboundRun {
    private static final Logger LOG = LoggerFactory.getLogger(InboundRun.class);
    private static final SyncDirection IN = SyncDirection.INBOUND;
    private static final int CHECKPOINT_EVERY = 100;
    /** Records prepared as one task; a group of {@link #CHECKPOINT_EVERY} holds a whole number of them. */
    private static final int SLICE = 20;
    /**
     * The longest value a profile field takes from a CRM (characters). A CRM's long text can hold far
     * more (Salesforce: 131,072), but no profile field needs it, and a runaway value (a 10 MB name)
     * must not reach the application's store or the retry list.
     */
    static final int MAX_VALUE_CHARS = 10_000;
    /** Fields set by the engine's own rules rather than copied: phone (normalized), opt-in (consent), local id. */
    private static final Set<String> NOT_COPIED = Set.of(StandardField.PHONE_NUMBER.fieldName(),
            StandardField.OPT_IN_STATUS.fieldName(), StandardField.LOCAL_ID.fieldName());

    private final SyncJob job;
    private final ConnectorSession session;
    private final RunContext ctx;
    private final QuotaMeter meter;
    private final SyncReport.Builder report;
    private final ProfileStore store;
    private final Eligibility checks;
    private final Progress progress;
    /** The run's preparing threads, or null to prepare on the run's own thread. */
    private final ExecutorService preparers;

    InboundRun(SyncJob job, ConnectorSession session, RunContext ctx, QuotaMeter meter, SyncReport.Builder report,
            Progress progress, ExecutorService preparers) {
        this.job = job;
        this.session = session;
        this.ctx = ctx;
        this.meter = meter;
        this.report = report;
        this.store = job.profiles();
        this.checks = new Eligibility(job.policy());
        this.progress = progress;
        this.preparers = preparers;
    }

    // ----- rule 1 and rule 6: read the changes since the cursor, move the cursor past what was applied -----

    void run() {
        SyncCursor before = job.state().cursor(job.id(), IN).orElse(SyncCursor.start());
        report.cursorBefore(before).cursorAfter(before);
        try {
            // Opened first: a feed that cannot be read (a renamed column, bad credentials) stops the run
            // before anything is applied, retries included.
            ChangeFeed feed = session.readChanges(before);
            retryKept();
            if (feed instanceof ChangeFeed.NotReady notReady) {
                waitForRemote(notReady);
            } else {
                readAll(((ChangeFeed.Ready) feed).changes(), before);
            }
        } finally {
            meter.flush();
        }
    }

    /** The CRM is preparing the changes: remember where to find them, and ask to be run again later. */
    private void waitForRemote(ChangeFeed.NotReady notReady) {
        checkpoint(notReady.cursor());
        report.status(RunStatus.WAITING_FOR_REMOTE, notReady.what())
                .retryAfter(ctx.clock().instant().plus(notReady.retryAfter()));
    }

    private void readAll(ChangeStream stream, SyncCursor before) {
        SyncCursor cursor = before;
        // Read a small group, apply it as one unit of writing, then move the cursor past it. With
        // preparing threads, each record goes to them as soon as it is read, so they map and check it
        // while the rest of the group is read, and the next group is read while this one is applied.
        try (ChangeStream changes = stream;
                ChangeGroups<Future<List<Prepared>>> groups = preparers == null
                        ? ChangeGroups.inline(changes, CHECKPOINT_EVERY, r -> null)
                        : ChangeGroups.ahead(changes, CHECKPOINT_EVERY, new Slices(), job.id())) {
            boolean more = true;
            while (more) {
                ChangeGroups.Group<Future<List<Prepared>>> group = groups.next();
                group.records().forEach(r -> progress.read());
                ChangeGroups.End end = group.end();
                if (end instanceof ChangeGroups.Failed failed) {
                    throw failed.rethrow();
                }
                if (end instanceof ChangeGroups.QuotaReached quota) {
                    report.status(RunStatus.QUOTA_REACHED, quota.message());
                }
                more = end instanceof ChangeGroups.More;
                if (!group.records().isEmpty()) {
                    cursor = applyGroup(group.records(), group.started(), cursor);
                }
                if (end instanceof ChangeGroups.Ended ended) {
                    // A pass that read everything ends where the stream says, even when it read nothing.
                    cursor = ended.endCursor().orElse(cursor);
                }
                if (!group.records().isEmpty() || end instanceof ChangeGroups.Ended) {
                    checkpoint(cursor);
                }
            }
        }
    }

    /** Applies records in order; returns the cursor after the last one applied. */
    private SyncCursor applyGroup(List<RemoteRecord> group, List<Future<List<Prepared>>> preparing,
            SyncCursor start) {
        SyncCursor[] cursor = {start};
        int[] applied = {0};
        try {
            List<Prepared> prepared = prepared(group, preparing);
            store.inTransaction(() -> {
                for (int i = 0; i < group.size(); i++) {
                    RemoteRecord record = group.get(i);
                    RecordResult result = applySafely(record, prepared.get(i));
                    if (result.outcome() == Outcome.FAILED) {
                        keepForRetry(record, result.message(), 0, Optional.empty());
                    }
                    progress.done(result);
                    applied[0]++;
                    cursor[0] = record.cursorAfter();
                }
                return null;
            });
        } catch (RuntimeException e) {
            // The store failed: keep what was applied, stop before the rest. Every record read still
            // gets its row: the ones not applied wait for the next run, which reads them again.
            for (RemoteRecord record : group.subList(applied[0], group.size())) {
                progress.done(row(key(record), IN, Outcome.DEFERRED, Reason.RUN_STOPPED, "not applied: the run"
                        + " stopped when the profile store failed; the next run reads it again", Optional.empty(),
                        id(record)));
            }
            checkpoint(cursor[0]);
            throw e;
        }
        return cursor[0];
    }

    private void checkpoint(SyncCursor cursor) {
        report.cursorAfter(cursor);
        meter.flush();
        if (!ctx.dryRun()) {
            job.state().saveCursor(job.id(), IN, cursor);
        }
    }

    // ----- records kept for retry -----

    /**
     * Records an earlier run could not apply. Where the connector reads by id they are read again from
     * the CRM, so a retry applies today's data (and a record deleted since is dropped); otherwise they
     * are applied from the fields kept when they failed.
     */
    private void retryKept() {
        List<PendingRecord> kept = job.state().pending(job.id(), IN);
        if (kept.isEmpty()) {
            return;
        }
        boolean readAgain = job.connector().capabilities().contains(Capability.READ_BY_ID);
        int batch = Math.max(1, job.connector().preferredBatchSize());
        for (int from = 0; from < kept.size(); from += batch) {
            List<PendingRecord> chunk = kept.subList(from, Math.min(kept.size(), from + batch));
            Map<String, RemoteRecord> current = readAgain
                    ? session.read(chunk.stream().map(PendingRecord::key).toList()) : Map.of();
            for (PendingRecord pending : chunk) {
                Optional<RemoteRecord> record = readAgain ? Optional.ofNullable(current.get(pending.key()))
                        : pending.source().map(source -> RemoteRecord.of(pending.key(), pending.remoteFields(), source,
                                SyncCursor.start(), "retry of " + pending.key()));
                retry(pending, record, readAgain);
            }
        }
    }

    private void retry(PendingRecord pending, Optional<RemoteRecord> record, boolean readAgain) {
        progress.read();
        if (record.isEmpty()) {
            // Read by id and not found: the CRM no longer has it. Without read by id and without the
            // fields (an unreadable record of a connector that cannot read by id) it cannot be retried.
            if (!ctx.dryRun()) {
                job.state().removePending(job.id(), IN, pending.key());
            }
            progress.done(skipped(pending.key(), IN, Reason.NOT_IN_CRM, readAgain
                    ? "kept for retry, but the CRM no longer has this record" : "kept for retry without its data,"
                            + " and this connector cannot read records by id", Optional.empty(),
                    Optional.of(pending.key())));
            return;
        }
        RecordResult result;
        try {
            result = applySafely(record.get());
        } catch (RuntimeException e) {
            progress.done(row(pending.key(), IN, Outcome.DEFERRED, Reason.RUN_STOPPED, "retry not applied: the"
                    + " profile store failed; it stays kept for the next run", Optional.empty(), id(record.get())));
            throw e;
        }
        if (result.outcome() == Outcome.FAILED) {
            keepForRetry(record.get(), result.message(), pending.attempts(), Optional.of(pending.firstFailedAt()));
        } else if (!ctx.dryRun()) {
            job.state().removePending(job.id(), IN, pending.key());
        }
        progress.done(result);
    }

    /**
     * Keeps a failed record for the next run: its fields, or only its id when the connector reads it
     * again by id. A malformed or oversize record is not kept: it comes back when the CRM's data
     * changes.
     */
    private void keepForRetry(RemoteRecord record, String why, int attemptsBefore, Optional<Instant> since) {
        boolean unreadable = record.problem().filter(RemoteRecord.Problem::retryable).isPresent();
        if (ctx.dryRun() || record.remoteId().isEmpty() || (record.problem().isPresent() && !unreadable)
                || oversizeField(record.fields()).isPresent()) {
            return;
        }
        boolean readAgain = job.connector().capabilities().contains(Capability.READ_BY_ID);
        if (unreadable && !readAgain) {
            return; // nothing to apply it from next time
        }
        job.state().savePending(job.id(), IN, new PendingRecord(record.remoteId(), attemptsBefore + 1, why,
                since.orElse(ctx.clock().instant()), readAgain ? Map.of() : record.fields(),
                readAgain ? Optional.empty() : Optional.of(record.source())));
    }

    /**
     * Rules 2 and 3 for a group, on the run's preparing threads when there are more than one (the phone
     * checks dominate an inbound sync's time); a record whose preparation fails is prepared again in
     * {@link #applySafely}, in order, where its failure is reported.
     */
    /** The group's records prepared: by the preparing threads ({@code preparing}, in order), or here. */
    /**
     * The group's records as the preparing threads left them, slice by slice; what no slice covers (the
     * end of the last group, or a slice whose thread failed) is prepared here.
     */
    private List<Prepared> prepared(List<RemoteRecord> group, List<Future<List<Prepared>>> preparing) {
        List<Prepared> prepared = new ArrayList<>(group.size());
        for (Future<List<Prepared>> f : preparing) {
            try {
                prepared.addAll(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CrmSyncException(ErrorCode.INTERNAL, "interrupted while preparing records", e);
            } catch (ExecutionException e) {
                for (int i = 0; i < SLICE; i++) {
                    prepared.add(null); // prepared again in applySafely, which reports the failure
                }
            }
        }
        for (int i = prepared.size(); i < group.size(); i++) {
            prepared.add(preparedOrNull(group.get(i)));
        }
        return prepared;
    }

    /**
     * On the reading thread: every {@link #SLICE} records read go to the preparing threads as one task (a
     * task per record cost a queue entry, a future and a wake-up each). Groups hold a whole number of
     * slices, so a slice never spans two; the end of the last group is prepared on the run's thread.
     */
    private final class Slices implements java.util.function.Function<RemoteRecord, Future<List<Prepared>>> {
        private List<RemoteRecord> slice = new ArrayList<>(SLICE);

        @Override
        public Future<List<Prepared>> apply(RemoteRecord record) {
            slice.add(record);
            if (slice.size() < SLICE) {
                return null;
            }
            List<RemoteRecord> full = slice;
            slice = new ArrayList<>(SLICE);
            return preparers.submit(() -> {
                List<Prepared> out = new ArrayList<>(full.size());
                for (RemoteRecord r : full) {
                    out.add(preparedOrNull(r));
                }
                return out;
            });
        }
    }

    private Prepared preparedOrNull(RemoteRecord record) {
        try {
            return prepare(record);
        } catch (RuntimeException e) {
            return null; // prepared again in applySafely, which reports the failure
        }
    }

    private RecordResult applySafely(RemoteRecord record) {
        return applySafely(record, null);
    }

    private RecordResult applySafely(RemoteRecord record, Prepared prepared) {
        try {
            return prepared != null ? apply(prepared) : apply(record);
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.STORAGE_FAILED) {
                throw e; // the store is down: stop here, the cursor stays before this record
            }
            return row(key(record), IN, Outcome.FAILED, Reason.PROCESSING_ERROR, e.getMessage(), Optional.empty(),
                    id(record));
        } catch (RuntimeException e) {
            // The report row carries the failure; one line here, the stack trace only for debugging.
            LOG.warn("inbound record {} at {} failed: {}", record.remoteId(), record.location(),
                    e.getClass().getSimpleName());
            LOG.debug("inbound record {} failed", record.remoteId(), e);
            return row(key(record), IN, Outcome.FAILED, Reason.PROCESSING_ERROR, e.getClass().getSimpleName() + ": "
                    + e.getMessage(), Optional.empty(), id(record));
        }
    }

    // ----- one record: rules 2 to 5 -----

    private RecordResult apply(RemoteRecord record) {
        return apply(prepare(record));
    }

    /**
     * What rules 2 and 3 make of a record, without the profile store: the result when the record stops
     * there (malformed, unconvertible, not synced), else its mapped values and checked phone. Pure, so
     * a group's records are prepared on several threads while the store sees them one at a time, in order.
     */
    private sealed interface Prepared permits Stopped, Ready {
    }

    private record Stopped(RemoteRecord record, RecordResult row) implements Prepared {
    }

    private record Ready(RemoteRecord record, InboundValues mapped, Optional<String> e164, OptInStatus remoteOptIn)
            implements Prepared {
    }

    private Prepared prepare(RemoteRecord record) {
        String key = key(record);
        Optional<String> remoteId = id(record);
        if (record.problem().isPresent()) {
            RemoteRecord.Problem problem = record.problem().get();
            return new Stopped(record, problem.retryable()
                    ? row(key, IN, Outcome.FAILED, Reason.PROCESSING_ERROR, record.location() + ": could not be read ("
                            + problem.message() + "); kept, and read again on the next run", Optional.empty(), remoteId)
                    : row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": "
                            + problem.message(), Optional.empty(), remoteId));
        }
        // Rule 2: map the CRM's fields (API names, or CSV headings for an export file).
        InboundValues mapped = job.mapping().toLocal(record.fields(), record.source());
        if (!mapped.problems().isEmpty()) {
            return new Stopped(record, row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": "
                    + String.join("; ", mapped.problems()), Optional.empty(), remoteId));
        }
        Map<String, String> values = mapped.values();
        Optional<Map.Entry<String, String>> oversize = oversizeField(values);
        if (oversize.isPresent()) {
            return new Stopped(record, row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": "
                    + oversize.get().getKey() + " has " + oversize.get().getValue().length() + " characters, more than"
                    + " the " + MAX_VALUE_CHARS + " a profile field takes; the record was not applied",
                    Optional.empty(), remoteId));
        }
        // Rule 3: records without a valid mobile number, from a country not allowed, or without a
        // required value are skipped with a reason.
        PhoneCheck phone = checks.phone(values.get(StandardField.PHONE_NUMBER.fieldName()));
        Optional<Eligibility.Skip> skip = notSynced(phone, values, mapped);
        if (skip.isPresent()) {
            return new Stopped(record, skipped(key, IN, skip.get().reason(), skip.get().message(), Optional.empty(),
                    remoteId));
        }
        Optional<String> e164 = phone.problem() == PhoneProblem.NONE ? phone.e164() : Optional.empty();
        String optInValue = values.get(StandardField.OPT_IN_STATUS.fieldName());
        Optional<OptInStatus> remoteOptIn = OptInStatus.parse(optInValue);
        if (remoteOptIn.isEmpty()) {
            return new Stopped(record, row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location()
                    + ": opt_in_status value '" + optInValue + "' is not a yes/no value; map it with a converter",
                    Optional.empty(), remoteId));
        }
        return new Ready(record, mapped, e164, remoteOptIn.get());
    }

    /** Rules 4 and 5, and consent: the store's part, one record at a time, in the feed's order. */
    private RecordResult apply(Prepared prepared) {
        if (prepared instanceof Stopped stopped) {
            return stopped.row();
        }
        Ready ready = (Ready) prepared;
        RemoteRecord record = ready.record();
        String key = key(record);
        Optional<String> remoteId = id(record);
        InboundValues mapped = ready.mapped();
        Map<String, String> values = mapped.values();
        Optional<String> e164 = ready.e164();
        Optional<OptInStatus> remoteOptIn = Optional.of(ready.remoteOptIn());

        // Rule 4: match constituent ID, then phone, then email (the policy's order); never guess.
        Matches.Match<Profile> match = Matches.local(store, job.policy().inboundMatchOrder(), record.remoteId(),
                e164.orElse(null), values);
        if (job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD) {
            return importProspect(key, record, values, e164, remoteOptIn.get(), match);
        }
        Consent consent = consent(record, remoteOptIn.get(), match);
        if (consent instanceof Consent.Skip s) {
            return skipped(key, IN, s.reason(), s.message(), s.localId(), remoteId);
        }
        if (consent instanceof Consent.OptOutOnly only) {
            return optOutOnly(key, record, only);
        }
        OptInStatus optIn = ((Consent.Apply) consent).optIn();
        boolean protectedOptOut = ((Consent.Apply) consent).protectedOptOut();
        if (!(match instanceof Matches.Found<Profile> found)) {
            return create(key, record, values, e164, optIn);
        }
        Profile existing = found.match();
        if (existing.constituentId().filter(c -> !c.equals(record.remoteId())).isPresent()) {
            return skipped(key, IN, Reason.LINKED_TO_OTHER_RECORD, "matched local profile " + existing.localId()
                    .orElse("?") + " by " + found.key().name() + ", but it is linked to CRM record "
                    + existing.constituentId().get(), existing.localId(), remoteId);
        }
        return update(key, record, existing, mapped, e164, optIn, protectedOptOut);
    }

    /** Rule 3: the same checks both ways (see {@link Eligibility}), and the mapping's required fields. */
    private Optional<Eligibility.Skip> notSynced(PhoneCheck phone, Map<String, String> values, InboundValues mapped) {
        return checks.mobileProblem(phone)
                .or(() -> checks.countryProblem(values.get(StandardField.COUNTRY.fieldName()), phone))
                .or(() -> mapped.missingRequired().isEmpty() ? Optional.empty()
                        : Optional.of(new Eligibility.Skip(Reason.MISSING_REQUIRED_FIELD, "no value in required"
                                + " field(s) " + String.join(", ", mapped.missingRequired()))));
    }

    /** What a CRM record's opt-in does to the local side: one type per decision. */
    private sealed interface Consent permits Consent.Apply, Consent.OptOutOnly, Consent.Skip {
        /** Apply the record; set the opt-in to {@code optIn} ({@code UNKNOWN}: leave it). */
        record Apply(OptInStatus optIn, boolean protectedOptOut) implements Consent {
        }

        /** Set the linked person's opt-in to opted out, and nothing else. */
        record OptOutOnly(Profile linked, String why) implements Consent {
        }

        record Skip(Reason reason, String message, Optional<String> localId) implements Consent {
        }
    }

    /**
     * Consent safety and conservative mode, in one place:
     *
     * <ul>
     *   <li>an opt-out in the CRM of a person linked to the record always reaches the application, also
     *       in conservative mode (which takes nothing else from records not opted in: losing an opt-out
     *       is worse than the seeds' letter) and also when the record's other keys conflict;
     *   <li>conservative mode otherwise takes only records opted in in the CRM (the seeds' rule 3);
     *   <li>a matching record must be the one person: several or conflicting matches are reported;
     *   <li>the CRM's opt-in never turns a local opt-out back on: re-subscribing takes a new opt-in on the
     *       local side (the other fields still update).
     * </ul>
     */
    private Consent consent(RemoteRecord record, OptInStatus remote, Matches.Match<Profile> match) {
        boolean conservative = job.policy().mode() == SyncMode.CONSERVATIVE;
        Optional<Profile> linked = linkedTo(record, match);
        if (remote == OptInStatus.OPTED_OUT && linked.isPresent() && (conservative || !(match instanceof Matches.Found))) {
            return new Consent.OptOutOnly(linked.get(), conservative
                    ? "conservative sync passes the opt-out and no other field"
                    : "only the opt-out was applied: " + unsure(match));
        }
        if (match instanceof Matches.Ambiguous<Profile> ambiguous) {
            return new Consent.Skip(Reason.MULTIPLE_MATCHES, ambiguous.why(), Optional.empty());
        }
        if (match instanceof Matches.Conflict<Profile> conflict) {
            return new Consent.Skip(Reason.MATCH_CONFLICT, conflict.why(), Optional.empty());
        }
        if (conservative && remote != OptInStatus.OPTED_IN) {
            return new Consent.Skip(Reason.NOT_OPTED_IN, "conservative sync: opt-in in the CRM is "
                    + (remote == OptInStatus.OPTED_OUT ? "false" : "not set"), Optional.empty());
        }
        boolean localOptOut = match instanceof Matches.Found<Profile> f
                && f.match().optInStatus() == OptInStatus.OPTED_OUT;
        if (remote == OptInStatus.OPTED_IN && localOptOut) {
            return new Consent.Apply(OptInStatus.UNKNOWN, true);
        }
        return new Consent.Apply(remote, false);
    }

    /** The one local profile linked to this CRM record by its constituent ID, if there is exactly one. */
    private Optional<Profile> linkedTo(RemoteRecord record, Matches.Match<Profile> match) {
        if (record.remoteId().isEmpty()) {
            return Optional.empty();
        }
        if (match instanceof Matches.Found<Profile> f) {
            return f.match().constituentId().filter(record.remoteId()::equals).map(c -> f.match());
        }
        List<Profile> linked = store.findByConstituentId(record.remoteId());
        return linked.size() == 1 ? Optional.of(linked.get(0)) : Optional.empty();
    }

    private static String unsure(Matches.Match<Profile> match) {
        return match instanceof Matches.Conflict<Profile> c ? c.why()
                : match instanceof Matches.Ambiguous<Profile> a ? a.why() : "";
    }

    private RecordResult optOutOnly(String key, RemoteRecord record, Consent.OptOutOnly only) {
        Profile p = only.linked();
        if (p.optInStatus() == OptInStatus.OPTED_OUT) {
            return row(key, IN, Outcome.NO_DIFFERENCE, Reason.NONE, "already opted out", p.localId(), id(record));
        }
        if (!ctx.dryRun()) {
            store.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), job.origin());
        }
        return row(key, IN, Outcome.UPDATED, Reason.NONE, "opted out in the CRM; " + only.why(), p.localId(),
                id(record));
    }

    /**
     * System of record (ActiveCampaign seed): linked contacts are not pulled; unknown, subscribed
     * contacts become new prospects.
     */
    private RecordResult importProspect(String key, RemoteRecord record, Map<String, String> values,
            Optional<String> e164, OptInStatus remoteOptIn, Matches.Match<Profile> match) {
        Optional<String> remoteId = id(record);
        if (match instanceof Matches.Ambiguous<Profile> ambiguous) {
            return skipped(key, IN, Reason.MULTIPLE_MATCHES, ambiguous.why(), Optional.empty(), remoteId);
        }
        if (match instanceof Matches.Conflict<Profile> conflict) {
            return skipped(key, IN, Reason.MATCH_CONFLICT, conflict.why(), Optional.empty(), remoteId);
        }
        Optional<Profile> found = match instanceof Matches.Found<Profile> f ? Optional.of(f.match()) : Optional.empty();
        if (found.isPresent() || values.containsKey(StandardField.LOCAL_ID.fieldName())) {
            Optional<String> localId = found.flatMap(Profile::localId)
                    .or(() -> Optional.ofNullable(values.get(StandardField.LOCAL_ID.fieldName())));
            return skipped(key, IN, Reason.SYSTEM_OF_RECORD, "linked to local profile " + localId.orElse("?")
                    + "; the application is the system of record, so CRM edits are not pulled", localId, remoteId);
        }
        if (remoteOptIn == OptInStatus.OPTED_OUT) {
            return skipped(key, IN, Reason.UNSUBSCRIBED, "unsubscribed in the CRM, so not imported as a new prospect",
                    Optional.empty(), remoteId);
        }
        return create(key, record, values, e164, remoteOptIn);
    }

    /**
     * Rule 5, a new person: created locally with the CRM's id as constituent ID; a new subscriber
     * joins an opt-in path (the policy's rules by CRM field, else its default path; the welcome message
     * is the application's business), someone not opted in joins none.
     */
    private RecordResult create(String key, RemoteRecord record, Map<String, String> values, Optional<String> e164,
            OptInStatus optIn) {
        Profile.Builder b = Profile.builder();
        job.inboundDefaults().forEach(b::set);
        values.forEach((field, value) -> {
            if (!NOT_COPIED.contains(field)) {
                b.set(field, value);
            }
        });
        b.phoneNumber(e164.orElse(null)).constituentId(record.remoteId()).optInStatus(optIn);
        Profile profile = DefaultNames.fill(b.build(), job.policy());
        Optional<String> path = optIn == OptInStatus.OPTED_IN ? job.policy().optInPathFor(record.fields())
                : Optional.empty();
        Optional<String> localId = Optional.empty();
        if (!ctx.dryRun()) {
            localId = store.create(profile, path, job.origin()).localId();
        }
        boolean prospect = job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD;
        return lazyRow(key, IN, Outcome.CREATED, Reason.NONE, () -> prospect ? "imported as a new prospect"
                : path.map(p -> "new subscriber on opt-in path " + p)
                        .orElse("new profile, " + optIn.name().toLowerCase(java.util.Locale.ROOT)), localId, id(record));
    }

    /** Rule 5, a known person: the mapped fields updated; the opt-in as {@link #consent} decided. */
    private RecordResult update(String key, RemoteRecord record, Profile existing, InboundValues mapped,
            Optional<String> e164, OptInStatus optIn, boolean protectedOptOut) {
        Profile.Builder b = existing.toBuilder();
        mapped.values().forEach((field, value) -> {
            if (!NOT_COPIED.contains(field)) {
                b.set(field, value);
            }
        });
        mapped.blanks().forEach(field -> {
            if (!NOT_COPIED.contains(field)) {
                b.set(field, null);
            }
        });
        e164.ifPresent(b::phoneNumber);
        if (existing.constituentId().isEmpty()) {
            b.constituentId(record.remoteId());
        }
        if (optIn != OptInStatus.UNKNOWN) {
            b.optInStatus(optIn);
        }
        Profile changed = b.lastModified(existing.lastModified().orElse(null)).build();
        boolean different = !changed.equals(existing);
        if (different && !ctx.dryRun()) {
            store.update(changed, job.origin());
        }
        if (protectedOptOut) {
            return skipped(key, IN, Reason.OPT_OUT_PROTECTED, "the CRM says opted in, but the person opted out"
                    + " locally; re-subscribing takes a new local opt-in" + (different ? "; other fields updated" : ""),
                    existing.localId(), id(record));
        }
        if (!different) {
            return row(key, IN, Outcome.NO_DIFFERENCE, Reason.NONE, "", existing.localId(), id(record));
        }
        return lazyRow(key, IN, Outcome.UPDATED, Reason.NONE, () -> changedFields(existing, changed),
                existing.localId(), id(record));
    }

    // ----- small helpers -----

    private static Optional<Map.Entry<String, String>> oversizeField(Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue().length() > MAX_VALUE_CHARS) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static String key(RemoteRecord record) {
        return record.remoteId().isEmpty() ? record.location() : record.remoteId();
    }

    private static Optional<String> id(RemoteRecord record) {
        return record.remoteId().isEmpty() ? Optional.empty() : Optional.of(record.remoteId());
    }

    private static String changedFields(Profile before, Profile after) {
        Map<String, String> a = before.asFieldMap();
        Map<String, String> b = after.asFieldMap();
        Set<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        List<String> changed = names.stream().filter(n -> !Objects.equals(a.get(n), b.get(n))).toList();
        return "changed: " + String.join(", ", changed);
    }
}
