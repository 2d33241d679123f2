package org.crmsync.activecampaign;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.activecampaign.internal.ContactPage;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.Connector;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.Sleeper;
import org.crmsync.spi.WriteResult;

/**
 * One ActiveCampaign account behind the connector SPI.
 *
 * <ul>
 *   <li>Preflight: {@code GET users/me} proves the token; {@code GET fields} resolves every mapped custom
 *       field and the local-ID field by perstag (or title) to its numeric id; {@code GET lists} finds the
 *       list whose status is the opt-in.
 *   <li>Reads: {@link ContactChanges}, pages of 100 contacts with their field values and list statuses
 *       side-loaded.
 *   <li>Lookups: by id for linked profiles ({@code ids[]}, 100 per call); for the others by email and by
 *       the local-ID field, either one call per distinct email ({@code GET contacts?email=}: the API has
 *       no form that takes several) or, when the account is small enough that it costs fewer calls, one
 *       pass over all contacts, 100 per call.
 *   <li>Writes: {@link ContactWriter}.
 * </ul>
 *
 * <p>Every request goes through one OkHttp client from {@code HttpClients}: rate-limited to the
 * configured rate (ActiveCampaign allows 5 requests per second per account), retried on 429 (honouring
 * {@code Retry-After}), 5xx and lost connections, and counted against the run's quota.
 */
final class ActiveCampaignConnector implements Connector {
    /** The bulk importer takes at most 250 contacts per call, so batches are that big. */
    static final int BATCH_SIZE = 250;

    private final ActiveCampaignConfig config;
    private final ActiveCampaignClient client;
    private final OkHttpClient http;
    private final AtomicReference<ApiCallMeter> meter;
    private final Clock clock;
    private final Sleeper sleeper;
    private Schema schema;
    private RunCache cache;

    ActiveCampaignConnector(ActiveCampaignConfig config, ActiveCampaignClient client, OkHttpClient http,
            AtomicReference<ApiCallMeter> meter, Clock clock, Sleeper sleeper) {
        this.config = requireNonNull(config, "config");
        this.client = requireNonNull(client, "client");
        this.http = requireNonNull(http, "http");
        this.meter = requireNonNull(meter, "meter");
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
    }

    /**
     * What a run has learnt so far, for the calls of the same run that follow: the contacts the last
     * lookup found (a write checks list status, email and current values against them instead of
     * reading them again), which emails were looked up, and how many contacts the account holds.
     */
    static final class RunCache {
        final SyncContext context;
        final Map<String, AcContact> contacts = new HashMap<>();
        final Set<String> emailsLookedUp = new java.util.HashSet<>();
        long accountSize = -1;

        RunCache(SyncContext context) {
            this.context = context;
        }

        void remember(AcContact c) {
            contacts.put(c.id(), c);
        }

        List<AcContact> withEmail(String email) {
            String e = email.trim().toLowerCase(Locale.ROOT);
            return contacts.values().stream().filter(c -> c.email().trim().toLowerCase(Locale.ROOT).equals(e)).toList();
        }
    }

    @Override
    public String providerId() {
        return ActiveCampaignConnectorProvider.ID;
    }

