package org.crmsync.luminate;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.crmsync.SyncDirection;
import org.crmsync.http.RunMeters;
import org.crmsync.kit.HydratingChangeStream;
import org.crmsync.kit.PreflightChecks;
import org.crmsync.luminate.internal.LuminateAnswer;
import org.crmsync.luminate.internal.LuminateClient;
import org.crmsync.luminate.internal.LuminateJson;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.RecordSource;
import org.crmsync.policy.MatchKey;
import org.crmsync.spi.ActivityResult;
import org.crmsync.spi.ActivityWrite;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeFeed;
import org.crmsync.spi.ChangeStream;
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
 * One Luminate Online site behind the connector SPI.
 *
 * <ul>
 *   <li>Preflight: {@code listUserFields} proves the API credentials (and the IP filter) and says that
 *       every mapped field exists and that the opt-in field is a boolean; an inbound run also logs in to the
 *       FTP host of the changed-records file.
 *   <li>Inbound: the changed-records file ({@link ExportDownload}, {@link ChangedRecordsFile}), each
 *       constituent it names read whole through {@code getUser} ({@link HydratingChangeStream}); the cursor
 *       names the file (name, size, modification time) and the line.
 *   <li>Look-ups: {@code getUser} by {@code cons_id} for a linked profile, by {@code primary_email} for an
 *       unlinked one (Luminate cannot look a constituent up by phone).
 *   <li>Writes: {@link ConstituentWriter}. Activities: {@link Activities} (gifts, calls).
 * </ul>
 */
final class LuminateConnector implements Connector {
    /** Luminate's Constituent API writes one constituent a call; batches only pace checkpoints. */
    static final int BATCH_SIZE = 100;

    private final LuminateConfig config;
    private final LuminateClient client;
    private final OkHttpClient http;
    private final RunMeters meters;
    private final ExportDownload download;

    LuminateConnector(LuminateConfig config, LuminateClient client, OkHttpClient http, RunMeters meters) {
        this.config = requireNonNull(config, "config");
        this.client = requireNonNull(client, "client");
        this.http = requireNonNull(http, "http");
        this.meters = requireNonNull(meters, "meters");
        this.download = new ExportDownload(config, client);
    }

    @Override
    public String providerId() {
        return LuminateConnectorProvider.ID;
    }

