package org.crmsync.engine;

import static org.crmsync.engine.Outcomes.row;
import static org.crmsync.engine.Outcomes.skipped;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.SyncCursor;
import org.crmsync.store.PendingRecord;
import org.crmsync.store.ProfileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound run (CRM to application), DESIGN.md §3 rules 1-6: read changes since the cursor, map,
 * filter, match, create or update, and move the cursor only past records that were applied (or kept
 * for retry).
 */
final class InboundRun {
    private static final Logger LOG = LoggerFactory.getLogger(InboundRun.class);
    private static final SyncDirection IN = SyncDirection.INBOUND;
    private static final int CHECKPOINT_EVERY = 100;
    /**
     * The longest value a profile field takes from a CRM (characters). A CRM's long text can hold far
     * more (Salesforce: 131,072), but no profile field needs it, and a runaway value (a 10 MB name)
     * must not reach the application's store or the retry list.
     */
    static final int MAX_VALUE_CHARS = 10_000;
    /** Fields set by the engine's own rules rather than copied: phone (normalized), opt-in (consent), local id. */
    private static final java.util.Set<String> NOT_COPIED = java.util.Set.of(StandardField.PHONE_NUMBER.fieldName(),
            StandardField.OPT_IN_STATUS.fieldName(), StandardField.LOCAL_ID.fieldName());

    private final SyncJob job;
    private final RunContext ctx;
    private final QuotaMeter meter;
    private final SyncReport.Builder report;
    private final ProfileStore store;
    private final Eligibility checks;
    private final Progress progress;

    InboundRun(SyncJob job, RunContext ctx, QuotaMeter meter, SyncReport.Builder report, Progress progress) {
        this.job = job;
        this.ctx = ctx;
        this.meter = meter;
        this.report = report;
        this.store = job.profiles();
        this.checks = new Eligibility(job.policy());
        this.progress = progress;
    }

    void run() {
        SyncCursor before = job.state().cursor(job.id(), IN).orElse(SyncCursor.start());
        report.cursorBefore(before).cursorAfter(before);
        retryPending();
        SyncCursor cursor = before;
        List<RemoteRecord> group = new java.util.ArrayList<>(CHECKPOINT_EVERY);
        try (ChangeStream changes = job.connector().readChanges(ctx, before)) {
            boolean more = true;
            while (more) {
                // Read a small group, apply it as one unit of writing, then move the cursor past it.
                group.clear();
                try {
                    while (group.size() < CHECKPOINT_EVERY && changes.hasNext()) {
                        group.add(changes.next());
                        progress.read();
                    }
                    more = group.size() == CHECKPOINT_EVERY;
                } catch (CrmSyncException e) {
                    if (e.code() != ErrorCode.QUOTA_EXHAUSTED) {
                        throw e;
                    }
                    report.status(RunStatus.QUOTA_REACHED, e.getMessage());
                    more = false;
                }
                if (!group.isEmpty()) {
                    cursor = applyGroup(group, cursor);
                    checkpoint(cursor);
                }
            }
        } finally {
            meter.flush();
        }
    }

