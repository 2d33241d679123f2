package org.crmsync.activecampaign;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayList;
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
import org.crmsync.activecampaign.internal.AcField;
import org.crmsync.activecampaign.internal.ActiveCampaignClient;
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

/**
 * One ActiveCampaign account behind the connector SPI.
 *
 * <ul>
 *   <li>Preflight: {@code GET fields} proves the token and resolves every mapped custom field and the
 *       local-ID field by perstag (or title) to its numeric id; {@code GET lists} finds the list whose
 *       status is the opt-in.
 *   <li>Reads: {@link ContactChanges}, pages of 100 contacts with their field values and list statuses
 *       side-loaded.
 *   <li>Lookups: from what the run already knows of the account ({@link RunKnowledge}); linked profiles
 *       by id ({@code ids[]}, 100 per call); for the others by email and by the local-ID field, either one
 *       call per email the run does not know yet ({@code GET contacts?email=}: the API has no form that
 *       takes several) or, once that would cost more, one read of the whole account, 100 per call, once
 *       per run ({@link AccountReader}).
 *   <li>Writes: {@link ContactWriter}.
 * </ul>
 *
 * <p>Every request goes through one OkHttp client from {@code HttpClients}: rate-limited under the
 * configured rate (ActiveCampaign allows 5 requests per second per account), retried on 429 (honouring
 * {@code Retry-After}), 5xx and lost connections, and counted against the run's quota.
 */
final class ActiveCampaignConnector implements Connector {
    /**
     * Batches of 1,000: four bulk imports of 250, the importer's maximum (bulk-import-contacts), sent one
     * after another before the first is checked, and the new contacts read back 100 per call, so no read
     * of a batch is less than full (with 250 a batch would end on a read of 50).
     */
    static final int BATCH_SIZE = 1000;

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
     * One run: the schema it resolved and what it knows of the account ({@link RunKnowledge}) are its
     * own; the HTTP client, its rate limiter and the connection pool are the account's, shared by every
     * run. A batch begins with its look-up, or with its write when the engine needs no look-up for it.
     */
    private final class Session implements ConnectorSession {
        private final SyncContext context;
        private Schema schema;
        private RunKnowledge known;
        private AccountReader reader;
        private boolean lookedUp;

        Session(SyncContext context) {
            this.context = context;
        }

