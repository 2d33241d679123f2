package org.crmsync.activecampaign;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.ActiveCampaignConnector.RunCache;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.activecampaign.internal.BulkImportOutcome;
import org.crmsync.activecampaign.internal.ContactData;
import org.crmsync.activecampaign.internal.Exclusion;
import org.crmsync.activecampaign.internal.ImportContact;
import org.crmsync.activecampaign.internal.ImportInfo;
import org.crmsync.kit.Chunks;
import org.crmsync.kit.JobPoller;
import org.crmsync.activecampaign.internal.WriteOutcome;
import org.crmsync.model.OptInStatus;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.Sleeper;
import org.crmsync.spi.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch. Each record is first compared with the contact as ActiveCampaign has it (from the
 * lookup that came before, else read by id): values already equal are not sent, an empty string
 * (the mapping's "clear") is sent only when there is something to clear, because an empty string wipes
 * the field, and a record with nothing left to change costs no call.
 *
 * <p>List status follows the write's opt-in: opted in subscribes a contact that is not on the list;
 * never one that unsubscribed (status 2), since ActiveCampaign warns that setting status 1 re-subscribes
 * people who unsubscribed themselves (update-list-status-for-contact). Opted out unsubscribes an active
 * or unconfirmed member. A create through {@code contact/sync} is subscribed only after its list status
 * is read again: {@code contact/sync} upserts by email, so the contact it saved may be one another
 * integration created (and that unsubscribed) after the lookup.
 *
 * <p>Routes: at least {@code bulk.threshold} records go through {@code import/bulk_import} (at most 250
 * contacts and ~400 KB per call; the importer matches contacts by email and takes list subscriptions
 * inline), then {@code import/info}, at growing intervals, until the batch completed or the importer gave
 * it up. Fewer records, changes of email (the importer and {@code contact/sync} match on email, so the
 * new address would make a second contact), and clears go one by one: creates through {@code
 * contact/sync}, updates through {@code PUT contacts/{id}}, list status through {@code POST contactLists}.
 */
final class ContactWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ContactWriter.class);
    /** "Up to 250 contacts may be included in a single request" (bulk-import-contacts). */
    static final int MAX_IMPORT_CONTACTS = 250;
    /** The importer's payload limit is ~400 KB (summaries cite at most 399,999 bytes); this leaves a margin. */
    static final int MAX_IMPORT_BYTES = 390_000;
    /** The longest wait between two {@code import/info} checks of one import (unless the interval is longer). */
    static final Duration MAX_POLL_WAIT = Duration.ofSeconds(30);

    private final ActiveCampaignClient client;
    private final ActiveCampaignConfig config;
    private final Schema schema;
    private final RunCache run;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ActiveCampaignConnector connector;
    private final String listId;
    private final Set<String> emailsOfCreates = new HashSet<>();
    /** Creates saved by {@code contact/sync} whose subscription waits for a check of their list status. */
    private final List<Subscription> subscribeAfterCheck = new ArrayList<>();

    private record Subscription(Plan plan, String contactId) {
    }

    ContactWriter(ActiveCampaignClient client, ActiveCampaignConfig config, Schema schema, RunCache run, Clock clock,
            Sleeper sleeper, ActiveCampaignConnector connector) {
        this.client = client;
        this.config = config;
        this.schema = schema;
        this.run = run;
        this.clock = clock;
        this.sleeper = sleeper;
        this.connector = connector;
        this.listId = schema.listId().orElseThrow(() -> new CrmSyncException(ErrorCode.INVALID_CONFIGURATION,
                "the ActiveCampaign list '" + config.list() + "' was not found; run preflight"));
    }

    private enum ListAction {
        NONE, SUBSCRIBE, UNSUBSCRIBE
    }

    /** One record: what it sends, or the result it already has. */
    private static final class Plan {
        final RemoteWrite write;
        final Optional<AcContact> current;
        ContactData data;
        boolean emailChanged;
        boolean changesFields;
        ListAction action = ListAction.NONE;
        Optional<WriteResult> done = Optional.empty();
        final List<String> notes = new ArrayList<>();

        Plan(RemoteWrite write, Optional<AcContact> current) {
            this.write = write;
            this.current = current;
        }

        boolean create() {
            return write.operation() == RemoteWrite.Operation.CREATE;
        }

        String key() {
            return write.key();
        }

        String note() {
            return String.join("; ", notes);
        }

        Plan finish(WriteResult result) {
            done = Optional.of(result);
            return this;
        }

        /** The importer matches on email: a record can go through it unless its email changes or it clears a field. */
        boolean importable() {
            return data.email() != null && !data.email().isBlank() && !emailChanged && !data.clearsAField();
        }
    }

    List<WriteResult> write(List<RemoteWrite> batch) {
        Map<String, WriteResult> results = new LinkedHashMap<>();
        connector.fetchByIds(batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.UPDATE)
                .map(w -> w.remoteId().orElseThrow()).toList(), run);
        Set<String> unknownEmails = new LinkedHashSet<>();
        batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.CREATE)
                .map(w -> w.fields().getOrDefault("email", "")).filter(e -> !e.isBlank())
                .map(ActiveCampaignConnector::normalEmail).filter(e -> !run.emailsLookedUp.contains(e))
                .forEach(unknownEmails::add);
        connector.fetchByEmails(unknownEmails, run); // normally none: the lookup before a create read them

        List<Plan> singles = new ArrayList<>();
        List<Plan> imports = new ArrayList<>();
        for (RemoteWrite w : batch) {
            Plan p = plan(w);
            if (p.done.isPresent()) {
                results.put(w.key(), p.done.get());
            } else {
                (p.importable() ? imports : singles).add(p);
            }
        }
        if (imports.size() >= config.bulkThreshold()) {
            importInBulk(imports, results);
        } else {
            singles.addAll(imports);
        }
        for (Plan p : singles) {
            results.put(p.key(), writeOne(p));
        }
        subscribeChecked(results);
        List<WriteResult> ordered = new ArrayList<>();
        for (RemoteWrite w : batch) {
            ordered.add(results.getOrDefault(w.key(), WriteResult.failed(w.key(), "NOT_WRITTEN",
                    "the connector did not reach this record", true)));
        }
        return ordered;
    }

    /** Decides what one record sends, or its result when it needs no call. */
    private Plan plan(RemoteWrite w) {
        Optional<AcContact> current = w.remoteId().map(run.contacts::get);
        Plan p = new Plan(w, current);
        if (!p.create() && current.isEmpty()) {
            return p.finish(WriteResult.failed(w.key(), "NOT_FOUND", "ActiveCampaign has no contact "
                    + w.remoteId().orElseThrow() + " any more (deleted or merged); unlink the profile to export it"
                    + " as a new contact", false));
        }
        String email = null;
        String first = null;
        String last = null;
        String phone = null;
        Map<String, String> custom = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : w.fields().entrySet()) {
            String name = f.getKey();
            String value = f.getValue().trim();
            if (Schema.isListStatus(name)) {
                continue; // the opt-in travels as list status, below
            }
            String id = null;
            if (!Schema.isStandard(name)) {
                id = schema.fieldIds().get(name);
                if (id == null) {
                    return p.finish(WriteResult.failed(w.key(), "UNKNOWN_FIELD", name + " is not a custom field of"
                            + " this ActiveCampaign account; run preflight", false));
                }
            }
            String now = current.map(c -> currentValue(c, name, schema)).orElse("").trim();
            boolean same = name.equals("email") ? ActiveCampaignConnector.normalEmail(value)
                    .equals(ActiveCampaignConnector.normalEmail(now)) : value.equals(now);
            if (same || (value.isEmpty() && p.create())) {
                continue; // already so in ActiveCampaign; an empty string is sent only to clear a value
            }
            switch (name) {
                case "email":
                    if (value.isEmpty()) {
                        p.notes.add("the email address was not cleared: ActiveCampaign contacts need one");
                    } else {
                        email = value;
                        p.emailChanged = !p.create()
                                && !ActiveCampaignConnector.normalEmail(value).equals(ActiveCampaignConnector.normalEmail(now));
                        p.changesFields |= !p.create();
                    }
                    break;
                case "firstName":
                    first = value;
                    p.changesFields = true;
                    break;
                case "lastName":
                    last = value;
                    p.changesFields = true;
                    break;
                case "phone":
                    phone = value;
                    p.changesFields = true;
                    break;
                default:
                    custom.put(id, value);
                    p.changesFields = true;
            }
        }
        if (p.create() && email != null) {
            List<AcContact> sameEmail = run.withEmail(email);
            if (!sameEmail.isEmpty()) {
                return p.finish(WriteResult.failed(w.key(), "EMAIL_IN_USE", "ActiveCampaign contact "
                        + sameEmail.get(0).id() + " already has this email address but another name, and ActiveCampaign"
                        + " keeps one contact per email address, so it was not overwritten; link the two by hand (set"
                        + " its " + config.localIdField() + ") or correct the name on the side that is wrong", false));
            }
            if (!emailsOfCreates.add(ActiveCampaignConnector.normalEmail(email))) {
                return p.finish(WriteResult.failed(w.key(), "EMAIL_IN_USE", "another profile of this batch creates a"
                        + " contact with the same email address, and ActiveCampaign keeps one contact per email"
                        + " address; correct one of them", false));
            }
        }
        p.action = listAction(w.optIn(), current, p);
        if (!p.create() && !p.changesFields && p.action == ListAction.NONE) {
            p.notes.add(0, "already up to date in ActiveCampaign");
            return p.finish(WriteResult.unchanged(w.key(), w.remoteId().orElseThrow(), p.note()));
        }
        if (!p.create() && email == null) {
            // The importer finds the contact by its email, so an update carries the current one.
            email = current.orElseThrow().email().trim();
        }
        p.data = new ContactData(email, first, last, phone, custom);
        return p;
    }

    private static String currentValue(AcContact c, String name, Schema schema) {
        switch (name) {
            case "email": return c.email();
            case "firstName": return c.firstName();
            case "lastName": return c.lastName();
            case "phone": return c.phone();
            default: return c.fieldValues().getOrDefault(schema.fieldIds().getOrDefault(name, ""), "");
        }
    }

    private ListAction listAction(OptInStatus optIn, Optional<AcContact> current, Plan p) {
        Optional<String> status = current.flatMap(c -> c.listStatus(listId));
        switch (optIn) {
            case OPTED_IN:
                if (status.isEmpty()) {
                    return ListAction.SUBSCRIBE;
                }
                if (status.get().equals("2")) {
                    p.notes.add("unsubscribed from the list in ActiveCampaign, so not subscribed again");
                }
                return ListAction.NONE;
            case OPTED_OUT:
                return status.filter(s -> s.equals("1") || s.equals("0")).isPresent() ? ListAction.UNSUBSCRIBE
                        : ListAction.NONE;
            default:
                return ListAction.NONE;
        }
    }

    // ----- one by one -----

    private WriteResult writeOne(Plan p) {
        String key = p.key();
        String contactId;
        if (p.create()) {
            WriteOutcome outcome = client.sync(p.data);
            if (outcome.rejection().isPresent()) {
                return WriteResult.failed(key, outcome.code().orElse("REJECTED"), outcome.rejection().get(), false);
            }
            contactId = outcome.contact().orElseThrow().id();
            run.accountSize = run.accountSize < 0 ? -1 : run.accountSize + 1;
            if (p.action == ListAction.SUBSCRIBE) {
                // contact/sync upserts by email: another integration may have created this contact (and it
                // may have unsubscribed) since the lookup. Its answer carries no list status, and cdate/udate
                // (whole seconds, the account's clock) cannot prove the contact is new, so its list status
                // is read before status 1 is posted.
                subscribeAfterCheck.add(new Subscription(p, contactId));
                return created(p, contactId);
            }
        } else {
            contactId = p.write.remoteId().orElseThrow();
            if (p.changesFields) {
                // By id, not by email: the email may be what changes. An unchanged email is not sent.
                ContactData d = p.data;
                ContactData byId = p.emailChanged ? d
                        : new ContactData(null, d.firstName(), d.lastName(), d.phone(), d.customByFieldId());
                WriteOutcome outcome = client.update(contactId, byId);
                if (outcome.rejection().isPresent()) {
                    return WriteResult.failed(key, outcome.code().orElse("REJECTED"), outcome.rejection().get(), false);
                }
            }
        }
        if (p.action != ListAction.NONE) {
            Optional<WriteResult> failed = setListStatus(p, contactId, p.action == ListAction.SUBSCRIBE ? "1" : "2");
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        return p.create() ? created(p, contactId) : new WriteResult(key, WriteResult.Status.UPDATED,
                Optional.of(contactId), Optional.empty(), p.note(), false);
    }

    private static WriteResult created(Plan p, String contactId) {
        return new WriteResult(p.key(), WriteResult.Status.CREATED, Optional.of(contactId), Optional.empty(), p.note(),
                false);
    }

    /** {@code POST contactLists}; a refusal is this record's failure, anything else fails the call. */
    private Optional<WriteResult> setListStatus(Plan p, String contactId, String status) {
        try {
            client.setListStatus(contactId, listId, status);
            return Optional.empty();
        } catch (CrmSyncException e) {
            if (e.code() != ErrorCode.RECORD_REJECTED) {
                throw e;
            }
            return Optional.of(WriteResult.failed(p.key(), "LIST_STATUS", "the contact was saved, but its list status"
                    + " was not: " + e.getMessage(), true));
        }
    }

    /**
     * Subscribes the contacts {@code contact/sync} saved for opted-in creates, after reading their list
     * status afresh (100 per call): one already on the list is left as it is, and one that unsubscribed
     * (status 2) is never subscribed again, even though the lookup did not find it. The read costs one
     * call per batch of one-by-one creates.
     */
    private void subscribeChecked(Map<String, WriteResult> results) {
        if (subscribeAfterCheck.isEmpty()) {
            return;
        }
        List<String> ids = subscribeAfterCheck.stream().map(Subscription::contactId).distinct().toList();
        ids.forEach(run.contacts::remove); // read again: the lookup's copy, if any, predates the write
        connector.fetchByIds(ids, run);
        for (Subscription s : subscribeAfterCheck) {
            Plan p = s.plan();
            AcContact c = run.contacts.get(s.contactId());
            if (c == null) {
                results.put(p.key(), WriteResult.failed(p.key(), "LIST_STATUS", "the contact was saved as "
                        + s.contactId() + ", but ActiveCampaign did not return it when its list status was checked,"
                        + " so it was not subscribed; the next run checks it again", true));
                continue;
            }
            Optional<String> status = c.listStatus(listId);
            if (status.isEmpty()) {
                Optional<WriteResult> failed = setListStatus(p, s.contactId(), "1");
                if (failed.isPresent()) {
                    results.put(p.key(), failed.get());
                    continue;
                }
            } else if (status.get().equals("2")) {
                p.notes.add("ActiveCampaign already had a contact with this email address, unsubscribed from the"
                        + " list, so not subscribed again");
            } else {
                p.notes.add("ActiveCampaign already had a contact with this email address on the list (status "
                        + status.get() + "); its list status was left as it was");
            }
            results.put(p.key(), created(p, s.contactId()));
        }
        subscribeAfterCheck.clear();
    }

    // ----- bulk -----

    private void importInBulk(List<Plan> plans, Map<String, WriteResult> results) {
        Map<Plan, Integer> sizes = new HashMap<>();
        List<Plan> fit = new ArrayList<>();
        for (Plan p : plans) {
            int size = ActiveCampaignClient.bulkPayloadBytes(List.of(toImport(p)));
            if (size > MAX_IMPORT_BYTES) {
                results.put(p.key(), writeOne(p)); // too big for the importer on its own
            } else {
                sizes.put(p, size);
                fit.add(p);
            }
        }
        for (List<Plan> chunk : Chunks.byCountAndSize(fit, MAX_IMPORT_CONTACTS, MAX_IMPORT_BYTES, sizes::get)) {
            importChunk(chunk, results);
        }
    }

    private ImportContact toImport(Plan p) {
        return new ImportContact(p.data, p.action == ListAction.SUBSCRIBE ? List.of(listId) : List.of(),
                p.action == ListAction.UNSUBSCRIBE ? List.of(listId) : List.of(), !config.importRunsAutomations());
    }

    private void importChunk(List<Plan> chunk, Map<String, WriteResult> results) {
        List<Plan> sent = new ArrayList<>(chunk);
        BulkImportOutcome outcome = bulkImport(sent);
        if (outcome.batchId().isEmpty()) {
            // Refused as a whole (nothing queued): report the contacts it names and send the others once more.
            sent = dropRejected(sent, outcome, results);
            if (sent.isEmpty()) {
                return;
            }
            outcome = bulkImport(sent);
            if (outcome.batchId().isEmpty()) {
                List<Plan> left = dropRejected(sent, outcome, results);
                for (Plan p : left) {
                    results.put(p.key(), WriteResult.failed(p.key(), "IMPORT_REFUSED", "ActiveCampaign refused the"
                            + " import: " + outcome.message(), true));
                }
                return;
            }
        }
        ImportInfo info = awaitImport(outcome.batchId().get(), sent.size());
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
        Set<String> updatedIds = new HashSet<>();
        sent.stream().filter(p -> !p.create()).forEach(p -> updatedIds.add(p.write.remoteId().orElseThrow()));
        // The importer answers with contact ids, not with which email got which id: read the new contacts
        // (100 per call) to learn the ids of the records created.
        List<String> newIds = importedIds.stream().filter(id -> !updatedIds.contains(id)).sorted().toList();
        if (sent.stream().anyMatch(Plan::create)) {
            connector.fetchByIds(newIds, run);
        }
        Map<String, String> idByEmail = new HashMap<>();
        newIds.stream().map(run.contacts::get).filter(Objects::nonNull)
                .forEach(c -> idByEmail.put(ActiveCampaignConnector.normalEmail(c.email()), c.id()));
        int created = 0;
        List<Plan> unaccounted = new ArrayList<>();
        for (Plan p : sent) {
            String email = ActiveCampaignConnector.normalEmail(p.data.email());
            if (p.create()) {
                String id = idByEmail.get(email);
                if (id != null) {
                    created++;
                    results.put(p.key(), new WriteResult(p.key(), WriteResult.Status.CREATED, Optional.of(id),
                            Optional.empty(), p.note(), false));
                    continue;
                }
            } else {
                String id = p.write.remoteId().orElseThrow();
                if (importedIds.contains(id) || importedEmails.contains(email)) {
                    results.put(p.key(), new WriteResult(p.key(), WriteResult.Status.UPDATED, Optional.of(id),
                            Optional.empty(), p.note(), false));
                    continue;
                }
            }
            if (failed.contains(email)) {
                results.put(p.key(), notImported(p, true));
            } else {
                unaccounted.add(p);
            }
        }
        explainSkipped(unaccounted, results);
        if (run.accountSize >= 0) {
            run.accountSize += created;
        }
    }

    /** {@code POST import/bulk_import}, within the importer's own rate limits ({@link ImporterRateLimit}). */
    private BulkImportOutcome bulkImport(List<Plan> plans) {
        List<ImportContact> contacts = plans.stream().map(this::toImport).toList();
        return connector.importerRateLimit().send(contacts.size(), () -> client.bulkImport(contacts));
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
    private void explainSkipped(List<Plan> unaccounted, Map<String, WriteResult> results) {
        if (unaccounted.isEmpty()) {
            return;
        }
        List<Exclusion> exclusions = connector.exclusions(run);
        for (Plan p : unaccounted) {
            Optional<Exclusion> entry = exclusions.stream().filter(e -> e.covers(p.data.email())).findFirst();
            results.put(p.key(), entry.map(e -> WriteResult.excluded(p.key(), "EMAIL_EXCLUDED", "ActiveCampaign's"
                    + " importer skipped this contact: its email address is on the account's exclusion list (entry "
                    + e.id() + ", " + (e.matchType().equals("exact") ? "the address itself" : "matching by its "
                    + (e.matchType().equals("end") ? "end" : "beginning")) + "), so nothing was written. It is not"
                    + " sent again until the profile changes; remove the entry under Contacts > List Exclusions"
                    + " to export it")).orElseGet(() -> notImported(p, false)));
        }
    }

    private static WriteResult notImported(Plan p, boolean listedAsFailed) {
        return listedAsFailed
                ? WriteResult.failed(p.key(), "IMPORT_FAILED", "ActiveCampaign's importer could not import this"
                        + " contact (import/info lists its email address as failed)", false)
                : WriteResult.failed(p.key(), "IMPORT_UNCONFIRMED", "ActiveCampaign's importer finished without"
                        + " listing this contact as imported or failed; the next run checks it again", true);
    }

    private static List<Plan> dropRejected(List<Plan> sent, BulkImportOutcome outcome, Map<String, WriteResult> results) {
        List<Plan> left = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            String reason = outcome.rejectedContacts().get(i);
            if (reason != null) {
                Plan p = sent.get(i);
                results.put(p.key(), WriteResult.failed(p.key(), "IMPORT_REJECTED", "ActiveCampaign's importer"
                        + " refused this contact: " + (reason.isBlank() ? outcome.message() : reason), false));
            } else {
                left.add(sent.get(i));
            }
        }
        return left;
    }

    /**
     * Waits for a queued import through the sleeper: the first {@code import/info} check after {@code
     * import.poll.interval}, then the wait doubles after each check that finds the import still under
     * way, up to {@link #MAX_POLL_WAIT} (or the interval, if that is longer), so a slow import costs a
     * few checks rather than one every interval. A status the importer will not change again ({@code
     * failed}, {@code interrupted}, ...) ends the wait at once. Either way, and past the timeout, the
     * batch is left for the next run: the whole call fails, the engine keeps the records for retry, and
     * the lookup of the next run finds the contacts that did land.
     */
    private ImportInfo awaitImport(String batchId, int contacts) {
        JobPoller<ImportInfo> poller = JobPoller.<ImportInfo>builder("ActiveCampaign import",
                info -> info.completed() ? JobPoller.State.DONE : info.ended() ? JobPoller.State.FAILED
                        : JobPoller.State.RUNNING)
                .firstWait(config.importPollInterval()).maxWait(MAX_POLL_WAIT).deadline(config.importTimeout())
                .clock(clock).sleeper(sleeper).build();
        JobPoller.Outcome<ImportInfo> outcome = poller.await(() -> client.importInfo(batchId));
        ImportInfo info = outcome.status();
        if (outcome instanceof JobPoller.Done) {
            LOG.debug("ActiveCampaign import {} of {} contacts completed ({} checks)", batchId, contacts,
                    outcome.polls());
            return info;
        }
        if (outcome instanceof JobPoller.Failed) {
            throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "ActiveCampaign import " + batchId + " of "
                    + contacts + " contacts ended '" + info.status().trim() + "' (the importer does not retry such"
                    + " an import); the batch is left for the next run, whose lookup finds any contact it did"
                    + " import (" + info.success().size() + " reported imported, " + info.failure().size()
                    + " failed)");
        }
        throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "ActiveCampaign import " + batchId + " of "
                + contacts + " contacts was still '" + info.status() + "' after " + config.importTimeout()
                + " (" + outcome.polls() + " checks); its contacts may still be imported, and the next run's lookup"
                + " finds them (raise import.timeout if imports are often this slow)");
    }
}
