package org.crmsync.engine;

import static org.crmsync.engine.Outcomes.row;
import static org.crmsync.engine.Outcomes.skipped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
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
 * One outbound run (application to CRM), DESIGN.md §3 rules 7-10: new opt-ins become CRM records
 * after a lookup, opt-outs set the CRM's opt-in to false, liberal and system-of-record syncs push
 * changed fields, every call counts against the quota, and what the quota stops waits for the next
 * run.
 */
final class OutboundRun {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundRun.class);
    static final String SEQUENCE = "sequence";
    private static final SyncDirection OUT = SyncDirection.OUTBOUND;

    private final SyncJob job;
    private final RunContext ctx;
    private final QuotaMeter meter;
    private final SyncReport.Builder report;
    private final Progress progress;
    private final ProfileStore store;
    private final Eligibility checks;
    private final int batchSize;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, PendingRecord> pending = new LinkedHashMap<>();
    private boolean stopped;
    private Reason stopReason = Reason.RUN_STOPPED;

    OutboundRun(SyncJob job, RunContext ctx, QuotaMeter meter, SyncReport.Builder report, Progress progress) {
        this.job = job;
        this.ctx = ctx;
        this.meter = meter;
        this.report = report;
        this.progress = progress;
        this.store = job.profiles();
        this.checks = new Eligibility(job.policy());
        this.batchSize = Math.max(1, job.connector().preferredBatchSize());
    }

    /** A profile to push, with what changed since it was last pushed. */
    private static final class Item {
        final String localId;
        final Set<String> changed = new HashSet<>();
        boolean everything;
        boolean created;
        long firstSequence = Long.MAX_VALUE;
        Profile profile;
        RecordResult result;
        RemoteWrite write;
        boolean link;
        /** Something left out of the write on purpose, for the report row; empty when nothing was. */
        String note = "";

        Item(String localId) {
            this.localId = localId;
        }
    }

    void run() {
        SyncCursor before = job.state().cursor(job.id(), OUT).orElse(SyncCursor.start());
        long sequence = before.get(SEQUENCE).map(Long::parseLong).orElse(0L);
        report.cursorBefore(before).cursorAfter(before);
        job.state().pending(job.id(), OUT).forEach(p -> pending.put(p.key(), p));

        List<Item> retries = new ArrayList<>();
        for (PendingRecord p : pending.values()) {
            Item item = new Item(p.key());
            item.everything = true;
            retries.add(item);
            seen.add(p.key());
        }
        process(retries);

        if (job.fullExport()) {
            exportAll();
            return;
        }
        while (!stopped) {
            List<LocalChange> page = store.changesSince(sequence, batchSize * 10);
            if (page.isEmpty()) {
                break;
            }
            List<Item> items = coalesce(page);
            process(items);
            long last = page.get(page.size() - 1).sequence();
            if (stopped) {
                // Rule 10: the cursor stays before the first record that did not get its turn.
                long firstUnfinished = items.stream().filter(i -> i.result == null
                        || i.result.outcome() == Outcome.DEFERRED).mapToLong(i -> i.firstSequence).min()
                        .orElse(last + 1);
                last = Math.min(last, firstUnfinished - 1);
            }
            sequence = Math.max(sequence, last);
            checkpoint(sequence);
        }
    }

    private void exportAll() {
        try (Stream<Profile> all = store.all()) {
            List<Item> chunk = new ArrayList<>();
            for (Profile p : (Iterable<Profile>) all::iterator) {
                if (stopped) {
                    break;
                }
                if (p.localId().isEmpty() || !seen.add(p.localId().get()) || !job.exportFilter().test(p)) {
                    continue;
                }
                Item item = new Item(p.localId().get());
                item.everything = true;
                chunk.add(item);
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

    /** The page's changes the application made, one item per profile, in order of first change. */
    private List<Item> coalesce(List<LocalChange> page) {
        Map<String, Item> items = new LinkedHashMap<>();
        for (LocalChange change : page) {
            boolean own = change.origin().equals(job.origin());
            // What this connection's own inbound sync wrote is not echoed back; but in system-of-record
            // mode a prospect it imported is exported once, so the CRM learns the local ID.
            boolean importedProspect = own && change.created()
                    && job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD;
            if ((own && !importedProspect) || seen.contains(change.localId())) {
                continue;
            }
            Item item = items.computeIfAbsent(change.localId(), Item::new);
            item.changed.addAll(change.changedFields());
            item.created |= change.created();
            item.everything |= importedProspect;
            item.firstSequence = Math.min(item.firstSequence, change.sequence());
        }
        seen.addAll(items.keySet());
        return new ArrayList<>(items.values());
    }

    private void process(List<Item> items) {
        for (int from = 0; from < items.size(); from += batchSize) {
            List<Item> batch = items.subList(from, Math.min(items.size(), from + batchSize));
            if (stopped) {
                batch.forEach(i -> finish(i, deferred(i, stopReason, "not reached: the run stopped earlier")));
                continue;
            }
            try {
                store.inTransaction(() -> {
                    processBatch(batch);
                    return null;
                });
            } catch (RuntimeException failure) {
                // A CrmSyncException is the CRM or the store failing the whole call; anything else is
                // unforeseen (a connector bug): both stop the run, and every record still gets its row.
                CrmSyncException e = failure instanceof CrmSyncException c ? c
                        : new CrmSyncException(ErrorCode.INTERNAL, "unexpected " + failure.getClass().getSimpleName()
                                + " while writing a batch: " + failure.getMessage(), failure);
                if (!(failure instanceof CrmSyncException)) {
                    LOG.error("sync job {}: unexpected failure while writing a batch", job.id(), failure);
                }
                stopped = true;
                if (e.code() == ErrorCode.QUOTA_EXHAUSTED) {
                    stopReason = Reason.QUOTA_REACHED;
                    report.status(RunStatus.QUOTA_REACHED, e.getMessage());
                    batch.stream().filter(i -> i.result == null).forEach(i -> finish(i, deferred(i, stopReason,
                            e.getMessage())));
                } else {
                    stopReason = Reason.RUN_STOPPED;
                    // The CRM failed the whole call (after retries): keep the batch for the next run, whose
                    // lookup finds any create that landed before the failure.
                    report.status(RunStatus.FAILED, e.getMessage());
                    batch.stream().filter(i -> i.result == null).forEach(i -> finish(i,
                            row(i.localId, OUT, Outcome.FAILED, Reason.PROCESSING_ERROR, e.getMessage(),
                                    Optional.of(i.localId), Optional.empty())));
                }
            }
        }
    }

    private RecordResult deferred(Item i, Reason reason, String why) {
        return row(i.localId, OUT, Outcome.DEFERRED, reason, why, Optional.of(i.localId),
                i.profile == null ? Optional.empty() : i.profile.constituentId());
    }

    private void processBatch(List<Item> batch) {
        List<Item> needLookup = new ArrayList<>();
        for (Item item : batch) {
            progress.read();
            Optional<Profile> profile = store.findByLocalId(item.localId);
            if (profile.isEmpty()) {
                finish(item, skipped(item.localId, OUT, Reason.NOT_IN_CRM, "the local profile no longer exists",
                        Optional.of(item.localId), Optional.empty()));
                continue;
            }
            item.profile = profile.get();
            plan(item);
            if (item.result == null) {
                if (item.write == null || needsCurrentValues(item)) {
                    needLookup.add(item);
                } else {
                    item.write = withFields(item, item.write, Map.of());
                }
            }
        }
        if (!needLookup.isEmpty()) {
            lookup(needLookup);
        }
        List<Item> writes = new ArrayList<>();
        for (Item item : batch) {
            if (item.result != null) {
                continue;
            }
            Optional<String> missing = job.connector().missingRequiredField(item.write);
            if (missing.isPresent()) {
                finish(item, skipped(item.localId, OUT, Reason.CRM_REQUIRED_FIELD_MISSING, missing.get(),
                        Optional.of(item.localId), item.write.remoteId()));
            } else if (ctx.dryRun()) {
                finish(item, planned(item));
            } else {
                writes.add(item);
            }
        }
        if (!writes.isEmpty()) {
            write(writes);
        }
    }

    /** Decides what a profile needs, before any lookup. Leaves {@code result} set when nothing is sent. */
    private void plan(Item item) {
        Profile p = item.profile;
        boolean systemOfRecord = job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD;
        boolean optInChanged = item.everything || item.created
                || item.changed.contains(StandardField.OPT_IN_STATUS.fieldName());
        Optional<String> remoteId = p.constituentId();
        if (systemOfRecord) {
            // The application is the system of record: every mapped field is written, local wins.
            if (remoteId.isPresent()) {
                item.write = RemoteWrite.update(item.localId, remoteId.get(), Map.of(), p.optInStatus());
            }
            return; // unlinked: the lookup decides between update and create
        }
        if (remoteId.isPresent()) {
            Set<String> fields = new HashSet<>();
            if (optInChanged && p.optInStatus() != OptInStatus.UNKNOWN) {
                fields.add(StandardField.OPT_IN_STATUS.fieldName()); // rule 8 (and a renewed opt-in)
            }
            if (job.policy().mode() == SyncMode.LIBERAL) {
                mappedFields().stream().filter(f -> item.everything || item.changed.contains(f)).forEach(fields::add);
            }
            Optional<Eligibility.Skip> badPhone = phoneNotToPush(p, fields);
            if (badPhone.isPresent()) {
                fields.remove(StandardField.PHONE_NUMBER.fieldName());
                item.note = "phone number not pushed: " + badPhone.get().message();
                if (fields.isEmpty()) {
                    finish(item, skipped(item.localId, OUT, badPhone.get().reason(), item.note,
                            Optional.of(item.localId), remoteId));
                    return;
                }
            }
            if (fields.isEmpty()) {
                finish(item, row(item.localId, OUT, Outcome.NO_DIFFERENCE, Reason.NONE, conservativeNote(),
                        Optional.of(item.localId), remoteId));
                return;
            }
            item.changed.clear();
            item.changed.addAll(fields);
            item.everything = false;
            item.write = RemoteWrite.update(item.localId, remoteId.get(), Map.of(),
                    fields.contains(StandardField.OPT_IN_STATUS.fieldName()) ? p.optInStatus() : OptInStatus.UNKNOWN);
            return;
        }
        switch (p.optInStatus()) {
            case OPTED_IN:
                if (p.email().isEmpty()) {
                    // Rule 7 applies to users whose profile contains an email address.
                    finish(item, skipped(item.localId, OUT, Reason.NO_EMAIL, "new opt-in without an email address is"
                            + " not added to the CRM", Optional.of(item.localId), Optional.empty()));
                    return;
                }
                // Rule 3 holds both ways: whom the inbound sync would skip is not added to the CRM.
                notEligible(p).ifPresent(skip -> finish(item, skipped(item.localId, OUT, skip.reason(), skip.message()
                        + "; not added to the CRM", Optional.of(item.localId), Optional.empty())));
                return; // lookup, then create or link
            case OPTED_OUT:
                if (!optInChanged) {
                    finish(item, row(item.localId, OUT, Outcome.NO_DIFFERENCE, Reason.NONE,
                            "opted out and not in the CRM", Optional.of(item.localId), Optional.empty()));
                }
                return; // lookup: an opt-out of someone the CRM knows is sent (rule 8)
            default:
                finish(item, row(item.localId, OUT, Outcome.NO_DIFFERENCE, Reason.NONE,
                        "not opted in and not in the CRM: nothing to send", Optional.of(item.localId), Optional.empty()));
        }
    }

    /** Why the person would not be synced inbound (no valid mobile number, a country not allowed). */
    private Optional<Eligibility.Skip> notEligible(Profile p) {
        PhoneCheck phone = checks.phone(p.phoneNumber().orElse(""));
        return checks.mobileProblem(phone).or(() -> checks.countryProblem(p.country().orElse(null), phone));
    }

    /** A changed phone that is not a valid mobile number is not pushed over the CRM's; the rest of the write goes. */
    private Optional<Eligibility.Skip> phoneNotToPush(Profile p, Set<String> fields) {
        if (!fields.contains(StandardField.PHONE_NUMBER.fieldName()) || p.phoneNumber().isEmpty()) {
            return Optional.empty();
        }
        return checks.mobileProblem(checks.phone(p.phoneNumber().get()));
    }

    private String conservativeNote() {
        return job.policy().mode() == SyncMode.CONSERVATIVE ? "conservative sync pushes opt-in changes only" : "";
    }

    private boolean needsCurrentValues(Item item) {
        return job.mapping().rules().stream().anyMatch(r -> r.writeMode() == WriteMode.ONLY_WHEN_EMPTY
                && includes(item, r.localField()));
    }

    private boolean includes(Item item, String localField) {
        return item.everything || job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD
                || item.changed.contains(localField);
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

    /** One lookup call for the batch; then each unlinked profile is linked, created or skipped. */
    private void lookup(List<Item> items) {
        List<MatchKey> order = job.policy().outboundMatchOrder();
        List<LookupRequest> requests = new ArrayList<>();
        for (Item item : items) {
            List<MatchKey> keys = item.write != null ? List.of(MatchKey.CONSTITUENT_ID) : order;
            requests.add(new LookupRequest(item.localId, item.profile, keys));
        }
        Map<String, List<RemoteRecord>> found = job.connector().lookup(ctx, requests);
        for (Item item : items) {
            List<RemoteRecord> candidates = found.getOrDefault(item.localId, List.of());
            if (item.write != null) {
                Map<String, String> current = candidates.stream()
                        .filter(r -> r.remoteId().equals(item.write.remoteId().orElse(""))).findFirst()
                        .map(RemoteRecord::fields).orElse(Map.of());
                item.write = withFields(item, item.write, current);
                continue;
            }
            resolve(item, Matches.remote(item.profile, candidates, order, job.mapping(), checks.phones()));
        }
    }

    private void resolve(Item item, Matches.Match<RemoteRecord> match) {
        Profile p = item.profile;
        if (match instanceof Matches.Ambiguous<RemoteRecord> ambiguous) {
            finish(item, skipped(item.localId, OUT, Reason.MULTIPLE_MATCHES, ambiguous.why(),
                    Optional.of(item.localId), Optional.empty()));
            return;
        }
        if (match instanceof Matches.Conflict<RemoteRecord> conflict) {
            finish(item, skipped(item.localId, OUT, Reason.MATCH_CONFLICT, conflict.why(),
                    Optional.of(item.localId), Optional.empty()));
            return;
        }
        boolean systemOfRecord = job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD;
        if (match instanceof Matches.Found<RemoteRecord> found) {
            RemoteRecord remote = found.match();
            List<Profile> linked = store.findByConstituentId(remote.remoteId());
            if (linked.stream().anyMatch(o -> !o.localId().equals(p.localId()))) {
                finish(item, skipped(item.localId, OUT, Reason.LINKED_TO_OTHER_RECORD, "CRM record "
                        + remote.remoteId() + " matches by " + found.key().name()
                        + " but is linked to another local profile", Optional.of(item.localId),
                        Optional.of(remote.remoteId())));
                return;
            }
            item.link = true;
            if (!systemOfRecord) {
                if (job.policy().mode() == SyncMode.CONSERVATIVE) {
                    // Conservative sync pushes opt-in changes only, also when it links a profile to a
                    // record the CRM already has: the record's other fields stay the CRM's.
                    item.changed.clear();
                    item.everything = false;
                }
                item.changed.add(StandardField.OPT_IN_STATUS.fieldName());
            }
            item.write = withFields(item, RemoteWrite.update(item.localId, remote.remoteId(), Map.of(),
                    p.optInStatus()), remote.fields());
            return;
        }
        if (!systemOfRecord && p.optInStatus() != OptInStatus.OPTED_IN) {
            finish(item, skipped(item.localId, OUT, Reason.NOT_IN_CRM, "opted out, and no CRM record matches",
                    Optional.of(item.localId), Optional.empty()));
            return;
        }
        Optional<Eligibility.Skip> skip = notEligible(p);
        if (skip.isPresent()) {
            finish(item, skipped(item.localId, OUT, skip.get().reason(), skip.get().message()
                    + "; not added to the CRM", Optional.of(item.localId), Optional.empty()));
            return;
        }
        item.everything = true;
        item.write = withFields(item, RemoteWrite.create(item.localId, Map.of(), systemOfRecord ? p.optInStatus()
                : OptInStatus.OPTED_IN), Map.of());
    }

    /** Fills a write's fields from the mapping, given the CRM's current values. */
    private RemoteWrite withFields(Item item, RemoteWrite w, Map<String, String> current) {
        boolean create = w.operation() == RemoteWrite.Operation.CREATE;
        Profile p = item.profile;
        if (create) {
            Profile.Builder b = p.toBuilder();
            if (p.firstName().isEmpty()) {
                job.policy().defaultFirstName().ifPresent(b::firstName);
            }
            if (p.lastName().isEmpty()) {
                job.policy().defaultLastName().ifPresent(b::lastName);
            }
            p = b.build();
        }
        Predicate<String> include = create || job.policy().authority() == Authority.LOCAL_SYSTEM_OF_RECORD
                ? f -> true : f -> includes(item, f);
        Map<String, String> fields = job.mapping().toRemote(p, current, create, include);
        return new RemoteWrite(w.key(), w.operation(), w.remoteId(), fields, w.optIn());
    }

    private RecordResult planned(Item item) {
        boolean create = item.write.operation() == RemoteWrite.Operation.CREATE;
        return row(item.localId, OUT, create ? Outcome.CREATED : Outcome.UPDATED, Reason.NONE,
                "dry run: would " + (create ? "create" : "update") + " fields " + item.write.fields().keySet(),
                Optional.of(item.localId), item.write.remoteId());
    }

    private void write(List<Item> items) {
        List<RemoteWrite> batch = items.stream().map(i -> i.write).toList();
        List<WriteResult> results = job.connector().write(ctx, batch);
        Map<String, WriteResult> byKey = new HashMap<>();
        results.forEach(r -> byKey.put(r.key(), r));
        for (Item item : items) {
            WriteResult r = byKey.get(item.localId);
            if (r == null) {
                finish(item, row(item.localId, OUT, Outcome.FAILED, Reason.PROCESSING_ERROR,
                        "the connector returned no result for this record", Optional.of(item.localId),
                        item.write.remoteId()));
                continue;
            }
            switch (r.status()) {
                case CREATED:
                case UPDATED:
                case UNCHANGED:
                    String remoteId = r.remoteId().or(item.write::remoteId).orElseThrow();
                    if (r.status() == WriteResult.Status.CREATED || item.link) {
                        writeBack(item, remoteId); // rule 7: the CRM id becomes the constituent ID
                    }
                    Outcome outcome = r.status() == WriteResult.Status.CREATED ? Outcome.CREATED
                            : r.status() == WriteResult.Status.UPDATED || item.link ? Outcome.UPDATED
                            : Outcome.NO_DIFFERENCE;
                    String message = message(item, r);
                    finish(item, row(item.localId, OUT, outcome, Reason.NONE, message, Optional.of(item.localId),
                            Optional.of(remoteId)));
                    break;
                default:
                    finish(item, row(item.localId, OUT, Outcome.FAILED, r.retryable() ? Reason.PROCESSING_ERROR
                            : Reason.VALIDATION_ERROR, r.errorCode().map(c -> c + ": ").orElse("") + r.message(),
                            Optional.of(item.localId), item.write.remoteId()));
            }
        }
    }

    /**
     * What the write did, for the report: an opt-out must be findable in it ("opted out in the CRM"),
     * then the other fields sent (API names, never values), and anything left out on purpose.
     */
    private static String message(Item item, WriteResult r) {
        List<String> parts = new ArrayList<>();
        if (item.link) {
            parts.add("linked to existing CRM record");
        }
        if (r.status() == WriteResult.Status.UPDATED || (item.link && r.status() != WriteResult.Status.CREATED)) {
            if (item.write.optIn() == OptInStatus.OPTED_OUT) {
                parts.add("opted out in the CRM");
            } else if (item.write.optIn() == OptInStatus.OPTED_IN && r.status() == WriteResult.Status.UPDATED) {
                parts.add("opted in in the CRM");
            }
        }
        if (!r.message().isEmpty()) {
            parts.add(r.message());
        }
        if (!item.note.isEmpty()) {
            parts.add(item.note);
        }
        return String.join("; ", parts);
    }

    private void writeBack(Item item, String remoteId) {
        Profile fresh = store.findByLocalId(item.localId).orElse(item.profile);
        if (!fresh.constituentId().equals(Optional.of(remoteId))) {
            store.update(fresh.toBuilder().constituentId(remoteId).build(), job.origin());
        }
    }

    /** Records the item's result: the report row, and the retry list (failures kept, others cleared). */
    private void finish(Item item, RecordResult result) {
        item.result = result;
        if (!ctx.dryRun() && result.outcome() != Outcome.DEFERRED) {
            PendingRecord earlier = pending.get(item.localId);
            if (result.outcome() == Outcome.FAILED) {
                PendingRecord kept = new PendingRecord(item.localId, earlier == null ? 1 : earlier.attempts() + 1,
                        result.message(), earlier == null ? now() : earlier.firstFailedAt(), Map.of(), Optional.empty());
                job.state().savePending(job.id(), OUT, kept);
            } else if (earlier != null) {
                job.state().removePending(job.id(), OUT, item.localId);
            }
        }
        if (result.outcome() == Outcome.DEFERRED) {
            // Deferred items are read again next run: from the change log, or from the retry list.
            seen.remove(item.localId);
        }
        progress.done(result);
    }

    private Instant now() {
        return ctx.clock().instant();
    }
}