        @Override
        public List<PreflightProblem> preflight() {
            return meters.charging(context.calls(), () -> {
                // GET fields proves the token too: ActiveCampaign answers 403 for a missing or wrong key on
                // every v3 endpoint (https://developers.activecampaign.com/reference/overview), so no call
                // of its own (users/me) is spent on it.
                List<List<AcField>> fields = new ArrayList<>(1);
                List<PreflightProblem> token = PreflightChecks.credentials(() -> fields.add(client.fields()));
                if (!token.isEmpty()) {
                    return token;
                }
                schema = Schema.resolve(context.mapping(), config, fields.get(0), client.lists());
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
            return meters.charging(context.calls(), () -> {
                Schema s = schema();
                knowledge(s).newBatch();
                lookedUp = true;
                return ActiveCampaignConnector.this.lookup(s, known, reader, requests);
            });
        }

        @Override
        public Optional<String> missingRequiredField(RemoteWrite write) {
            return ActiveCampaignConnector.missingRequiredField(write);
        }

        @Override
        public List<WriteResult> write(List<RemoteWrite> batch) {
            return meters.charging(context.calls(), () -> {
                Schema s = schema();
                if (!lookedUp) {
                    knowledge(s).newBatch();
                }
                lookedUp = false;
                return new ContactWriter(client, config, s, known, reader, clock, sleeper, importerRateLimit,
                        context.calls()).write(batch);
            });
        }

        @Override
        public Map<String, RemoteRecord> read(List<String> remoteIds) {
            return meters.charging(context.calls(), () -> {
                Schema s = schema();
                knowledge(s).newBatch();
                reader.byIdsAgain(remoteIds);
                Map<String, RemoteRecord> found = new LinkedHashMap<>();
                for (String id : remoteIds) {
                    known.current(id).ifPresent(c -> found.put(id, RemoteRecord.of(c.id(), fieldsOf(c, s),
                            RecordSource.API, SyncCursor.start(), "ActiveCampaign contact " + c.id())));
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

        private RunKnowledge knowledge(Schema s) {
            if (known == null) {
                known = new RunKnowledge(s.localIdFieldId());
                reader = new AccountReader(client, known);
            }
            return known;
        }
    }

    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
    }

    /**
     * The candidates of each request: its linked contact by id, and for an unlinked profile the contacts
     * with its email or its local ID, each as read in this batch. Who has which email and local ID comes
     * from what the run already knows; what it does not know yet is found by {@link #findUnlinked}.
     */
    private Map<String, List<RemoteRecord>> lookup(Schema s, RunKnowledge known, AccountReader reader,
            List<LookupRequest> requests) {
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
                r.profile().localId().map(String::trim).ifPresent(localIds::add);
            }
        }
        findUnlinked(emails, localIds, s, known, reader);
        emails.forEach(e -> ids.addAll(known.idsWithEmail(e)));
        localIds.forEach(l -> ids.addAll(known.idsWithLocalId(l)));
        reader.byIds(ids); // those this batch has not read yet: consent is decided on copies of this batch
        List<AcContact> candidates = ids.stream().map(known::current).flatMap(Optional::stream).toList();
        return LookupCandidates.assign(requests, candidates, (r, c) -> {
            boolean byId = r.profile().constituentId().filter(c.id()::equals).isPresent();
            boolean byEmail = r.profile().email().filter(e -> normalEmail(e).equals(normalEmail(c.email()))).isPresent();
            boolean byLocalId = r.profile().localId().filter(id -> s.localIdFieldId()
                    .map(c.fieldValues()::get).filter(v -> v.trim().equals(id.trim())).isPresent()).isPresent();
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
     * Makes the run know every contact with these emails and local IDs. A run that knows the whole
     * account knows them already. Otherwise: one call per email and per local ID it does not know yet
     * (the API has no look-up taking several), or one read of the whole account, 100 contacts per call,
     * when that costs no more than the look-ups this batch needs plus those the run has already spent
     * (so a run that keeps looking up a small account reads it whole once and then looks up nothing).
     * The account's size comes from its first page ({@code meta.total}), read once per run; an account
     * of more than {@link RunKnowledge#MAX_WHOLE_ACCOUNT} contacts is never read whole.
     */
    private void findUnlinked(Set<String> emails, Set<String> localIds, Schema s, RunKnowledge known,
            AccountReader reader) {
        List<String> unknownEmails = emails.stream().filter(e -> !known.knowsEmail(e)).toList();
        List<String> unknownLocalIds = localIds.stream().filter(l -> !known.knowsLocalId(l)).toList();
        long perRecord = unknownEmails.size() + unknownLocalIds.size();
        if (perRecord == 0) {
            return;
        }
        java.util.function.Predicate<AcContact> wanted = c -> emails.contains(normalEmail(c.email()))
                || s.localIdFieldId().map(c.fieldValues()::get).map(String::trim).filter(localIds::contains).isPresent();
        if (known.accountSize() < 0 && reader.firstPage(wanted)) {
            return; // the first page held the whole account
        }
        long rest = known.accountSize() - known.seenCount();
        if (known.accountSize() <= RunKnowledge.MAX_WHOLE_ACCOUNT
                && AccountReader.pages(rest) <= perRecord + known.lookupsSpent()) {
            reader.whole(wanted);
            return;
        }
        reader.byEmails(unknownEmails);
        s.localIdFieldId().ifPresent(fieldId -> reader.byLocalIds(unknownLocalIds, fieldId));
    }
}
