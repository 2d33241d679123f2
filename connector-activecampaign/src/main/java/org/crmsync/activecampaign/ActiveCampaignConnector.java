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
import okhttp3.OkHttpClient;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.activecampaign.internal.AcContact;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
import org.crmsync.activecampaign.internal.ContactPage;
import org.crmsync.activecampaign.internal.Exclusion;
import org.crmsync.http.RunMeters;
import org.crmsync.kit.LookupCandidates;
import org.crmsync.kit.PreflightChecks;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.Sleeper;
import org.crmsync.spi.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(ActiveCampaignConnector.class);
    /** The bulk importer takes at most 250 contacts per call, so batches are that big. */
    static final int BATCH_SIZE = 250;

    private final ActiveCampaignConfig config;
    private final ActiveCampaignClient client;
    private final OkHttpClient http;
    private final RunMeters meters;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ImporterRateLimit importerRateLimit;

    /**
     * @param meters how the one HTTP client (and its rate limiter, shared by every run of this account)
     *     charges each call to its run
     */
    ActiveCampaignConnector(ActiveCampaignConfig config, ActiveCampaignClient client, OkHttpClient http,
            RunMeters meters, Clock clock, Sleeper sleeper) {
        this.config = requireNonNull(config, "config");
        this.client = requireNonNull(client, "client");
        this.http = requireNonNull(http, "http");
        this.meters = requireNonNull(meters, "meters");
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.importerRateLimit = new ImporterRateLimit(clock, sleeper, config.httpSettings().maxAttempts());
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
        /** The account's exclusion list, read once per run when an import leaves contacts unexplained. */
        Optional<List<Exclusion>> exclusions = Optional.empty();

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

    /** The account's API URL. */
    @Override
    public String accountKey() {
        return config.apiUrl();
    }

    /** Contacts are read by id ({@code ids[]}), so inbound retries read the current contact. */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.READ_BY_ID);
    }

    @Override
    public ConnectorSession open(SyncContext context) {
        return new Session(requireNonNull(context, "context"));
    }

    /**
     * One run: the schema it resolved and what it learnt of the account (the cache) are its own; the
     * HTTP client, its rate limiter and the connection pool are the account's, shared by every run.
     */
    private final class Session implements ConnectorSession {
        private final SyncContext context;
        private final RunCache cache;
        private Schema schema;

        Session(SyncContext context) {
            this.context = context;
            this.cache = new RunCache(context);
        }

        @Override
        public List<PreflightProblem> preflight() {
            return meters.charging(context.calls(), () -> {
                List<PreflightProblem> token = PreflightChecks.credentials(client::checkToken);
                if (!token.isEmpty()) {
                    return token;
                }
                schema = Schema.resolve(context.mapping(), config, client.fields(), client.lists());
                return schema.problems();
            });
        }

        @Override
        public ChangeFeed readChanges(SyncCursor since) {
            return ChangeFeed.ready(meters.charging(context.calls(), meters.charging(context.calls(), () -> {
                Schema s = schema();
                return new ContactChanges(client, c -> fieldsOf(c, s), since, context.clock().instant(),
                        context.policy().inboundLookbackOr(defaultInboundLookback()));
            })));
        }

        @Override
        public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
            return meters.charging(context.calls(), () -> ActiveCampaignConnector.this.lookup(schema(), cache,
                    requests));
        }

        @Override
        public Optional<String> missingRequiredField(RemoteWrite write) {
            return ActiveCampaignConnector.missingRequiredField(write);
        }

        @Override
        public List<WriteResult> write(List<RemoteWrite> batch) {
            return meters.charging(context.calls(), () -> new ContactWriter(client, config, schema(), cache, clock,
                    sleeper, ActiveCampaignConnector.this).write(batch));
        }

        @Override
        public Map<String, RemoteRecord> read(List<String> remoteIds) {
            return meters.charging(context.calls(), () -> {
                Schema s = schema();
                RunCache fresh = new RunCache(context);
                fetchByIds(remoteIds, fresh);
                Map<String, RemoteRecord> found = new LinkedHashMap<>();
                for (String id : remoteIds) {
                    AcContact c = fresh.contacts.get(id);
                    if (c != null) {
                        found.put(id, RemoteRecord.of(c.id(), fieldsOf(c, s), RecordSource.API, SyncCursor.start(),
                                "ActiveCampaign contact " + c.id()));
                    }
                }
                return found;
            });
        }

        /** The schema preflight resolved, or resolved now when this run's preflight was not needed. */
        private Schema schema() {
            if (schema == null) {
                schema = Schema.resolve(context.mapping(), config, client.fields(), client.lists());
                List<PreflightProblem> problems = schema.problems();
                if (!problems.isEmpty()) {
                    throw new CrmSyncException(ErrorCode.INVALID_MAPPING, "ActiveCampaign is not ready for this"
                            + " mapping: " + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1)
                                    + " more)" : ""));
                }
            }
            return schema;
        }
    }

    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
    }

    private Map<String, List<RemoteRecord>> lookup(Schema s, RunCache run, List<LookupRequest> requests) {
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
        return LookupCandidates.assign(requests, run.contacts.values(), (r, c) -> {
            boolean byId = r.profile().constituentId().filter(c.id()::equals).isPresent();
            boolean byEmail = r.profile().email().filter(e -> normalEmail(e).equals(normalEmail(c.email()))).isPresent();
            boolean byLocalId = r.profile().localId().filter(id -> s.localIdFieldId()
                    .map(c.fieldValues()::get).filter(v -> v.trim().equals(id)).isPresent()).isPresent();
            return byId || byEmail || byLocalId;
        }, c -> RemoteRecord.of(c.id(), fieldsOf(c, s), RecordSource.API, SyncCursor.start(),
                "ActiveCampaign contact " + c.id()));
    }

    static Optional<String> missingRequiredField(RemoteWrite write) {
        if (write.operation() == RemoteWrite.Operation.CREATE
                && write.fields().getOrDefault("email", "").isBlank()) {
            return Optional.of("ActiveCampaign needs an email address for a new contact (email is mapped from "
                    + "profile_email)");
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ----- shared with the writer -----

    /** The bulk importer's own limits, kept for every run of this instance. */
    ImporterRateLimit importerRateLimit() {
        return importerRateLimit;
    }

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

    /**
     * The account's exclusion list, read once per run. Empty when it cannot be read (a user without the
     * permission, an account without the endpoint): the contacts it would explain stay unconfirmed.
     */
    List<Exclusion> exclusions(RunCache run) {
        if (run.exclusions.isEmpty()) {
            try {
                run.exclusions = Optional.of(client.exclusions());
            } catch (CrmSyncException e) {
                if (e.code() != ErrorCode.AUTHENTICATION_FAILED && e.code() != ErrorCode.PERMISSION_DENIED
                        && e.httpStatus().orElse(0) != 404) {
                    throw e;
                }
                LOG.info("the ActiveCampaign exclusion list could not be read ({}), so contacts the importer"
                        + " skipped without a word stay unconfirmed", e.code());
                run.exclusions = Optional.of(List.of());
            }
        }
        return run.exclusions.get();
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