    @Override
    public Set<Capability> capabilities() {
        // contact/sync and the bulk importer upsert by email, so a create sent twice is one contact.
        return Set.of(Capability.READ_API, Capability.BATCH_LOOKUP, Capability.BATCH_WRITE,
                Capability.IDEMPOTENT_CREATE);
    }

    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
    }

    @Override
    public List<PreflightProblem> preflight(SyncContext context) {
        begin(context);
        try {
            client.checkToken();
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.AUTHENTICATION_FAILED || e.code() == ErrorCode.PERMISSION_DENIED) {
                return List.of(new PreflightProblem("credentials", e.getMessage()));
            }
            throw e;
        }
        schema = Schema.resolve(context.mapping(), config, client.fields(), client.lists());
        return schema.problems();
    }

    /**
     * Zero: the read already overlaps the previous one. Each scan's cursor is its start time less {@link
     * ContactChanges#CLOCK_SKEW_MARGIN} (so a contact changed while a scan ran, or stamped a little before
     * it became visible, is read by the next scan), and {@code filters[updated_after]} takes a date, so
     * every scan asks ActiveCampaign for the contacts updated since the day before that and drops the older
     * ones itself. ActiveCampaign documents no delay between a contact's {@code udate} and its showing in
     * {@code GET contacts} to set a longer default from; a policy's look-back widens the window.
     */
    @Override
    public Duration defaultInboundLookback() {
        return Duration.ZERO;
    }

    @Override
    public ChangeStream readChanges(SyncContext context, SyncCursor since) {
        begin(context);
        Schema s = schema(context);
        return new ContactChanges(client, c -> fieldsOf(c, s), since, context.clock().instant(),
                context.policy().inboundLookbackOr(defaultInboundLookback()));
    }

    @Override
    public Map<String, List<RemoteRecord>> lookup(SyncContext context, List<LookupRequest> requests) {
        begin(context);
        Schema s = schema(context);
        RunCache run = runCache(context);
        // Only this batch's contacts and emails are kept: the writer checks its creates against them.
        run.contacts.clear();
        run.emailsLookedUp.clear();
        Set<String> ids = new LinkedHashSet<>();
        Set<String> emails = new LinkedHashSet<>();
        Set<String> localIds = new LinkedHashSet<>();
        for (LookupRequest r : requests) {
            r.profile().constituentId().ifPresent(ids::add);
            if (r.matchKeys().equals(List.of(MatchKey.CONSTITUENT_ID))) {
                continue; // linked: only its current values are wanted
            }
            if (r.matchKeys().contains(MatchKey.EMAIL) || r.matchKeys().contains(MatchKey.NAME_AND_EMAIL)) {
                r.profile().email().map(ActiveCampaignConnector::normalEmail).ifPresent(emails::add);
            }
            if (r.matchKeys().contains(MatchKey.LOCAL_ID) && s.localIdFieldId().isPresent()) {
                r.profile().localId().ifPresent(localIds::add);
            }
        }
        fetchByIds(new ArrayList<>(ids), run);
        if (!emails.isEmpty() || !localIds.isEmpty()) {
            findUnlinked(emails, localIds, s, run);
        }
        Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
        for (LookupRequest r : requests) {
            List<RemoteRecord> candidates = new ArrayList<>();
            for (AcContact c : run.contacts.values()) {
                boolean byId = r.profile().constituentId().filter(c.id()::equals).isPresent();
                boolean byEmail = r.profile().email().filter(e -> normalEmail(e).equals(normalEmail(c.email()))).isPresent();
                boolean byLocalId = r.profile().localId().filter(id -> s.localIdFieldId()
                        .map(c.fieldValues()::get).filter(v -> v.trim().equals(id)).isPresent()).isPresent();
                if (byId || byEmail || byLocalId) {
                    candidates.add(RemoteRecord.of(c.id(), fieldsOf(c, s), RecordSource.API, SyncCursor.start(),
                            "ActiveCampaign contact " + c.id()));
                }
            }
            found.put(r.key(), candidates);
        }
        return found;
    }

    @Override
    public Optional<String> missingRequiredField(RemoteWrite write) {
        if (write.operation() == RemoteWrite.Operation.CREATE
                && write.fields().getOrDefault("email", "").isBlank()) {
            return Optional.of("ActiveCampaign needs an email address for a new contact (email is mapped from "
                    + "profile_email)");
        }
        return Optional.empty();
    }

    @Override
    public List<WriteResult> write(SyncContext context, List<RemoteWrite> batch) {
        begin(context);
        Schema s = schema(context);
        return new ContactWriter(client, config, s, runCache(context), clock, sleeper, this).write(batch);
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ----- shared with the writer -----

    /** Reads contacts by id, 100 per call, into the run's cache; ids ActiveCampaign does not know are left out. */
    void fetchByIds(List<String> ids, RunCache run) {
        List<String> wanted = ids.stream().filter(id -> !run.contacts.containsKey(id)).distinct().toList();
        for (int from = 0; from < wanted.size(); from += ActiveCampaignClient.MAX_PAGE) {
            List<String> chunk = wanted.subList(from, Math.min(wanted.size(), from + ActiveCampaignClient.MAX_PAGE));
            ContactPage page = client.contacts(Map.of("limit", Integer.toString(ActiveCampaignClient.MAX_PAGE)), chunk);
            for (AcContact c : page.contacts()) {
                if (!chunk.contains(c.id())) {
                    // An ignored ids[] filter answers with the first contacts of the account instead.
                    throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET"
                            + " contacts?ids[]=… with contact " + c.id() + ", which was not asked for: it ignored"
                            + " the ids[] filter");
                }
                run.remember(c);
            }
        }
    }

    /** Looks contacts up by email, one call per distinct email, checking that the filter applied. */
    void fetchByEmails(Set<String> emails, RunCache run) {
        for (String email : emails) {
            if (!run.emailsLookedUp.add(email)) {
                continue;
            }
            ContactPage page = client.contacts(Map.of("email", email, "limit",
                    Integer.toString(ActiveCampaignClient.MAX_PAGE)), List.of());
            for (AcContact c : page.contacts()) {
                if (!normalEmail(c.email()).equals(email)) {
                    // An ignored email filter answers with the first contacts of the account: matching against
                    // them would link or duplicate the wrong people.
                    throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET"
                            + " contacts?email=… with a contact of another email address: it ignored the email"
                            + " filter, so contacts cannot be looked up by email");
                }
                run.remember(c);
            }
        }
    }

    static String normalEmail(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    /** The contact's fields by the mapping's API names, for the engine. */
    Map<String, String> fieldsOf(AcContact c, Schema s) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("email", c.email());
        fields.put("firstName", c.firstName());
        fields.put("lastName", c.lastName());
        fields.put("phone", c.phone());
        for (FieldRule rule : s.mapping().rules()) {
            Optional<String> name = rule.apiName();
            if (name.isEmpty() || Schema.isStandard(name.get())) {
                continue;
            }
            if (Schema.isListStatus(name.get())) {
                s.listId().flatMap(c::listStatus).ifPresent(status -> fields.put(name.get(), status));
                continue;
            }
            Optional.ofNullable(s.fieldIds().get(name.get())).map(c.fieldValues()::get)
                    .ifPresent(v -> fields.put(name.get(), v));
        }
        s.localIdFieldId().map(c.fieldValues()::get).ifPresent(v -> fields.putIfAbsent(config.localIdField(), v));
        return fields;
    }

    // ----- internals -----

    private void begin(SyncContext context) {
        meter.set(requireNonNull(context, "context").calls());
    }

    private Schema schema(SyncContext context) {
        if (schema == null || schema.mapping() != context.mapping()) {
            List<PreflightProblem> problems;
            schema = Schema.resolve(context.mapping(), config, client.fields(), client.lists());
            problems = schema.problems();
            if (!problems.isEmpty()) {
                throw new CrmSyncException(ErrorCode.INVALID_MAPPING, "ActiveCampaign is not ready for this mapping: "
                        + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
            }
        }
        return schema;
    }

    private RunCache runCache(SyncContext context) {
        if (cache == null || cache.context != context) {
            cache = new RunCache(context);
        }
        return cache;
    }

    /**
     * The profiles not linked yet: by email and by the local-ID field. One pass over all contacts costs
     * {@code contacts / 100} calls, one lookup per email and per local ID costs one call each; the
     * cheaper is taken, from the account's size (ActiveCampaign's {@code meta.total}).
     */
    private void findUnlinked(Set<String> emails, Set<String> localIds, Schema s, RunCache run) {
        int perRecord = emails.size() + localIds.size();
        boolean scan;
        List<AcContact> firstPage = List.of();
        if (run.accountSize < 0) {
            ContactPage page = client.contacts(scanQuery(0), List.of());
            firstPage = page.contacts();
            run.accountSize = Math.max(page.total(), firstPage.size());
            keepMatches(firstPage, emails, localIds, s, run);
            boolean complete = firstPage.isEmpty() || (page.total() >= 0 && firstPage.size() >= page.total());
            if (complete) {
                run.emailsLookedUp.addAll(emails);
                return;
            }
            scan = pages(run.accountSize - firstPage.size()) <= perRecord;
        } else {
            scan = pages(run.accountSize) <= perRecord;
        }
        if (scan) {
            long afterId = firstPage.isEmpty() ? 0 : Long.parseLong(firstPage.get(firstPage.size() - 1).id());
            long seen = firstPage.size();
            while (true) {
                ContactPage page = client.contacts(scanQuery(afterId), List.of());
                List<AcContact> contacts = page.contacts();
                for (AcContact c : contacts) {
                    long id = Long.parseLong(c.id());
                    if (id <= afterId) {
                        throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActiveCampaign answered GET"
                                + " contacts with id_greater=" + afterId + " with contact " + c.id()
                                + ": it ignored the paging parameters");
                    }
                    afterId = id;
                }
                seen += contacts.size();
                keepMatches(contacts, emails, localIds, s, run);
                if (contacts.isEmpty() || (page.total() >= 0 && contacts.size() >= page.total())) {
                    break;
                }
            }
            run.accountSize = seen;
            run.emailsLookedUp.addAll(emails);
            return;
        }
        fetchByEmails(emails, run);
        String fieldId = s.localIdFieldId().orElse(null);
        if (fieldId == null) {
            return;
        }
        List<String> ids = new ArrayList<>();
        for (String localId : localIds) {
            boolean known = run.contacts.values().stream()
                    .anyMatch(c -> localId.equals(Optional.ofNullable(c.fieldValues().get(fieldId)).map(String::trim)
                            .orElse(null)));
            if (!known) {
                ids.addAll(client.contactIdsWithFieldValue(fieldId, localId));
            }
        }
        fetchByIds(ids, run);
    }

    private static long pages(long contacts) {
        return (Math.max(0, contacts) + ActiveCampaignClient.MAX_PAGE - 1) / ActiveCampaignClient.MAX_PAGE;
    }

    private static Map<String, String> scanQuery(long afterId) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("orders[id]", "ASC");
        if (afterId > 0) {
            q.put("id_greater", Long.toString(afterId));
        }
        q.put("limit", Integer.toString(ActiveCampaignClient.MAX_PAGE));
        return q;
    }

    private static void keepMatches(List<AcContact> contacts, Set<String> emails, Set<String> localIds, Schema s,
            RunCache run) {
        for (AcContact c : contacts) {
            boolean email = emails.contains(normalEmail(c.email()));
            boolean localId = s.localIdFieldId().map(c.fieldValues()::get).map(String::trim).filter(localIds::contains)
                    .isPresent();
            if (email || localId) {
                run.remember(c);
            }
        }
    }
}
