package org.crmsync.everyaction;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.everyaction.internal.KeyProfile;
import org.crmsync.everyaction.internal.VanClient;
import org.crmsync.everyaction.internal.VanPerson;
import org.crmsync.http.RunMeters;
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
import org.crmsync.spi.WriteResult;

/**
 * One EveryAction (NGP VAN) database behind the connector SPI.
 *
 * <ul>
 *   <li>Preflight: {@code GET apiKeyProfiles} proves the key and says which databases it reaches
 *       (MyCampaign for mode 1, MyVoters for mode 0); the mapping may name standard fields only.
 *   <li>Inbound: {@link ChangedContacts}, a changed-entity export job of {@code Contacts}.
 *   <li>Look-ups: a linked profile's person by VAN ID; an unlinked one through {@code people/find}.
 *   <li>Writes: {@link PeopleWriter}: {@code people/findOrCreate} for new opt-ins (VAN matches,
 *       {@link Capability#MATCHES_ON_CREATE}), {@code people/{vanId}} for opt-outs and changed fields.
 * </ul>
 *
 * <p>Every request goes through one OkHttp client from {@code HttpClients}: retried on 429 (honouring
 * {@code Retry-After}), 5xx and lost connections, and counted against the run's quota.
 */
final class EveryActionConnector implements Connector {
    /** VAN has no batch write for people: each record is one call, so batches only pace checkpoints. */
    static final int BATCH_SIZE = 100;

    private final EveryActionConfig config;
    private final VanClient client;
    private final OkHttpClient http;
    private final RunMeters meters;
    private final Clock clock;

