package org.crmsync.activecampaign;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.activecampaign.internal.BulkImportOutcome;
import org.crmsync.activecampaign.internal.ContactData;
import org.crmsync.activecampaign.internal.Exclusion;
import org.crmsync.activecampaign.internal.ImportContact;
import org.crmsync.activecampaign.internal.ImportInfo;
import org.crmsync.kit.JobPoller;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.Sleeper;
import org.crmsync.spi.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch's records through the bulk importer: {@code POST import/bulk_import} in chunks of at most
 * 250 contacts and ~390 KB, then {@code GET import/info} for each until it completed or the importer
 * gave it up, then the new contacts read back to learn which email got which id (import/info lists the
 * new contacts' ids, not their emails: "the contact IDs of any newly created contacts, and emails of
 * any contacts that failed to be created", https://developers.activecampaign.com/reference/bulk-import-status-info).
 *
 * <p>The chunks are all sent before the first is checked, so the importer works on the later ones while
 * the earlier ones are waited for; each is first checked {@code import.poll.interval} after it was
 * queued, the wait doubling while it is under way. Results stay exact and in order: each record's
 * result comes from its own chunk's {@code import/info}; the importer may take queued imports in any
 * order, so a chunk that holds the email of a chunk still in flight (two profiles linked to one contact,
 * say) is sent only after that one completed. The new contacts of all the chunks are read together, 100
 * per call: in an account the run knows whole as everything created since it read it through ({@code
 * id_greater}, which also shows contacts another integration created meanwhile), else by id.
 *
 * <p>A chunk the importer gives up ({@code failed}, {@code interrupted}) or does not complete within
 * {@code import.timeout} fails its own records, kept for the next run (whose look-up finds any contact
 * that landed); the other chunks keep their results. When no chunk completed, the whole write fails,
 * which stops the run. A call that fails (ActiveCampaign down after the retries, the quota used up)
 * fails the whole write as before: every record of the batch is kept for the next run, whose look-up
 * finds and links what the queued chunks created, so nothing is lost or made twice. So that a run near
 * its quota still makes progress, a chunk holds no more records than the calls left pay for (its import,
 * a check, the reads of its new contacts, besides what the chunks in flight still need); the records no
 * chunk can pay for are {@link WriteResult#notSent} (the engine stops there and the next run sends them).
 */
final class BulkImports {
    private static final Logger LOG = LoggerFactory.getLogger(BulkImports.class);
    /** "Up to 250 contacts may be included in a single request" (bulk-import-contacts). */
    static final int MAX_IMPORT_CONTACTS = 250;
    /** The importer's payload limit is ~400 KB (summaries cite at most 399,999 bytes); this leaves a margin. */
    static final int MAX_IMPORT_BYTES = 390_000;
    /** The longest wait between two {@code import/info} checks of one import (unless the interval is longer). */
    static final Duration MAX_POLL_WAIT = Duration.ofSeconds(30);

    /**
     * One record to import.
     *
     * @param remoteId the contact an update is for; empty for a create
     * @param note what the record's result says besides the outcome
     * @param bytes its share of the payload ({@link #bytes})
     */
    record Item(String key, ImportContact contact, Optional<String> remoteId, String note, int bytes) {
        boolean create() {
            return remoteId.isEmpty();
        }

        String email() {
            return ActiveCampaignConnector.normalEmail(contact.data().email());
        }
    }

    /** A chunk the importer queued. */
    private record Queued(List<Item> items, String batchId, Instant queuedAt) {
    }

    private final ActiveCampaignClient client;
    private final ActiveCampaignConfig config;
    private final RunKnowledge known;
    private final AccountReader reader;
    private final ImporterRateLimit importerRateLimit;
    private final String listId;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ApiCallMeter meter;
    private final Map<String, WriteResult> results = new HashMap<>();
    private CrmSyncException firstFailure;
    private boolean anyCompleted;

    BulkImports(ActiveCampaignClient client, ActiveCampaignConfig config, RunKnowledge known, AccountReader reader,
            ImporterRateLimit importerRateLimit, String listId, Clock clock, Sleeper sleeper, ApiCallMeter meter) {
        this.client = client;
        this.config = config;
        this.known = known;
        this.reader = reader;
        this.importerRateLimit = importerRateLimit;
        this.listId = listId;
        this.clock = clock;
        this.sleeper = sleeper;
        this.meter = meter;
    }

    /** The payload bytes of one record alone, to find those too big for the importer. */
    static int bytes(ImportContact contact) {
        return ActiveCampaignClient.bulkPayloadBytes(List.of(contact));
    }

    /**
     * Imports the items (each no bigger than {@link #MAX_IMPORT_BYTES} alone) and returns a result for
     * each, by key.
     *
     * @throws CrmSyncException when no chunk completed (nothing to report exactly)
     */
    Map<String, WriteResult> run(List<Item> items) {
        Deque<Item> waiting = new ArrayDeque<>(items);
        List<Queued> inFlight = new ArrayList<>();
        Set<String> inFlightEmails = new HashSet<>();
        long committed = 0; // calls the chunks in flight still need: a check each, the reads of their new contacts
        while (!waiting.isEmpty()) {
            long budget = meter.remaining().orElse(Long.MAX_VALUE) - committed;
            List<Item> chunk = nextChunk(waiting, budget, inFlightEmails);
            if (chunk.isEmpty() && inFlightEmails.contains(waiting.peek().email())) {
                settle(inFlight); // the importer may apply queued imports in any order
                inFlight.clear();
                inFlightEmails.clear();
                committed = 0;
                continue;
            }
            if (chunk.isEmpty()) {
                String why = "the daily API quota left (" + Math.max(0, budget) + " calls besides the imports under"
                        + " way) would not pay for this record's import, its check and the read of its new contact;"
                        + " the next run sends it";
                waiting.forEach(i -> results.put(i.key(), WriteResult.notSent(i.key(), why)));
                break;
            }
            Optional<Queued> queued = queue(chunk);
            if (queued.isPresent()) {
                inFlight.add(queued.get());
                queued.get().items().forEach(i -> inFlightEmails.add(i.email()));
                committed += cost(queued.get().items()) - 1;
            }
        }
        settle(inFlight);
        if (!anyCompleted && firstFailure != null) {
            throw firstFailure;
        }
        return results;
    }

    /**
     * The next chunk: at most 250 contacts and {@link #MAX_IMPORT_BYTES}, none with an email of a chunk in
     * flight, and no more than {@code budget} calls can pay for ({@link #cost}); possibly empty.
     */
    private static List<Item> nextChunk(Deque<Item> waiting, long budget, Set<String> inFlightEmails) {
        List<Item> chunk = new ArrayList<>();
        long bytes = 0;
        long creates = 0;
        while (!waiting.isEmpty() && chunk.size() < MAX_IMPORT_CONTACTS) {
            Item next = waiting.peek();
            long withNext = creates + (next.create() ? 1 : 0);
            if (inFlightEmails.contains(next.email()) || (!chunk.isEmpty() && bytes + next.bytes() > MAX_IMPORT_BYTES)
                    || 2 + AccountReader.pages(withNext) > budget) {
                break;
            }
            chunk.add(waiting.poll());
            bytes += next.bytes();
            creates = withNext;
        }
        return chunk;
    }

    /** The calls a chunk takes in all: its import, one check, and the reads of its new contacts (100 per call). */
    private static long cost(List<Item> chunk) {
        return 2 + AccountReader.pages(chunk.stream().filter(Item::create).count());
    }

    // ----- sending -----

    /** Sends one chunk; one the importer refuses as a whole is sent once more without the contacts it names. */
    private Optional<Queued> queue(List<Item> chunk) {
        List<Item> sent = new ArrayList<>(chunk);
        BulkImportOutcome outcome = send(sent);
        if (outcome.batchId().isEmpty()) {
            sent = dropRejected(sent, outcome);
            if (sent.isEmpty()) {
                return Optional.empty();
            }
            outcome = send(sent);
            if (outcome.batchId().isEmpty()) {
                for (Item i : dropRejected(sent, outcome)) {
                    results.put(i.key(), WriteResult.failed(i.key(), "IMPORT_REFUSED", "ActiveCampaign refused the"
                            + " import: " + outcome.message(), true));
                }
                return Optional.empty();
            }
        }
        return Optional.of(new Queued(List.copyOf(sent), outcome.batchId().get(), clock.instant()));
    }

    /** {@code POST import/bulk_import}, within the importer's own rate limits ({@link ImporterRateLimit}). */
    private BulkImportOutcome send(List<Item> items) {
        List<ImportContact> contacts = items.stream().map(Item::contact).toList();
        return importerRateLimit.send(contacts.size(), () -> client.bulkImport(contacts));
    }

    private List<Item> dropRejected(List<Item> sent, BulkImportOutcome outcome) {
        List<Item> left = new ArrayList<>();
        for (int n = 0; n < sent.size(); n++) {
            String reason = outcome.rejectedContacts().get(n);
            Item i = sent.get(n);
            if (reason != null) {
                results.put(i.key(), WriteResult.failed(i.key(), "IMPORT_REJECTED", "ActiveCampaign's importer"
                        + " refused this contact: " + (reason.isBlank() ? outcome.message() : reason), false));
            } else {
                left.add(i);
            }
        }
        return left;
    }

    // ----- waiting and reporting -----

    /**
     * Waits for the queued chunks in the order they were sent, then reads their new contacts and reports.
     * Chunks that only create contacts, in an account the run knows whole, are first confirmed by reading
     * what they made ({@link #confirmedByReading}); the others, and any that reading did not confirm, by
     * {@code import/info}.
     */
    private void settle(List<Queued> queued) {
        Map<Queued, ImportInfo> completed = new LinkedHashMap<>();
        if (known.whole() && !queued.isEmpty() && queued.stream().allMatch(q -> q.items().stream().allMatch(Item::create))) {
            completed.putAll(confirmedByReading(queued));
        }
        Set<String> newIds = new LinkedHashSet<>();
        boolean creates = false;
        for (Queued q : queued) {
            if (completed.containsKey(q)) {
                continue;
            }
            JobPoller.Outcome<ImportInfo> outcome = await(q);
            if (outcome instanceof JobPoller.Done) {
                completed.put(q, outcome.status());
                newIds.addAll(newContactIds(q, outcome.status()));
                creates |= q.items().stream().anyMatch(Item::create);
                anyCompleted = true;
                continue;
            }
            CrmSyncException failure = notCompleted(q, outcome);
            if (firstFailure == null) {
                firstFailure = failure;
            }
            q.items().forEach(i -> results.put(i.key(), WriteResult.failed(i.key(), "IMPORT_NOT_COMPLETED",
                    failure.getMessage(), true)));
        }
        if (creates) {
            reader.afterWrite(newIds);
        }
        completed.forEach(this::report);
    }

    /**
     * The chunks whose every contact can be read as the import made it: a new contact with its email
     * holding every value sent and its place on the lists. The run reads the contacts created since it
     * read the account through anyway, to learn which email got which id ({@code import/info} says only
     * ids); when what it reads shows every contact of a chunk so, the chunk has done all it was sent to
     * do, and its {@code import/info} check is not needed. The read comes {@code import.poll.interval}
     * after the first chunk was queued (sooner the importer has no status to give,
     * bulk-import-status-info) and goes on, 100 a call, while the later chunks complete. A chunk it does
     * not confirm (one the importer has not finished, or failed or skipped a contact of, or whose values
     * ActiveCampaign wrote otherwise) is checked with {@code import/info} as any other.
     */
    private Map<Queued, ImportInfo> confirmedByReading(List<Queued> queued) {
        // One read, import.poll.interval after the first chunk was queued.
        JobPoller<Map<Queued, ImportInfo>> once = JobPoller.<Map<Queued, ImportInfo>>builder(
                "ActiveCampaign import read-back", confirmed -> JobPoller.State.DONE)
                .firstWait(config.importPollInterval()).deadline(config.importPollInterval())
                .clock(clock).sleeper(sleeper).build();
        return once.await(() -> readBack(queued), queued.get(0).queuedAt()).status();
    }

    private Map<Queued, ImportInfo> readBack(List<Queued> queued) {
        Map<String, AcContact> newByEmail = new HashMap<>();
        for (String id : reader.afterWrite(List.of())) {
            known.current(id).ifPresent(c -> newByEmail.put(ActiveCampaignConnector.normalEmail(c.email()), c));
        }
        Map<Queued, ImportInfo> confirmed = new LinkedHashMap<>();
        for (Queued q : queued) {
            List<String> ids = new ArrayList<>();
            for (Item i : q.items()) {
                AcContact c = newByEmail.get(i.email());
                if (c == null || !holds(c, i.contact())) {
                    break;
                }
                ids.add(c.id());
            }
            if (ids.size() == q.items().size()) {
                LOG.debug("ActiveCampaign import {} of {} contacts confirmed by reading them", q.batchId(), ids.size());
                confirmed.put(q, new ImportInfo("completed", ids, List.of()));
                anyCompleted = true;
            }
        }
        return confirmed;
    }

    /** Whether a contact holds what an import sent it: every value, and its place on each list. */
    private static boolean holds(AcContact c, ImportContact sent) {
        ContactData d = sent.data();
        boolean values = same(d.firstName(), c.firstName()) && same(d.lastName(), c.lastName())
                && same(d.phone(), c.phone()) && d.customByFieldId().entrySet().stream()
                        .allMatch(v -> same(v.getValue(), c.fieldValues().getOrDefault(v.getKey(), "")));
        return values && sent.subscribeListIds().stream().allMatch(l -> c.listStatus(l).isPresent())
                && sent.unsubscribeListIds().stream().allMatch(l -> c.listStatus(l).filter("2"::equals).isPresent());
    }

    private static boolean same(String sent, String now) {
        return sent == null || sent.trim().equals(now.trim());
    }

    /**
     * Waits for a queued import through the sleeper: the first {@code import/info} check {@code
     * import.poll.interval} after it was queued, then the wait doubles after each check that finds it
     * still under way, up to {@link #MAX_POLL_WAIT} (or the interval, if that is longer), so a slow
     * import costs a few checks rather than one every interval. A status the importer will not change
     * again ({@code failed}, {@code interrupted}, ...) ends the wait at once.
     */
    private JobPoller.Outcome<ImportInfo> await(Queued q) {
        JobPoller<ImportInfo> poller = JobPoller.<ImportInfo>builder("ActiveCampaign import",
                info -> info.completed() ? JobPoller.State.DONE : info.ended() ? JobPoller.State.FAILED
                        : JobPoller.State.RUNNING)
                .firstWait(config.importPollInterval()).maxWait(MAX_POLL_WAIT).deadline(config.importTimeout())
                .clock(clock).sleeper(sleeper).build();
        JobPoller.Outcome<ImportInfo> outcome = poller.await(() -> client.importInfo(q.batchId()), q.queuedAt());
        LOG.debug("ActiveCampaign import {} of {} contacts: '{}' after {} checks", q.batchId(), q.items().size(),
                outcome.status().status(), outcome.polls());
        return outcome;
    }

    /** Why a chunk has no outcome: the importer gave it up, or did not complete it in time. */
    private CrmSyncException notCompleted(Queued q, JobPoller.Outcome<ImportInfo> outcome) {
        ImportInfo info = outcome.status();
        int contacts = q.items().size();
        if (outcome instanceof JobPoller.Failed) {
            return new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "ActiveCampaign import " + q.batchId() + " of "
                    + contacts + " contacts ended '" + info.status().trim() + "' (the importer does not retry such"
                    + " an import); the batch is left for the next run, whose lookup finds any contact it did"
                    + " import (" + info.success().size() + " reported imported, " + info.failure().size()
                    + " failed)");
        }
        return new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "ActiveCampaign import " + q.batchId() + " of "
                + contacts + " contacts was still '" + info.status() + "' after " + config.importTimeout()
                + " (" + outcome.polls() + " checks); its contacts may still be imported, and the next run's lookup"
                + " finds them (raise import.timeout if imports are often this slow)");
    }

    /** The ids import/info lists that are not the contacts the chunk updated: its new contacts. */
    private static Set<String> newContactIds(Queued q, ImportInfo info) {
        Set<String> updated = new HashSet<>();
        q.items().forEach(i -> i.remoteId().ifPresent(updated::add));
        Set<String> ids = new LinkedHashSet<>();
        info.success().stream().map(String::trim).filter(s -> !s.contains("@") && !updated.contains(s))
                .forEach(ids::add);
        return ids;
    }

    private void report(Queued q, ImportInfo info) {
        Set<String> failed = new HashSet<>();
        Set<String> importedIds = new HashSet<>();
        Set<String> importedEmails = new HashSet<>();
        info.failure().forEach(f -> failed.add(ActiveCampaignConnector.normalEmail(f)));
        for (String s : info.success()) {
            if (s.contains("@")) {
                importedEmails.add(ActiveCampaignConnector.normalEmail(s));
            } else {
                importedIds.add(s.trim());
            }
        }
        Map<String, String> idByEmail = new HashMap<>();
        newContactIds(q, info).stream().map(known::current).flatMap(Optional::stream)
                .forEach(c -> idByEmail.put(ActiveCampaignConnector.normalEmail(c.email()), c.id()));
        List<Item> unaccounted = new ArrayList<>();
        for (Item i : q.items()) {
            String email = i.email();
            if (i.create()) {
                String id = idByEmail.get(email);
                if (id != null) {
                    results.put(i.key(), new WriteResult(i.key(), WriteResult.Status.CREATED, Optional.of(id),
                            Optional.empty(), i.note(), false));
                    continue;
                }
            } else {
                String id = i.remoteId().orElseThrow();
                if (importedIds.contains(id) || importedEmails.contains(email)) {
                    known.wrote(id, i.contact().data(), listId, listStatusWritten(i));
                    results.put(i.key(), new WriteResult(i.key(), WriteResult.Status.UPDATED, Optional.of(id),
                            Optional.empty(), i.note(), false));
                    continue;
                }
            }
            if (failed.contains(email)) {
                results.put(i.key(), notImported(i, true));
            } else {
                unaccounted.add(i);
            }
        }
        explainSkipped(unaccounted);
    }

    private static Optional<String> listStatusWritten(Item i) {
        if (!i.contact().unsubscribeListIds().isEmpty()) {
            return Optional.of("2");
        }
        return i.contact().subscribeListIds().isEmpty() ? Optional.empty() : Optional.of("1");
    }

    /**
     * Contacts the completed import lists neither as imported nor as failed. The importer skips email
     * addresses on the account's exclusion list ("excluded emails will be skipped": the bulk-import-contacts
     * reference as https://withone.ai/knowledge/active-campaign sums it up) without a word in {@code
     * import/info}; so the list is read (once per run, {@code GET lists/exclusions},
     * https://developers.activecampaign.com/reference/exclusions-retrieve-a-list) and a contact it covers is reported {@link
     * WriteResult.Status#EXCLUDED}: skipped, and not sent again on every run as a retry would be, since
     * nothing changes until the entry goes. The others stay unconfirmed, and are checked again next run.
     */
    private void explainSkipped(List<Item> unaccounted) {
        if (unaccounted.isEmpty()) {
            return;
        }
        List<Exclusion> exclusions = reader.exclusions();
        for (Item i : unaccounted) {
            Optional<Exclusion> entry = exclusions.stream().filter(e -> e.covers(i.contact().data().email()))
                    .findFirst();
            results.put(i.key(), entry.map(e -> WriteResult.excluded(i.key(), "EMAIL_EXCLUDED", "ActiveCampaign's"
                    + " importer skipped this contact: its email address is on the account's exclusion list (entry "
                    + e.id() + ", " + (e.matchType().equals("exact") ? "the address itself" : "matching by its "
                    + (e.matchType().equals("end") ? "end" : "beginning")) + "), so nothing was written. It is not"
                    + " sent again until the profile changes; remove the entry under Contacts > List Exclusions"
                    + " to export it")).orElseGet(() -> notImported(i, false)));
        }
    }

    private static WriteResult notImported(Item i, boolean listedAsFailed) {
        return listedAsFailed
                ? WriteResult.failed(i.key(), "IMPORT_FAILED", "ActiveCampaign's importer could not import this"
                        + " contact (import/info lists its email address as failed)", false)
                : WriteResult.failed(i.key(), "IMPORT_UNCONFIRMED", "ActiveCampaign's importer finished without"
                        + " listing this contact as imported or failed; the next run checks it again", true);
    }
}
