package org.crmsync.activecampaign;

import java.time.Clock;
import java.util.ArrayList;
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
import org.crmsync.activecampaign.internal.ContactData;
import org.crmsync.activecampaign.internal.ImportContact;
import org.crmsync.activecampaign.internal.WriteOutcome;
import org.crmsync.model.OptInStatus;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.Sleeper;
import org.crmsync.spi.WriteResult;

/**
 * Writes one batch. Each record is first compared with the contact as ActiveCampaign has it (read in
 * this batch: by the look-up that came before, else by id here): values already equal are not sent, an
 * empty string (the mapping's "clear") is sent only when there is something to clear, because an empty
 * string wipes the field, and a record with nothing left to change costs no call.
 *
 * <p>List status follows the write's opt-in: opted in subscribes a contact that is not on the list;
 * never one that unsubscribed (status 2), since ActiveCampaign warns that setting status 1 re-subscribes
 * people who unsubscribed themselves (update-list-status-for-contact). Opted out unsubscribes an active
 * or unconfirmed member. A create through {@code contact/sync} is subscribed only after its list status
 * is read again: {@code contact/sync} upserts by email, so the contact it saved may be one another
 * integration created (and that unsubscribed) after the lookup.
 *
 * <p>Routes: at least {@code bulk.threshold} records go through the bulk importer ({@link BulkImports}).
 * Fewer records, changes of email (the importer and {@code contact/sync} match on email, so the new
 * address would make a second contact), and clears go one by one: creates through {@code contact/sync},
 * updates through {@code PUT contacts/{id}}, list status through {@code POST contactLists}. What the
 * batch writes is kept in the run's {@link RunKnowledge}.
 */
final class ContactWriter {
    private final ActiveCampaignClient client;
    private final ActiveCampaignConfig config;
    private final Schema schema;
    private final RunKnowledge known;
    private final AccountReader reader;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ImporterRateLimit importerRateLimit;
    private final ApiCallMeter meter;
    private final String listId;
    private final Set<String> emailsOfCreates = new HashSet<>();
    /** Creates saved by {@code contact/sync} whose subscription waits for a check of their list status. */
    private final List<Subscription> subscribeAfterCheck = new ArrayList<>();

    private record Subscription(Plan plan, String contactId) {
    }

    ContactWriter(ActiveCampaignClient client, ActiveCampaignConfig config, Schema schema, RunKnowledge known,
            AccountReader reader, Clock clock, Sleeper sleeper, ImporterRateLimit importerRateLimit, ApiCallMeter meter) {
        this.client = client;
        this.config = config;
        this.schema = schema;
        this.known = known;
        this.reader = reader;
        this.clock = clock;
        this.sleeper = sleeper;
        this.importerRateLimit = importerRateLimit;
        this.meter = meter;
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
        // Normally read already: by this batch's look-up, or, for a write without one, by id here.
        reader.byIds(batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.UPDATE)
                .map(w -> w.remoteId().orElseThrow()).toList());
        Set<String> emails = new LinkedHashSet<>();
        batch.stream().filter(w -> w.operation() == RemoteWrite.Operation.CREATE)
                .map(w -> w.fields().getOrDefault("email", "")).filter(e -> !e.isBlank())
                .map(ActiveCampaignConnector::normalEmail).forEach(emails::add);
        reader.byEmails(emails); // normally none unknown: the lookup before a create found them

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
        boolean quotaShort = results.values().stream().anyMatch(r -> r.status() == WriteResult.Status.NOT_SENT);
        for (Plan p : singles) {
            // One by one, a record takes up to two calls, and a create one more for its list-status check.
            quotaShort |= meter.remaining().orElse(Long.MAX_VALUE) < 2 + (subscribeAfterCheck.isEmpty() ? 1 : 0);
            results.put(p.key(), quotaShort ? WriteResult.notSent(p.key(), "the daily API quota left would not pay"
                    + " for this record's calls; the next run sends it") : writeOne(p));
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
        Optional<AcContact> current = w.remoteId().flatMap(known::current);
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
            Optional<String> sameEmail = known.idsWithEmail(ActiveCampaignConnector.normalEmail(email)).stream()
                    .sorted().findFirst();
            if (sameEmail.isPresent()) {
                return p.finish(WriteResult.failed(w.key(), "EMAIL_IN_USE", "ActiveCampaign contact "
                        + sameEmail.get() + " already has this email address but another name, and ActiveCampaign"
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
            AcContact saved = outcome.contact().orElseThrow();
            contactId = saved.id();
            known.saw(saved);
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
                known.wrote(contactId, byId, listId, Optional.empty());
            }
        }
        if (p.action != ListAction.NONE) {
            String status = p.action == ListAction.SUBSCRIBE ? "1" : "2";
            Optional<WriteResult> failed = setListStatus(p, contactId, status);
            if (failed.isPresent()) {
                return failed.get();
            }
            known.wrote(contactId, new ContactData(null, null, null, null, Map.of()), listId, Optional.of(status));
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
        reader.afterWrite(ids); // read again, after the write: the look-up's copy, if any, predates it
        for (Subscription s : subscribeAfterCheck) {
            Plan p = s.plan();
            AcContact c = known.current(s.contactId()).orElse(null);
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
                known.wrote(s.contactId(), new ContactData(null, null, null, null, Map.of()), listId, Optional.of("1"));
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
        List<BulkImports.Item> items = new ArrayList<>();
        for (Plan p : plans) {
            ImportContact contact = toImport(p);
            int bytes = BulkImports.bytes(contact);
            if (bytes > BulkImports.MAX_IMPORT_BYTES) {
                results.put(p.key(), writeOne(p)); // too big for the importer on its own
            } else {
                items.add(new BulkImports.Item(p.key(), contact, p.write.remoteId(), p.note(), bytes));
            }
        }
        results.putAll(new BulkImports(client, config, known, reader, importerRateLimit, listId, clock, sleeper,
                meter).run(items));
    }

    private ImportContact toImport(Plan p) {
        return new ImportContact(p.data, p.action == ListAction.SUBSCRIBE ? List.of(listId) : List.of(),
                p.action == ListAction.UNSUBSCRIBE ? List.of(listId) : List.of(), !config.importRunsAutomations());
    }
}
