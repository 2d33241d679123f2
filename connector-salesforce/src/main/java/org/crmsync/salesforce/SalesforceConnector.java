package org.crmsync.salesforce;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.SyncDirection;
import org.crmsync.http.RetryPolicy;
import org.crmsync.http.RunMeters;
import org.crmsync.kit.Chunks;
import org.crmsync.kit.LookupCandidates;
import org.crmsync.kit.PreflightChecks;
import org.crmsync.mapping.FieldMapping;
import org.crmsync.mapping.FieldRule;
import org.crmsync.mapping.WriteMode;
import org.crmsync.model.Profile;
import org.crmsync.model.StandardField;
import org.crmsync.phone.PhoneVariants;
import org.crmsync.policy.MatchKey;
import org.crmsync.salesforce.internal.CollectionRequest;
import org.crmsync.salesforce.internal.DescribeResult;
import org.crmsync.salesforce.internal.QueryResult;
import org.crmsync.salesforce.internal.SalesforceClient;
import org.crmsync.salesforce.internal.SaveResult;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.Capability;
import org.crmsync.spi.ChangeStream;
import org.crmsync.spi.Connector;
import org.crmsync.spi.ConnectorContext;
import org.crmsync.spi.ConnectorSession;
import org.crmsync.spi.LookupRequest;
import org.crmsync.spi.PreflightProblem;
import org.crmsync.spi.RemoteRecord;
import org.crmsync.spi.RemoteWrite;
import org.crmsync.spi.SyncContext;
import org.crmsync.spi.SyncCursor;
import org.crmsync.spi.WriteResult;
import static java.util.Objects.requireNonNull;

/**
 * One Salesforce org as a crmsync {@link Connector}, over the REST API.
 *
 * <ul>
 *   <li>Inbound: a SOQL query on {@code SystemModstamp} with a (timestamp, Id) cursor, paged by
 *       {@code nextRecordsUrl}; or the custom report export, one download per run.
 *   <li>Outbound: one lookup per batch of 400 (SOQL by email, mobile and Id, the statements sent in one
 *       Composite call) so nothing is created twice, then sObject Collections calls of up to 200 records
 *       with {@code allOrNone=false}, each record's result read on its own.
 *   <li>Preflight: {@code describe} Contact; every mapped field must exist (names are case-sensitive)
 *       and be writable, the opt-in field must be a checkbox, a restricted source picklist must offer
 *       the source code, and the export URL must be on the org's host.
 * </ul>
 *
 * <p>Every HTTP request, logins and downloads included, is counted by the run's meter first. Create
 * one through {@link SalesforceConnectorProvider}. Thread-safe: the inbound and outbound jobs of one
 * connection may share it and run at once (one session, one connection pool).
 */
public final class SalesforceConnector implements Connector {
    /** sObject Collections takes at most 200 records per request. */
    static final int MAX_COLLECTION_SIZE = 200;
    /**
     * Records per engine batch: two Collections calls' worth, looked up together in one Composite call
     * (its statements hold about 400 people with a mobile in eleven spellings). Larger batches would save
     * little more (each 200 records still take a Collections call) and would spend more of a tight daily
     * quota on a batch's lookup before its first create.
     */
    static final int BATCH_SIZE = 2 * MAX_COLLECTION_SIZE;
    /** Field types whose values Salesforce refuses with STRING_TOO_LONG beyond describe's {@code length}. */
    static final Set<String> LENGTH_CHECKED_TYPES = Set.of("anyType", "email", "encryptedstring", "multipicklist",
            "phone", "picklist", "string", "textarea");
    /** The seed: "If you leave these fields blank, the first name will be Contact". */
    static final String SEED_DEFAULT_FIRST_NAME = "Contact";

    private final SalesforceConfig config;
    // One HTTP client and one login serve every run; each call is charged to the meter of its run's session.
    private final RunMeters runMeters = new RunMeters();
    private final SalesforceClient client;
    private final ObjectMapper mapper;
    private volatile Map<String, DescribeResult.Field> contactFields;

    SalesforceConnector(SalesforceConfig config, ConnectorContext context) {
        this(config, context, RetryPolicy.defaults());
    }