    EveryActionConnector(EveryActionConfig config, VanClient client, OkHttpClient http, RunMeters meters, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.client = requireNonNull(client, "client");
        this.http = requireNonNull(http, "http");
        this.meters = requireNonNull(meters, "meters");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public String providerId() {
        return EveryActionConnectorProvider.ID;
    }

    /** The API host, the application and the database mode: one key reads other data in the other mode. */
    @Override
    public String accountKey() {
        return config.baseUrl() + " " + config.appName() + " mode " + config.databaseMode();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.MATCHES_ON_CREATE, Capability.READ_BY_ID);
    }

    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
    }

    /** The seed's 48 hours, also when a policy does not start from the preset. */
    @Override
    public Duration defaultInboundLookback() {
        return EveryActionConnectorProvider.SEED_LOOKBACK;
    }

    @Override
    public ConnectorSession open(SyncContext context) {
        return new Session(requireNonNull(context, "context"));
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** One run: the people it read (a write checks a phone's current opt-in against them) are its own. */
    private final class Session implements ConnectorSession {
        private final SyncContext context;
        private final Map<Long, VanPerson> people = new ConcurrentHashMap<>();
        private boolean mappingChecked;

        Session(SyncContext context) {
            this.context = context;
        }

        @Override
        public List<PreflightProblem> preflight() {
            return meters.charging(context.calls(), () -> {
                List<PreflightProblem> problems = new ArrayList<>(credentials());
                EveryActionMapping.nonStandard(context.mapping()).forEach(p -> problems.add(new PreflightProblem(
                        "mapping", p + ": " + EveryActionMapping.SEED_RULE)));
                if (problems.isEmpty() && inbound() && !config.exportFields().isEmpty()) {
                    problems.addAll(exportFields());
                }
                mappingChecked = problems.isEmpty();
                return problems;
            });
        }

        private boolean inbound() {
            try {
                return context.direction() == org.crmsync.SyncDirection.INBOUND;
            } catch (UnsupportedOperationException unknown) {
                return true;
            }
        }

        /** Every field export.fields names is one the account's Contacts export offers. */
        private List<PreflightProblem> exportFields() {
            List<String> offered = client.exportFieldNames("Contacts");
            List<PreflightProblem> problems = new ArrayList<>();
            config.exportFields().forEach((name, field) -> {
                if (!offered.contains(field)) {
                    problems.add(new PreflightProblem(EveryActionConfig.EXPORT_FIELDS, "'" + field + "' (for " + name
                            + ") is not a field of this account's Contacts export (GET changedEntityExportJobs/fields/"
                            + "Contacts)" + org.crmsync.kit.PreflightChecks.caseHint("VAN", field, offered)));
                }
            });
            return problems;
        }

        private List<PreflightProblem> credentials() {
            KeyProfile profile;
            try {
                profile = client.keyProfile();
            } catch (CrmSyncException e) {
                if (e.code() == ErrorCode.AUTHENTICATION_FAILED || e.code() == ErrorCode.PERMISSION_DENIED) {
                    return List.of(new PreflightProblem("credentials", e.getMessage()));
                }
                if (e.code() == ErrorCode.UNEXPECTED_RESPONSE) {
                    return List.of(new PreflightProblem(EveryActionConfig.API_HOST, "the API key check did not get an"
                            + " answer from VAN's API; api.host is the API host (" + EveryActionConfig.DEFAULT_API_HOST
                            + "), not the address of the EveryAction web app: " + e.getMessage()));
                }
                throw e;
            }
            boolean myCampaign = config.databaseMode() == 1;
            Optional<Boolean> has = myCampaign ? profile.hasMyCampaign() : profile.hasMyVoters();
            if (has.filter(h -> !h).isPresent()) {
                return List.of(new PreflightProblem(EveryActionConfig.DATABASE_MODE, "database.mode is "
                        + config.databaseMode() + " (" + (myCampaign ? "MyCampaign / EveryAction" : "MyVoters")
                        + "), but the key's profile (database '" + profile.databaseName() + "') has no "
                        + (myCampaign ? "MyCampaign" : "MyVoters") + " access; set database.mode to "
                        + (myCampaign ? "0" : "1") + " or ask for a key of that database"));
            }
            return List.of();
        }

        @Override
        public ChangeFeed readChanges(SyncCursor since) {
            requireStandardMapping();
            return meters.charging(context.calls(), () -> {
                ChangeFeed feed = new ChangedContacts(client, config, context, clock, people).read(since);
                return feed instanceof ChangeFeed.Ready ready
                        ? ChangeFeed.ready(meters.charging(context.calls(), ready.changes())) : feed;
            });
        }

        @Override
        public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
            requireStandardMapping();
            return meters.charging(context.calls(), () -> {
                Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
                for (LookupRequest r : requests) {
                    found.put(r.key(), candidates(r));
                }
                return found;
            });
        }

        private List<RemoteRecord> candidates(LookupRequest r) {
            Map<Long, VanPerson> found = new LinkedHashMap<>();
            r.profile().constituentId().flatMap(EveryActionConnector::vanId).flatMap(this::person)
                    .ifPresent(p -> found.put(p.vanId(), p));
            if (!r.matchKeys().equals(List.of(MatchKey.CONSTITUENT_ID))) {
                PeopleWriter.matchCandidate(r.profile()).flatMap(client::find)
                        .filter(id -> !found.containsKey(id)).flatMap(this::person)
                        .ifPresent(p -> found.put(p.vanId(), p));
            }
            return found.values().stream().map(EveryActionConnector::record).toList();
        }

        private Optional<VanPerson> person(long vanId) {
            Optional<VanPerson> p = client.person(vanId);
            p.ifPresent(person -> people.put(person.vanId(), person));
            return p;
        }

        @Override
        public Optional<String> missingRequiredField(RemoteWrite write) {
            if (write.operation() == RemoteWrite.Operation.CREATE
                    && write.fields().getOrDefault(EveryActionMapping.EMAIL, "").isBlank()) {
                return Optional.of("EveryAction's findOrCreate needs an email address to match on (email is mapped"
                        + " from profile_email)");
            }
            return Optional.empty();
        }

        @Override
        public List<WriteResult> write(List<RemoteWrite> batch) {
            requireStandardMapping();
            return meters.charging(context.calls(), () -> new PeopleWriter(client, config, people, this::person)
                    .write(batch));
        }

        @Override
        public Map<String, RemoteRecord> read(List<String> remoteIds) {
            return meters.charging(context.calls(), () -> {
                Map<String, RemoteRecord> found = new LinkedHashMap<>();
                for (String id : remoteIds) {
                    Optional<Long> vanId = vanId(id);
                    if (vanId.isEmpty()) {
                        continue;
                    }
                    try {
                        person(vanId.get()).ifPresent(p -> found.put(id, record(p)));
                    } catch (CrmSyncException e) {
                        if (!e.retryable()) {
                            throw e;
                        }
                        found.put(id, RemoteRecord.unreadable(id, SyncCursor.start(), "EveryAction person " + id,
                                e.getMessage()));
                    }
                }
                return found;
            });
        }

        /** The preflight's mapping check, when this run's preflight was skipped (a recent one passed). */
        private void requireStandardMapping() {
            if (!mappingChecked) {
                EveryActionMapping.requireStandard(context.mapping());
                mappingChecked = true;
            }
        }
    }

    /** A person as the engine reads it: fields by the connector's API names. */
    static RemoteRecord record(VanPerson p) {
        return RemoteRecord.of(Long.toString(p.vanId()), p.fields(), RecordSource.API, SyncCursor.start(),
                "EveryAction person " + p.vanId());
    }

    /** A constituent ID as a VAN ID; empty when it is not one (a profile linked to another CRM's id). */
    static Optional<Long> vanId(String constituentId) {
        String v = constituentId.trim();
        return v.matches("[0-9]{1,18}") ? Optional.of(Long.parseLong(v)) : Optional.empty();
    }
}