    @Override
    public String accountKey() {
        return config.apiBase() + " " + config.login();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.READ_BY_ID, Capability.WRITE_ACTIVITIES);
    }

    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
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

    /** One run: what its look-ups learnt (ambiguous emails, ids not found) is its own. */
    private final class Session implements ConnectorSession {
        private final SyncContext context;
        private final Set<String> severalByEmail = ConcurrentHashMap.newKeySet();
        private final Set<String> notFound = ConcurrentHashMap.newKeySet();

        Session(SyncContext context) {
            this.context = context;
        }

        @Override
        public List<PreflightProblem> preflight() {
            return meters.charging(context.calls(), () -> {
                List<PreflightProblem> problems = new ArrayList<>();
                List<JsonNode> fields = new ArrayList<>();
                problems.addAll(PreflightChecks.credentials(() -> fields.addAll(userFields())));
                if (problems.isEmpty()) {
                    problems.addAll(mappedFields(fields));
                }
                if (problems.isEmpty() && inbound()) {
                    problems.addAll(PreflightChecks.credentials(() -> download.open(context.calls())
                            .ifPresent(ExportDownload.RemoteFile::close)));
                }
                return problems;
            });
        }

        private boolean inbound() {
            try {
                return context.direction() == SyncDirection.INBOUND;
            } catch (UnsupportedOperationException unknown) {
                return true;
            }
        }

        private List<JsonNode> userFields() {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("access", inbound() ? "view" : "update");
            LuminateAnswer answer = client.call(LuminateClient.CONS, "listUserFields", params, true);
            if (answer instanceof LuminateAnswer.Refused refused) {
                throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Luminate listUserFields was refused (error "
                        + refused.code() + "): " + refused.message());
            }
            return LuminateJson.list(((LuminateAnswer.Ok) answer).body().get("field"));
        }

        /** Every mapped field is one the API account may see (inbound) or change (outbound); the opt-in is a boolean. */
        private List<PreflightProblem> mappedFields(List<JsonNode> fields) {
            Map<String, String> types = new LinkedHashMap<>();
            for (JsonNode f : fields) {
                LuminateJson.text(f.get("name")).ifPresent(n -> types.put(n, LuminateJson.text(f.get("valueType"))
                        .orElse("")));
            }
            List<PreflightProblem> problems = new ArrayList<>();
            String access = inbound() ? "see" : "change";
            for (FieldRule rule : context.mapping().rules()) {
                String name = rule.apiName().orElse(null);
                if (name == null || name.equals(LuminateMapping.CONS_ID)) {
                    continue;
                }
                boolean known = types.containsKey(name) || (name.equals(LuminateMapping.EMAIL)
                        && types.containsKey(LuminateMapping.PRIMARY_EMAIL));
                if (!known) {
                    problems.add(new PreflightProblem("mapping", "'" + name + "' (mapped from " + rule.localField()
                            + ") is not a field the API account may " + access + " (listUserFields)"
                            + PreflightChecks.caseHint("Luminate", name, types.keySet())
                            + (name.startsWith("custom_") ? "; activate the custom field and give the API"
                                    + " administrator access to it" : "")));
                }
            }
            String optIn = config.optInField();
            if (types.containsKey(optIn) && !types.get(optIn).equalsIgnoreCase("BOOLEAN")) {
                problems.add(new PreflightProblem(LuminateConfig.OPTIN_FIELD, "'" + optIn + "' is a "
                        + types.get(optIn) + " field, not a boolean (listUserFields valueType); the mobile opt-in needs"
                        + " a custom boolean such as custom_boolean50"));
            }
            return problems;
        }

        @Override
        public ChangeFeed readChanges(SyncCursor since) {
            return meters.charging(context.calls(), () -> {
                Optional<ExportDownload.RemoteFile> opened = download.open(context.calls());
                if (opened.isEmpty()) {
                    return ChangeFeed.notReady(since, config.pollInterval(), "the Luminate changed-records file "
                            + config.export() + " is not there yet, or still empty");
                }
                ExportDownload.RemoteFile file = opened.get();
                FileIdentity id = file.identity();
                long resumeAfter = 0;
                if (FileIdentity.of(since).filter(id::equals).isPresent()) {
                    String line = since.get(FileIdentity.CURSOR_LINE).orElse("0");
                    if (line.equals(FileIdentity.END) || !line.matches("[0-9]{1,18}")) {
                        file.close(); // this file was applied whole: nothing is new until the next one
                        return ChangeFeed.ready(ended(id));
                    }
                    resumeAfter = Long.parseLong(line);
                }
                ChangedRecordsFile rows = new ChangedRecordsFile(file, config, resumeAfter);
                ChangeStream stream = new HydratingChangeStream(rows, 1, ids -> hydrate(rows, ids), rows::close,
                        Optional.of(id.cursor(FileIdentity.END)));
                return ChangeFeed.ready(meters.charging(context.calls(), stream));
            });
        }

        private ChangeStream ended(FileIdentity id) {
            ChangeStream none = ChangeStream.of(List.of());
            return new ChangeStream() {
                @Override
                public boolean hasNext() {
                    return false;
                }

                @Override
                public RemoteRecord next() {
                    return none.next();
                }

                @Override
                public Optional<SyncCursor> endCursor() {
                    return Optional.of(id.cursor(FileIdentity.END));
                }

                @Override
                public void close() {
                }
            };
        }

        private Map<String, RemoteRecord> hydrate(ChangedRecordsFile rows, List<String> ids) {
            Map<String, RemoteRecord> found = new LinkedHashMap<>();
            List<String> toRead = new ArrayList<>();
            for (String id : ids) {
                Optional<RemoteRecord> problem = rows.problem(id);
                if (problem.isPresent()) {
                    found.put(id, problem.get());
                } else {
                    toRead.add(id);
                }
            }
            found.putAll(read(toRead));
            return found;
        }

        @Override
        public Map<String, List<RemoteRecord>> lookup(List<LookupRequest> requests) {
            return meters.charging(context.calls(), () -> {
                Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
                for (LookupRequest r : requests) {
                    found.put(r.key(), candidates(r));
                }
                return found;
            });
        }

        private List<RemoteRecord> candidates(LookupRequest r) {
            Map<String, RemoteRecord> found = new LinkedHashMap<>();
            Optional<String> consId = r.profile().constituentId().map(String::trim).filter(v -> v.matches("[0-9]{1,18}"));
            if (consId.isPresent()) {
                Optional<RemoteRecord> linked = getUser(LuminateMapping.CONS_ID, consId.get());
                linked.ifPresentOrElse(rec -> found.put(rec.remoteId(), rec), () -> notFound.add(consId.get()));
            }
            // An unlinked profile, or one whose constituent Luminate no longer has: by its email.
            Optional<String> email = r.profile().email().filter(e -> !e.isBlank());
            if (found.isEmpty() && r.matchKeys().contains(MatchKey.EMAIL) && email.isPresent()) {
                LuminateAnswer answer = client.call(LuminateClient.CONS, "getUser", Map.of("primary_email", email.get()),
                        true);
                if (answer instanceof LuminateAnswer.Ok ok) {
                    RemoteRecord rec = record(ok.body());
                    found.put(rec.remoteId(), rec);
                } else if (((LuminateAnswer.Refused) answer).severalMatch()) {
                    severalByEmail.add(r.key()); // code 8: the write reports it and sends nothing
                }
            }
            return List.copyOf(found.values());
        }

        private Optional<RemoteRecord> getUser(String by, String value) {
            LuminateAnswer answer = client.call(LuminateClient.CONS, "getUser", Map.of(by, value), true);
            if (answer instanceof LuminateAnswer.Ok ok) {
                return Optional.of(record(ok.body()));
            }
            LuminateAnswer.Refused refused = (LuminateAnswer.Refused) answer;
            if (refused.notFound()) {
                return Optional.empty();
            }
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Luminate getUser by " + by + " was refused (error "
                    + refused.code() + "): " + refused.message());
        }

        @Override
        public Optional<String> missingRequiredField(RemoteWrite write) {
            if (write.operation() == RemoteWrite.Operation.CREATE
                    && write.fields().getOrDefault(LuminateMapping.EMAIL, "").isBlank()) {
                return Optional.of("Luminate creates a constituent by its primary email (create and createOrUpdate"
                        + " require primary_email), and this profile has none");
            }
            return Optional.empty();
        }

        @Override
        public List<WriteResult> write(List<RemoteWrite> batch) {
            return meters.charging(context.calls(), () -> new ConstituentWriter(client, config, severalByEmail,
                    notFound).write(batch));
        }

        @Override
        public Map<String, RemoteRecord> read(List<String> remoteIds) {
            return meters.charging(context.calls(), () -> {
                Map<String, RemoteRecord> found = new LinkedHashMap<>();
                for (String id : remoteIds) {
                    if (!id.matches("[0-9]{1,18}")) {
                        continue;
                    }
                    try {
                        getUser(LuminateMapping.CONS_ID, id).ifPresent(r -> found.put(id, r));
                    } catch (CrmSyncException e) {
                        if (!e.retryable()) {
                            throw e;
                        }
                        found.put(id, RemoteRecord.unreadable(id, SyncCursor.start(), "Luminate constituent " + id,
                                e.getMessage()));
                    }
                }
                return found;
            });
        }

        @Override
        public List<ActivityResult> writeActivities(List<ActivityWrite> batch) {
            return meters.charging(context.calls(), () -> new Activities(client, config).write(batch));
        }
    }

    /** A constituent as the engine reads it: fields by their dotted API names. */
    static RemoteRecord record(JsonNode constituent) {
        Map<String, String> fields = LuminateJson.flatten(constituent);
        String id = fields.getOrDefault(LuminateMapping.CONS_ID, "");
        if (id.isBlank()) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "Luminate getUser answered a constituent without"
                    + " a cons_id");
        }
        return RemoteRecord.of(id, fields, RecordSource.API, SyncCursor.start(), "Luminate constituent " + id);
    }
}