    /** Applies records in order; returns the cursor after the last one applied. */
    private SyncCursor applyGroup(List<RemoteRecord> group, SyncCursor start) {
        SyncCursor[] cursor = {start};
        int[] applied = {0};
        try {
            store.inTransaction(() -> {
                for (RemoteRecord record : group) {
                    RecordResult result = applySafely(record);
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

    /** Records an earlier run could not apply are applied again, from the fields it kept. */
    private void retryPending() {
        for (PendingRecord pending : job.state().pending(job.id(), IN)) {
            if (pending.source().isEmpty()) {
                continue;
            }
            RemoteRecord record = RemoteRecord.of(pending.key(), pending.remoteFields(), pending.source().get(),
                    SyncCursor.start(), "retry of " + pending.key());
            progress.read();
            RecordResult result;
            try {
                result = applySafely(record);
            } catch (RuntimeException e) {
                progress.done(row(pending.key(), IN, Outcome.DEFERRED, Reason.RUN_STOPPED, "retry not applied: the"
                        + " profile store failed; it stays kept for the next run", Optional.empty(), id(record)));
                throw e;
            }
            if (result.outcome() == Outcome.FAILED) {
                keepForRetry(record, result.message(), pending.attempts(), Optional.of(pending.firstFailedAt()));
            } else if (!ctx.dryRun()) {
                job.state().removePending(job.id(), IN, pending.key());
            }
            progress.done(result);
        }
    }

    private void keepForRetry(RemoteRecord record, String why, int attemptsBefore, Optional<Instant> since) {
        if (ctx.dryRun() || record.problem().isPresent() || oversizeField(record.fields()).isPresent()) {
            return; // a malformed or oversize record comes back only when the CRM's data changes
        }
        job.state().savePending(job.id(), IN, new PendingRecord(record.remoteId(), attemptsBefore + 1, why,
                since.orElse(ctx.clock().instant()), record.fields(), Optional.of(record.source())));
    }

    private RecordResult applySafely(RemoteRecord record) {
        try {
            return apply(record);
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.STORAGE_FAILED) {
                throw e; // the store is down: stop here, the cursor stays before this record
            }
            return failed(record, Reason.PROCESSING_ERROR, e.getMessage());
        } catch (RuntimeException e) {
            // The report row carries the failure; one line here, the stack trace only for debugging.
            LOG.warn("inbound record {} at {} failed: {}", record.remoteId(), record.location(),
                    e.getClass().getSimpleName());
            LOG.debug("inbound record {} failed", record.remoteId(), e);
            return failed(record, Reason.PROCESSING_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Optional<Map.Entry<String, String>> oversizeField(Map<String, String> values) {
        return values.entrySet().stream().filter(e -> e.getValue().length() > MAX_VALUE_CHARS).findFirst();
    }

    private static String key(RemoteRecord record) {
        return record.remoteId().isEmpty() ? record.location() : record.remoteId();
    }

    private RecordResult failed(RemoteRecord record, Reason reason, String message) {
        return row(record.remoteId(), IN, Outcome.FAILED, reason, message, Optional.empty(), id(record));
    }

    private static Optional<String> id(RemoteRecord record) {
        return record.remoteId().isEmpty() ? Optional.empty() : Optional.of(record.remoteId());
    }

    private RecordResult apply(RemoteRecord record) {
        String key = key(record);
        Optional<String> remoteId = id(record);
        if (record.problem().isPresent()) {
            return row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": "
                    + record.problem().get(), Optional.empty(), remoteId);
        }
        InboundValues mapped = job.mapping().toLocal(record.fields(), record.source());
        if (!mapped.problems().isEmpty()) {
            return row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": "
                    + String.join("; ", mapped.problems()), Optional.empty(), remoteId);
        }
        Map<String, String> values = mapped.values();
        Optional<Map.Entry<String, String>> oversize = oversizeField(values);
        if (oversize.isPresent()) {
            return row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": "
                    + oversize.get().getKey() + " has " + oversize.get().getValue().length() + " characters, more than"
                    + " the " + MAX_VALUE_CHARS + " a profile field takes; the record was not applied",
                    Optional.empty(), remoteId);
        }

        // Rule 3: records without a valid mobile number, from a country not allowed, without a
        // required value, or (conservative) not opted in are skipped with a reason.
        PhoneCheck phone = checks.phone(values.get(StandardField.PHONE_NUMBER.fieldName()));
        Optional<Eligibility.Skip> skip = checks.mobileProblem(phone)
                .or(() -> checks.countryProblem(values.get(StandardField.COUNTRY.fieldName()), phone));
        if (skip.isPresent()) {
            return skipped(key, IN, skip.get().reason(), skip.get().message(), Optional.empty(), remoteId);
        }
        Optional<String> e164 = phone.problem() == PhoneProblem.NONE ? phone.e164() : Optional.empty();
        if (!mapped.missingRequired().isEmpty()) {
            return skipped(key, IN, Reason.MISSING_REQUIRED_FIELD, "no value in required field(s) "
                    + String.join(", ", mapped.missingRequired()), Optional.empty(), remoteId);
        }
        String optInValue = values.get(StandardField.OPT_IN_STATUS.fieldName());
        Optional<OptInStatus> parsedOptIn = OptInStatus.parse(optInValue);
        if (parsedOptIn.isEmpty()) {
            return row(key, IN, Outcome.FAILED, Reason.VALIDATION_ERROR, record.location() + ": opt_in_status value '"
                    + optInValue + "' is not a yes/no value; map it with a converter", Optional.empty(), remoteId);
        }
        OptInStatus remoteOptIn = parsedOptIn.get();
        if (job.policy().mode() == SyncMode.CONSERVATIVE && remoteOptIn == OptInStatus.OPTED_OUT
                && job.policy().authority() == Authority.TWO_WAY) {
            Optional<RecordResult> optOut = conservativeOptOut(key, record);
            if (optOut.isPresent()) {
                return optOut.get();
            }
        }
        if (job.policy().mode() == SyncMode.CONSERVATIVE && remoteOptIn != OptInStatus.OPTED_IN) {
            return skipped(key, IN, Reason.NOT_OPTED_IN, "conservative sync: opt-in in the CRM is "
                    + (remoteOptIn == OptInStatus.OPTED_OUT ? "false" : "not set"), Optional.empty(), remoteId);
        }

        // Rule 4: match constituent ID, then phone, then email (the policy's order); never guess.
        Matches.Match<Profile> match = Matches.local(store, job.policy().inboundMatchOrder(), record.remoteId(),
                e164.orElse(null), values);
        if (match instanceof Matches.Ambiguous<Profile> ambiguous) {
            return skipped(key, IN, Reason.MULTIPLE_MATCHES, ambiguous.why(), Optional.empty(), remoteId);
        }
        if (match instanceof Matches.Conflict<Profile> conflict) {
            return skipped(key, IN, Reason.MATCH_CONFLICT, conflict.why(), Optional.empty(), remoteId);
        }
        Optional<Matches.Found<Profile>> found = match instanceof Matches.Found<Profile> f ? Optional.of(f)
                : Optional.empty();
        if (job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD) {
            return importProspect(key, record, values, e164, remoteOptIn, found.map(Matches.Found::match));
        }
        if (found.isEmpty()) {
            return create(key, record, values, mapped, e164, remoteOptIn);
        }
        Profile existing = found.get().match();
        if (existing.constituentId().filter(c -> !c.equals(record.remoteId())).isPresent()) {
            return skipped(key, IN, Reason.LINKED_TO_OTHER_RECORD, "matched local profile " + existing.localId()
                    .orElse("?") + " by " + found.get().key().name() + ", but it is linked to CRM record "
                    + existing.constituentId().get(), existing.localId(), remoteId);
        }
        return update(key, record, existing, values, mapped, e164, remoteOptIn);
    }

    /**
     * Conservative sync takes no data from records not opted in, but an opt-out of a person already
     * linked still reaches the application: losing an opt-out is worse than the seeds' letter. Only
     * the opt-in status changes.
     */
    private Optional<RecordResult> conservativeOptOut(String key, RemoteRecord record) {
        List<Profile> linked = record.remoteId().isEmpty() ? List.of() : store.findByConstituentId(record.remoteId());
        if (linked.size() != 1) {
            return Optional.empty();
        }
        Profile p = linked.get(0);
        if (p.optInStatus() == OptInStatus.OPTED_OUT) {
            return Optional.of(row(key, IN, Outcome.NO_DIFFERENCE, Reason.NONE, "already opted out", p.localId(),
                    id(record)));
        }
        if (!ctx.dryRun()) {
            store.update(p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build(), job.origin());
        }
        return Optional.of(row(key, IN, Outcome.UPDATED, Reason.NONE, "opted out in the CRM; conservative sync"
                + " passes the opt-out and no other field", p.localId(), id(record)));
    }

    /**
     * System of record (ActiveCampaign seed): linked contacts are not pulled; unknown, subscribed
     * contacts become new prospects.
     */
    private RecordResult importProspect(String key, RemoteRecord record, Map<String, String> values, Optional<String> e164,
            OptInStatus remoteOptIn, Optional<Profile> match) {
        Optional<String> remoteId = id(record);
        if (match.isPresent() || values.containsKey(StandardField.LOCAL_ID.fieldName())) {
            Optional<String> localId = match.flatMap(Profile::localId)
                    .or(() -> Optional.ofNullable(values.get(StandardField.LOCAL_ID.fieldName())));
            return skipped(key, IN, Reason.SYSTEM_OF_RECORD, "linked to local profile " + localId.orElse("?")
                    + "; the application is the system of record, so CRM edits are not pulled", localId, remoteId);
        }
        if (remoteOptIn == OptInStatus.OPTED_OUT) {
            return skipped(key, IN, Reason.UNSUBSCRIBED, "unsubscribed in the CRM, so not imported as a new prospect",
                    Optional.empty(), remoteId);
        }
        return create(key, record, values, null, e164, remoteOptIn);
    }

    private RecordResult create(String key, RemoteRecord record, Map<String, String> values, InboundValues mapped,
            Optional<String> e164, OptInStatus remoteOptIn) {
        Profile.Builder b = Profile.builder();
        job.inboundDefaults().forEach(b::set);
        values.forEach((field, value) -> {
            if (!NOT_COPIED.contains(field)) {
                b.set(field, value);
            }
        });
        b.phoneNumber(e164.orElse(null)).constituentId(record.remoteId()).optInStatus(remoteOptIn);
        if (!values.containsKey(StandardField.FIRST_NAME.fieldName())) {
            job.policy().defaultFirstName().ifPresent(b::firstName);
        }
        if (!values.containsKey(StandardField.LAST_NAME.fieldName())) {
            job.policy().defaultLastName().ifPresent(b::lastName);
        }
        Profile profile = b.build();
        // Rule 5: a new subscriber joins the default opt-in path (its welcome message is the
        // application's business); someone not opted in joins none.
        Optional<String> path = remoteOptIn == OptInStatus.OPTED_IN ? job.policy().defaultOptInPath() : Optional.empty();
        Optional<String> localId = Optional.empty();
        if (!ctx.dryRun()) {
            localId = store.create(profile, path, job.origin()).localId();
        }
        String message = job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD
                ? "imported as a new prospect" : path.map(p -> "new subscriber on opt-in path " + p)
                        .orElse("new profile, " + remoteOptIn.name().toLowerCase(java.util.Locale.ROOT));
        return row(key, IN, Outcome.CREATED, Reason.NONE, message, localId, id(record));
    }

    private RecordResult update(String key, RemoteRecord record, Profile existing, Map<String, String> values,
            InboundValues mapped, Optional<String> e164, OptInStatus remoteOptIn) {
        Profile.Builder b = existing.toBuilder();
        values.forEach((field, value) -> {
            if (!NOT_COPIED.contains(field)) {
                b.set(field, value);
            }
        });
        mapped.blanks().forEach(field -> {
            if (!field.equals(StandardField.OPT_IN_STATUS.fieldName())
                    && !field.equals(StandardField.PHONE_NUMBER.fieldName())
                    && !field.equals(StandardField.LOCAL_ID.fieldName())) {
                b.set(field, null);
            }
        });
        e164.ifPresent(b::phoneNumber);
        if (existing.constituentId().isEmpty()) {
            b.constituentId(record.remoteId());
        }
        // Consent safety: the CRM can opt a person out, never back in over a local opt-out.
        boolean protectedOptOut = false;
        if (remoteOptIn == OptInStatus.OPTED_OUT) {
            b.optInStatus(OptInStatus.OPTED_OUT);
        } else if (remoteOptIn == OptInStatus.OPTED_IN) {
            if (existing.optInStatus() == OptInStatus.OPTED_OUT) {
                protectedOptOut = true;
            } else {
                b.optInStatus(OptInStatus.OPTED_IN);
            }
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
        return row(key, IN, different ? Outcome.UPDATED : Outcome.NO_DIFFERENCE, Reason.NONE,
                different ? changedFields(existing, changed) : "", existing.localId(), id(record));
    }

    private static String changedFields(Profile before, Profile after) {
        Map<String, String> a = before.asFieldMap();
        Map<String, String> b = after.asFieldMap();
        java.util.Set<String> names = new java.util.TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        List<String> changed = names.stream().filter(n -> !java.util.Objects.equals(a.get(n), b.get(n))).toList();
        return "changed: " + String.join(", ", changed);
    }
}