    SalesforceConnector(SalesforceConfig config, ConnectorContext context, RetryPolicy retryPolicy) {
        this.config = requireNonNull(config, "config");
        this.client = new SalesforceClient(config, context, runMeters::current, retryPolicy);
        this.mapper = client.mapper();
    }

    /** The configuration, secrets masked when printed. */
    public SalesforceConfig config() {
        return config;
    }

    /** The default mapping with this org's opt-in field. */
    public FieldMapping defaultMapping() {
        return SalesforceMapping.defaults(config.optInField());
    }

    @Override
    public String providerId() {
        return SalesforceConnectorProvider.ID;
    }

    /** The org's host and the API user (or the app, for client credentials). */
    @Override
    public String accountKey() {
        return config.apiHost() + "/" + config.login().orElse("app:" + config.clientId());
    }

    /** Contacts can be read by Id, so inbound retries read the current record. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.READ_BY_ID);
    }

    @Override
    public ConnectorSession open(SyncContext context) {
        return new SalesforceSession(this, requireNonNull(context, "context"), runMeters);
    }

    /**
     * {@value #BATCH_SIZE}: one lookup call and two sObject Collections calls per batch of new opt-ins; {@link
     * #write} splits a batch into Collections calls of up to 200 and answers for each record.
     */
    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
    }

    /**
     * {@code calls.in.flight} (default 4): the login, the describe cache and the HTTP client are shared
     * safely by the runs of this connector and so by the calls of one run; each call charges its own
     * run's meter on its own thread.
     */
    @Override
    public int maxCallsInFlight() {
        return config.callsInFlight();
    }

    // ----- preflight -----

    List<PreflightProblem> preflight(SyncContext context) {
        List<PreflightProblem> login = PreflightChecks.credentials(client::ensureSession);
        if (!login.isEmpty()) {
            return login;
        }
        Map<String, DescribeResult.Field> fields;
        try {
            fields = describeContact();
        } catch (CrmSyncException e) {
            if (e.code() == ErrorCode.PERMISSION_DENIED) {
                return List.of(new PreflightProblem("Contact", e.getMessage()));
            }
            throw e;
        }
        List<PreflightProblem> problems = new ArrayList<>();
        FieldMapping mapping = context.mapping();
        // An inbound job only reads: a field the integration user cannot edit is fine there.
        boolean writes = context.direction() == SyncDirection.OUTBOUND;
        for (FieldRule rule : mapping.rules()) {
            rule.apiName().ifPresent(name -> checkField(rule, name, fields, writes, problems));
        }
        Optional<FieldRule> optIn = mapping.rule(StandardField.OPT_IN_STATUS);
        if (optIn.flatMap(FieldRule::apiName).isEmpty()) {
            problems.add(new PreflightProblem(StandardField.OPT_IN_STATUS.fieldName(), "has no API field in the mapping;"
                    + " map it to the boolean mobile opt-in field " + config.optInField()));
        } else {
            String name = optIn.get().apiName().get();
            if (!name.equals(config.optInField())) {
                problems.add(new PreflightProblem(name, "the mapping writes opt-in status to " + name + " but "
                        + SalesforceConfig.OPT_IN_FIELD + " is " + config.optInField() + "; make them the same"
                        + " (SalesforceConnector.defaultMapping() uses the configured field)"));
            }
            DescribeResult.Field f = fields.get(name);
            if (f != null && !"boolean".equals(f.type())) {
                problems.add(new PreflightProblem(name, "the mobile opt-in field must be a checkbox (boolean) field;"
                        + " in Salesforce it is of type " + f.type()));
            }
        }
        config.sourceField().ifPresent(name -> {
            DescribeResult.Field f = fields.get(name);
            if (f == null) {
                problems.add(new PreflightProblem(name, "the source field (" + SalesforceConfig.SOURCE_FIELD
                        + ") does not exist on Contact" + caseHint(name, fields) + "; set source.field to a Contact"
                        + " field, or none"));
            } else if (!f.createable()) {
                problems.add(new PreflightProblem(name, "the source field (" + SalesforceConfig.SOURCE_FIELD
                        + ") cannot be set by the integration user on new contacts"));
            } else if (writes) {
                sourceCodeProblem(f, context.policy().sourceCode()).ifPresent(problems::add);
            }
        });
        for (StandardField key : List.of(StandardField.EMAIL, StandardField.PHONE_NUMBER, StandardField.LOCAL_ID)) {
            mapping.rule(key).flatMap(FieldRule::apiName).map(fields::get).filter(f -> !f.filterable()).ifPresent(f ->
                    problems.add(new PreflightProblem(f.name(), "cannot be filtered in SOQL, so contacts cannot be"
                            + " looked up by " + key.fieldName() + " before they are created")));
        }
        if (config.inboundSource() == SalesforceConfig.InboundSource.EXPORT
                && mapping.rule(StandardField.CONSTITUENT_ID).flatMap(FieldRule::csvHeading).isEmpty()) {
            problems.add(new PreflightProblem(StandardField.CONSTITUENT_ID.fieldName(), "needs a CSV heading (the"
                    + " report's Contact ID column) to read the custom export"));
        }
        if (config.inboundSource() == SalesforceConfig.InboundSource.EXPORT) {
            config.exportUrl().flatMap(client::exportUrlProblem)
                    .ifPresent(p -> problems.add(new PreflightProblem(SalesforceConfig.EXPORT_URL, p)));
        }
        return problems;
    }

    /**
     * A restricted picklist accepts only its active values, from the API too (any other value fails the
     * create with INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST), and compares them exactly: the policy's
     * source code must be one of them. An unrestricted picklist, or a text field, takes any value.
     */
    private static Optional<PreflightProblem> sourceCodeProblem(DescribeResult.Field f, String sourceCode) {
        if (!f.restrictedPicklist() || sourceCode == null || sourceCode.isBlank()) {
            return Optional.empty();
        }
        List<String> allowed = f.activePicklistValues();
        if (allowed.contains(sourceCode)) {
            return Optional.empty();
        }
        String near = allowed.stream().filter(v -> v.equalsIgnoreCase(sourceCode.trim())).findFirst()
                .map(v -> " (Salesforce spells it " + v + ")").orElse("");
        return Optional.of(new PreflightProblem(f.name(), "the source field (" + SalesforceConfig.SOURCE_FIELD
                + ") is a restricted picklist, and the policy's source code '" + sourceCode + "' is not one of its"
                + " active values" + near + ": " + (allowed.isEmpty() ? "(none)" : String.join(", ", allowed))
                + ". Set the policy's source code to one of them, add it to the picklist in Setup, or set "
                + SalesforceConfig.SOURCE_FIELD + " to another field or none"));
    }

    private void checkField(FieldRule rule, String name, Map<String, DescribeResult.Field> fields, boolean writes,
            List<PreflightProblem> problems) {
        if (rule.localField().equals(StandardField.CONSTITUENT_ID.fieldName())) {
            if (!name.equals(ContactRecords.ID)) {
                problems.add(new PreflightProblem(name, "constituent_id is the Contact's record id; map it to the"
                        + " API name Id"));
            }
            return;
        }
        if (!Soql.isFieldName(name)) {
            problems.add(new PreflightProblem(name, "is not a Salesforce field API name (mapped from "
                    + rule.localField() + ")"));
            return;
        }
        DescribeResult.Field f = fields.get(name);
        if (f == null) {
            problems.add(new PreflightProblem(name, "no such field on Contact (mapped from " + rule.localField() + ")"
                    + caseHint(name, fields) + "; custom field API names end in __c"));
        } else if (writes && rule.writeMode() != WriteMode.NEVER && !f.updateable()) {
            problems.add(new PreflightProblem(name, "cannot be written by the integration user (mapped from "
                    + rule.localField() + "); grant edit access to the field, or set the rule's write mode to NEVER"));
        }
    }

    private static String caseHint(String name, Map<String, DescribeResult.Field> fields) {
        return PreflightChecks.caseHint("Salesforce", name, fields.keySet());
    }

    private Map<String, DescribeResult.Field> describeContact() {
        DescribeResult describe = client.describe(ContactRecords.TYPE);
        Map<String, DescribeResult.Field> byName = new LinkedHashMap<>();
        describe.fields().forEach(f -> byName.put(f.name(), f));
        contactFields = Map.copyOf(byName);
        return contactFields;
    }

    private Map<String, DescribeResult.Field> contactFields() {
        Map<String, DescribeResult.Field> fields = contactFields;
        return fields != null ? fields : describeContact();
    }

    // ----- inbound -----

    /**
     * Ten minutes. A change gets its SystemModstamp when its transaction starts and is seen when the
     * transaction commits, so a record can appear with a timestamp the cursor has already passed: the SOAP
     * API's getUpdated() tells replication clients to start the next call from {@code latestDateCovered}
     * "to capture the changes that started after this date but did not complete", which is "the start time
     * of that long-running transaction until it completes" (GetUpdatedResult,
     * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getupdated_getupdatedresult.htm).
     * Such a transaction lasts at most ten minutes: "The timeout limit for REST and SOAP API calls is 10
     * minutes" (API Request Limits and Allocations,
     * https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html),
     * and the "Maximum execution time for each Apex transaction" is 10 minutes (Execution Governors and
     * Limits, https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_gov_limits.htm).
     * So a new pass that starts ten minutes before the cursor's SystemModstamp sees every change that was
     * still uncommitted when the previous read ran.
     */
    static final Duration DEFAULT_INBOUND_LOOKBACK = Duration.ofMinutes(10);

    @Override
    public Duration defaultInboundLookback() {
        return DEFAULT_INBOUND_LOOKBACK;
    }

    ChangeStream readChanges(SyncContext context, SyncCursor since) {
        requireNonNull(since, "since");
        if (config.inboundSource() == SalesforceConfig.InboundSource.EXPORT) {
            return readExport(context);
        }
        List<String> fields = selectedFields(context.mapping());
        Duration lookback = context.policy().inboundLookbackOr(defaultInboundLookback());
        String soql = ContactQueries.changes(fields, since, lookback);
        // A cut counts as recent when it falls within the look-back of this read's start (Salesforce's
        // SystemModstamps and our clock are both UTC; the query sees what was committed when it ran).
        ContactRecords.Recheck recheck = lookback.isZero() ? ContactRecords.Recheck.none()
                : new ContactRecords.Recheck(ContactRecords.midPass(since) ? ContactRecords.recheck(since)
                        : Optional.empty(), Optional.of(context.clock().instant().minus(lookback)));
        // After an expired query locator the query is asked again from a record's cursor, which is always
        // mid-pass: it reads on right after that (SystemModstamp, Id), with no look-back.
        return new QueryChangeStream(client, soql, config.queryBatchSize(), fields, since, recheck,
                cursor -> ContactQueries.changes(fields, cursor, lookback));
    }

    private ChangeStream readExport(SyncContext context) {
        String url = config.exportUrl().orElseThrow(() -> new CrmSyncException(ErrorCode.INVALID_CONFIGURATION,
                "inbound.source is export but export.url is not set"));
        String idHeading = context.mapping().rule(StandardField.CONSTITUENT_ID).flatMap(FieldRule::csvHeading)
                .orElseThrow(() -> new CrmSyncException(ErrorCode.INVALID_MAPPING, "constituent_id needs a CSV heading"
                        + " (the report's Contact ID column) to read the Salesforce export"));
        ResponseBody body = client.export(url);
        HttpUrl parsed = HttpUrl.parse(url);
        String source = "Salesforce report export " + (parsed == null ? "" : parsed.encodedPath());
        return SalesforceExportReader.open(body, source, idHeading, context.mapping());
    }

    /** Id and SystemModstamp, then every mapped API field, once each. */
    private static List<String> selectedFields(FieldMapping mapping) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> fields = new ArrayList<>();
        for (String name : concat(List.of(ContactRecords.ID, ContactRecords.MODSTAMP), mapping.apiNames())) {
            if (Soql.isFieldName(name) && seen.add(name.toLowerCase(Locale.ROOT))) {
                fields.add(name);
            }
        }
        return fields;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ----- lookup -----

    /**
     * SOQL statements {@code WHERE Email IN (...) OR MobilePhone IN (...) OR Id IN (...)} for the whole
     * batch, each as long as SOQL allows ({@link SalesforceClient#LOOKUP_STATEMENT_CHARS}: about 400
     * people with a mobile in eleven spellings), sent together in one Composite call ({@link
     * SalesforceClient#queries}; one more per five statements). SOQL compares text without regard to
     * case, so emails match whatever their case; phones are asked for in every spelling {@link
     * PhoneVariants} gives, since Salesforce keeps them as typed and compares them exactly. SOQL reads
     * what is committed, a contact created a moment ago by a run that died before writing its id back
     * included. Each candidate is given to every request it may match; the engine decides.
     */
    Map<String, List<RemoteRecord>> lookup(SyncContext context, List<LookupRequest> requests) {
        FieldMapping mapping = context.mapping();
        Map<String, DescribeResult.Field> described = contactFields();
        List<Map<String, List<String>>> terms = new ArrayList<>();
        for (LookupRequest request : requests) {
            terms.add(withinFieldLengths(terms(request, mapping), described));
        }
        Map<String, List<RemoteRecord>> found = new LinkedHashMap<>();
        requests.forEach(r -> found.put(r.key(), new ArrayList<>()));
        if (terms.stream().allMatch(t -> t.values().stream().allMatch(List::isEmpty))) {
            return found;
        }
        List<String> fields = selectedFields(mapping);
        Map<String, ObjectNode> candidates = new LinkedHashMap<>();
        queryAll(ContactQueries.lookups(fields, terms, SalesforceClient.LOOKUP_STATEMENT_CHARS))
                .forEach(r -> candidates.putIfAbsent(ContactRecords.text(r, ContactRecords.ID), r));
        Map<String, Map<String, List<String>>> wanted = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            wanted.put(requests.get(i).key(), terms.get(i));
        }
        return LookupCandidates.assign(requests, candidates.values(),
                (request, record) -> matchesAny(record, wanted.get(request.key())),
                record -> ContactRecords.candidate(record, fields));
    }

    /** The field values to look for, by API name, for one request's match keys. */
    private static Map<String, List<String>> terms(LookupRequest request, FieldMapping mapping) {
        Map<String, List<String>> terms = new LinkedHashMap<>();
        Profile p = request.profile();
        for (MatchKey key : request.matchKeys()) {
            switch (key) {
                case CONSTITUENT_ID:
                    p.constituentId().flatMap(SalesforceIds::to18).ifPresent(id -> add(terms, ContactRecords.ID, id));
                    break;
                case EMAIL:
                case NAME_AND_EMAIL:
                    apiName(mapping, StandardField.EMAIL).ifPresent(f -> p.email().ifPresent(e -> add(terms, f, e)));
                    break;
                case PHONE:
                    apiName(mapping, StandardField.PHONE_NUMBER).ifPresent(f -> p.phoneNumber().ifPresent(n ->
                            PhoneVariants.of(n).forEach(v -> add(terms, f, v))));
                    break;
                case LOCAL_ID:
                    apiName(mapping, StandardField.LOCAL_ID).ifPresent(f -> p.localId().ifPresent(id -> add(terms, f, id)));
                    break;
                default:
                    break;
            }
        }
        return terms;
    }

    /**
     * The terms without values longer than their field: no contact can hold one, and a huge value would
     * make the query too long to send. Its record then fails on write, for its length.
     */
    private static Map<String, List<String>> withinFieldLengths(Map<String, List<String>> terms,
            Map<String, DescribeResult.Field> fields) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        terms.forEach((name, values) -> {
            DescribeResult.Field f = fields.get(name);
            List<String> fit = values.stream().filter(v -> f == null || fits(f, v)).toList();
            if (!fit.isEmpty()) {
                kept.put(name, fit);
            }
        });
        return kept;
    }

    private static Optional<String> apiName(FieldMapping mapping, StandardField field) {
        return mapping.rule(field).flatMap(FieldRule::apiName).filter(Soql::isFieldName);
    }

    private static void add(Map<String, List<String>> terms, String field, String value) {
        List<String> values = terms.computeIfAbsent(field, k -> new ArrayList<>());
        if (!values.contains(value)) {
            values.add(value);
        }
    }

    private static boolean matchesAny(ObjectNode record, Map<String, List<String>> wanted) {
        for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
            String value = ContactRecords.text(record, e.getKey());
            if (!value.isEmpty() && e.getValue().stream().anyMatch(value::equalsIgnoreCase)) {
                return true;
            }
        }
        return false;
    }

    // ----- outbound -----

    /**
     * Salesforce refuses a Contact without LastName (REQUIRED_FIELD_MISSING), on create and when an
     * update would clear it; such a record is reported, never sent to fail.
     */
    Optional<String> missingRequiredField(RemoteWrite write) {
        String last = write.fields().get(ContactRecords.LAST_NAME);
        if (write.operation() == RemoteWrite.Operation.CREATE && (last == null || last.isBlank())) {
            return Optional.of("Salesforce requires LastName on a new Contact, and the profile has no last name;"
                    + " set one, or give the sync policy a default last name");
        }
        if (write.operation() == RemoteWrite.Operation.UPDATE && last != null && last.isBlank()) {
            return Optional.of("Salesforce requires LastName on every Contact, so it cannot be cleared");
        }
        return Optional.empty();
    }

    List<WriteResult> write(SyncContext context, List<RemoteWrite> batch) {
        if (context.dryRun()) {
            throw new IllegalStateException("write called in a dry run; nothing may be sent");
        }
        Map<String, DescribeResult.Field> fields = contactFields();
        List<WriteResult> results = new ArrayList<>(batch.size());
        // Each record's JSON first: a value that cannot be sent as its field's type fails that record alone.
        List<RemoteWrite> creates = new ArrayList<>();
        List<ObjectNode> createJson = new ArrayList<>();
        List<RemoteWrite> updates = new ArrayList<>();
        List<ObjectNode> updateJson = new ArrayList<>();
        for (RemoteWrite w : batch) {
            ObjectNode json;
            try {
                json = json(w, fields, context);
            } catch (UnsendableValue e) {
                results.add(WriteResult.failed(w.key(), e.errorCode, e.getMessage(), false));
                continue;
            }
            boolean create = w.operation() == RemoteWrite.Operation.CREATE;
            (create ? creates : updates).add(w);
            (create ? createJson : updateJson).add(json);
        }
        // One Collections call per 200 creates, then per 200 updates. When a later call fails or the quota
        // stops it, what the earlier ones applied keeps its results.
        List<List<RemoteWrite>> chunks = new ArrayList<>();
        List<java.util.function.Supplier<List<SaveResult>>> calls = new ArrayList<>();
        for (boolean create : List.of(true, false)) {
            List<RemoteWrite> writes = create ? creates : updates;
            List<ObjectNode> json = create ? createJson : updateJson;
            int from = 0;
            for (List<RemoteWrite> chunk : Chunks.byCount(writes, MAX_COLLECTION_SIZE)) {
                CollectionRequest request = new CollectionRequest(false,
                        List.copyOf(json.subList(from, from + chunk.size())));
                from += chunk.size();
                chunks.add(chunk);
                calls.add(create ? () -> client.create(request) : () -> client.update(request));
            }
        }
        for (int i = 0; i < chunks.size(); i++) {
            List<RemoteWrite> chunk = chunks.get(i);
            try {
                results.addAll(results(chunk, sendCollection(chunk, calls.get(i))));
            } catch (CrmSyncException e) {
                if (i == 0) {
                    throw e; // nothing of this batch reached Salesforce: the run stops, the batch is kept
                }
                // Earlier calls applied their records: those keep their own results, so the engine writes
                // their ids back. The rest waits for the next run: for the quota, as not sent; after any
                // other failure, as failed and kept, to be looked up again before it is created.
                boolean quota = e.code() == ErrorCode.QUOTA_EXHAUSTED;
                for (int j = i; j < chunks.size(); j++) {
                    String why = j == i ? e.getMessage() : "not sent: the call before it in this batch failed: "
                            + e.getMessage();
                    chunks.get(j).forEach(w -> results.add(quota ? WriteResult.notSent(w.key(), e.getMessage())
                            : WriteResult.failed(w.key(), null, why, true)));
                }
                break;
            }
        }
        return results;
    }

    /**
     * Every record the statements find, each of their pages read: one Composite call per five statements
     * ({@link SalesforceClient#queries}), then a call per further page of a statement that matched more
     * than a page (2,000 contacts).
     */
    private List<ObjectNode> queryAll(List<String> statements) {
        List<ObjectNode> records = new ArrayList<>();
        for (QueryResult first : client.queries(statements)) {
            QueryResult page = first;
            while (true) {
                records.addAll(page.records());
                if (page.done() || page.nextRecordsUrl() == null) {
                    break;
                }
                page = client.queryMore(page.nextRecordsUrl(), config.queryBatchSize());
            }
        }
        return records;
    }

    /** The current contacts with these Ids, by Id, looked up like a batch's matches ({@link #queryAll}). */
    Map<String, RemoteRecord> read(SyncContext context, List<String> ids) {
        List<String> fields = selectedFields(context.mapping());
        List<Map<String, List<String>>> terms = new ArrayList<>();
        for (String id : ids) {
            SalesforceIds.to18(id).ifPresent(full -> terms.add(Map.of(ContactRecords.ID, List.of(full))));
        }
        Map<String, RemoteRecord> found = new LinkedHashMap<>();
        if (terms.isEmpty()) {
            return found;
        }
        Map<String, String> asked = new LinkedHashMap<>();
        ids.forEach(id -> SalesforceIds.to18(id).ifPresent(full -> asked.put(full, id)));
        for (ObjectNode r : queryAll(ContactQueries.lookups(fields, terms, SalesforceClient.LOOKUP_STATEMENT_CHARS))) {
            String id = ContactRecords.text(r, ContactRecords.ID);
            found.put(asked.getOrDefault(id, id), ContactRecords.candidate(r, fields));
        }
        return found;
    }

    /**
     * The call's per-record results; a request Salesforce refuses as a whole with a 400 (malformed
     * JSON, a field it does not know) fails each of its records instead of the run.
     */
    private static List<SaveResult> sendCollection(List<RemoteWrite> chunk,
            java.util.function.Supplier<List<SaveResult>> call) {
        try {
            return call.get();
        } catch (CrmSyncException e) {
            if (e.code() != ErrorCode.RECORD_REJECTED) {
                throw e;
            }
            List<SaveResult> failed = new ArrayList<>();
            chunk.forEach(w -> failed.add(new SaveResult(null, false,
                    List.of(new SaveResult.Error("REQUEST_REJECTED", e.getMessage(), List.of())))));
            return failed;
        }
    }

    /** One result per record, by position: Salesforce answers in request order. */
    private static List<WriteResult> results(List<RemoteWrite> chunk, List<SaveResult> saved) {
        List<WriteResult> results = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            RemoteWrite w = chunk.get(i);
            if (i >= saved.size()) {
                results.add(WriteResult.failed(w.key(), null, "Salesforce returned " + saved.size() + " results for "
                        + chunk.size() + " records; this one has none", true));
                continue;
            }
            SaveResult r = saved.get(i);
            if (r.success()) {
                String id = r.id() != null ? r.id() : w.remoteId().orElse(null);
                if (id == null) {
                    results.add(WriteResult.failed(w.key(), null, "Salesforce reported success without a record id",
                            true));
                } else if (w.operation() == RemoteWrite.Operation.CREATE) {
                    results.add(WriteResult.created(w.key(), id));
                } else {
                    results.add(WriteResult.updated(w.key(), id));
                }
                continue;
            }
            // ALL_OR_NONE_OPERATION_ROLLED_BACK only says another record failed; report the record's own error.
            SaveResult.Error error = r.errors().stream()
                    .filter(e -> !"ALL_OR_NONE_OPERATION_ROLLED_BACK".equals(e.statusCode())).findFirst()
                    .orElse(r.errors().isEmpty() ? new SaveResult.Error(null, "no error given", List.of())
                            : r.errors().get(0));
            String message = (error.message() == null ? "" : error.message())
                    + (error.fields().isEmpty() ? "" : " (fields " + String.join(", ", error.fields()) + ")");
            results.add(WriteResult.failed(w.key(), error.statusCode(), message, retryable(error.statusCode())));
        }
        return results;
    }

    /** Record errors that may pass on a later try; validation errors will not. */
    private static boolean retryable(String statusCode) {
        return "UNABLE_TO_LOCK_ROW".equals(statusCode) || "ALL_OR_NONE_OPERATION_ROLLED_BACK".equals(statusCode);
    }

    /**
     * One Collections record: {@code attributes.type}, the Id for an update, the mapped fields typed as
     * describe says (checkboxes as JSON booleans, numbers as numbers), an empty value as JSON null (how
     * REST clears a field). A text value longer than its field's describe length fails the record
     * ({@link #checkLength}). A create also gets the policy's source code in the source field (the
     * seed's default first name "Contact" is the provider's policy preset, applied by the engine).
     */
    private ObjectNode json(RemoteWrite w, Map<String, DescribeResult.Field> fields, SyncContext context) {
        ObjectNode record = mapper.createObjectNode();
        record.putObject("attributes").put("type", ContactRecords.TYPE);
        w.remoteId().ifPresent(id -> record.put("id", id));
        Map<String, String> values = new LinkedHashMap<>(w.fields());
        if (w.operation() == RemoteWrite.Operation.CREATE) {
            config.sourceField().filter(f -> values.getOrDefault(f, "").isBlank())
                    .ifPresent(f -> values.put(f, context.policy().sourceCode()));
        }
        values.forEach((name, value) -> {
            DescribeResult.Field f = fields.get(name);
            String type = f == null ? "" : f.type();
            if (f != null) {
                checkLength(f, value);
            }
            if (value.isEmpty()) {
                record.putNull(name);
            } else if ("boolean".equals(type)) {
                record.put(name, checkbox(name, value));
            } else if (("double".equals(type) || "currency".equals(type) || "percent".equals(type)
                    || "int".equals(type)) && value.matches("-?[0-9]+(\\.[0-9]+)?")) {
                record.put(name, new BigDecimal(value));
            } else {
                record.put(name, value);
            }
        });
        return record;
    }

    /**
     * Salesforce refuses a text value longer than its field with STRING_TOO_LONG (API 15.0 and later, for
     * anyType, email, encryptedstring, multipicklist, phone, picklist, string and textarea fields: "Field
     * Types", SOAP API Developer Guide, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm),
     * and describe's {@code length} is that limit "in Unicode characters (not bytes)" (DescribeFieldResult
     * getLength(), Salesforce Help article 000381913). Such a value fails its record here and is never sent: a
     * 10 MB first name has no business on the wire, and Salesforce's own error would quote the value. The
     * message names the field and the limit, never the value.
     */
    static void checkLength(DescribeResult.Field field, String value) {
        if (!fits(field, value)) {
            throw new UnsendableValue("STRING_TOO_LONG", String.format(Locale.ROOT, "the value for %s is %,d characters"
                    + " long, and Salesforce takes at most %,d in this field (its describe length). The record was not"
                    + " sent; shorten the value in the application", field.name(),
                    value.codePointCount(0, value.length()), field.length()));
        }
    }

    /** Whether Salesforce takes {@code value} in {@code field} as far as its length goes. */
    static boolean fits(DescribeResult.Field field, String value) {
        // A string's UTF-16 length is never less than its count of code points: most values need no count.
        return field.length() <= 0 || !LENGTH_CHECKED_TYPES.contains(field.type()) || value.length() <= field.length()
                || value.codePointCount(0, value.length()) <= field.length();
    }

    /**
     * A checkbox value: {@code true}/{@code false}, {@code 1}/{@code 0} (how reports and many exports
     * write checkboxes) or {@code yes}/{@code no}, in any case. Anything else fails the record: sent as
     * false, it could clear an opt-out.
     */
    static boolean checkbox(String field, String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
            case "yes":
                return true;
            case "false":
            case "0":
            case "no":
                return false;
            default:
                throw new UnsendableValue("INVALID_CHECKBOX_VALUE", "'" + value + "' is not a value for the checkbox"
                        + " field " + field + "; use true/false, 1/0 or yes/no. The record was not sent");
        }
    }

    /** A mapped value that cannot be sent as its field's type; it fails its record, not the batch. */
    static final class UnsendableValue extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String errorCode;

        UnsendableValue(String errorCode, String message) {
            super(message, null, false, false);
            this.errorCode = errorCode;
        }
    }

    // ----- plumbing -----

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "SalesforceConnector{" + config.apiHost() + ", " + config.authFlow() + ", inbound "
                + config.inboundSource() + "}";
    }
}
