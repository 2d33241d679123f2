package org.crmsync.salesforce;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crmsync.salesforce.SimulatedSoql.SoqlException;
import org.crmsync.testing.sim.ScriptedFaults;

/**
 * A stateful Salesforce org on WireMock, on loopback and a free port, for tests and examples. Contacts
 * persist between calls, so a test can sync, change data on either side and sync again.
 *
 * <p>It answers as Salesforce does (reference notes Part A and the Part C checklist):
 * <ul>
 *   <li>{@code POST /services/oauth2/token}: the password flow (password + security token appended) and
 *       the client credentials flow; 400 {@code invalid_grant} for bad credentials, {@code
 *       invalid_client_id} / {@code invalid_client} for a bad app, {@code unsupported_grant_type}.
 *   <li>Every {@code /services/data/vNN.N/...} call needs {@code Authorization: Bearer}; an unknown or
 *       expired session gets 401 {@code INVALID_SESSION_ID}. Each served call counts against the org's
 *       daily limit and carries {@code Sforce-Limit-Info: api-usage=used/max}; when the limit is spent,
 *       403 {@code REQUEST_LIMIT_EXCEEDED}. A URI over 16,384 bytes gets 414, URI and headers over it 431.
 *   <li>{@code GET query?q=}: a real SOQL subset ({@link SimulatedSoql}) with Salesforce's errors, pages
 *       of {@code Sforce-Query-Options: batchSize} (200 to 2,000, default 2,000) followed by {@code
 *       nextRecordsUrl} until {@code done}.
 *   <li>{@code POST composite} with query subrequests ({@code GET .../query/?q=}, {@code GET
 *       .../query/<locator>}): each answered under its {@code referenceId} with its own status, the whole
 *       request one call against the daily limit; at most 25 subrequests, 5 of them queries; statements of
 *       up to 100,000 characters, in a GET or a subrequest.
 *   <li>{@code GET sobjects/Contact/describe}, with fields that tests can remove, retype or make
 *       read-only, and picklists ({@code picklistValues}, {@code restrictedPicklist}) that tests can
 *       restrict; a value outside a restricted picklist fails its record with {@code
 *       INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST}.
 *   <li>{@code POST} / {@code PATCH composite/sobjects}: at most 200 records, {@code allOrNone}, per-record
 *       errors with {@code statusCode} (REQUIRED_FIELD_MISSING for LastName, INVALID_EMAIL_ADDRESS,
 *       STRING_TOO_LONG over the field's describe length, ENTITY_IS_DELETED, INVALID_FIELD_FOR_INSERT_UPDATE);
 *       checkboxes must be JSON booleans. Describe gives the lengths of a standard Contact (FirstName 40,
 *       LastName 80, Email 80, MobilePhone 40, MailingStreet 255, MailingCity 40, ...: the Salesforce Field
 *       Reference, Contact, https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-contact.html).
 *   <li>{@code GET /00O...?export=1&enc=UTF-8&xf=csv}: the report export, authenticated by the {@code sid}
 *       cookie or bearer token (else the login page, as HTML), every value quoted, 15-character ids, and
 *       Salesforce's footer after the data.
 * </ul>
 *
 * <p>Tests can also make it misbehave: echo the secrets it received in its error bodies ({@link
 * #echoSecretsInErrors}), refuse a login or a download with {@code REQUEST_LIMIT_EXCEEDED} ({@link
 * #limitExceededNext}), redirect the export ({@link #redirectExport}), or answer the next requests of a
 * kind with anything at all ({@link #answerNext}: an HTML page, JSON cut off, a 429, a fault).
 *
 * <p>Thread-safe. Close it to stop the server.
 */
public final class SalesforceSimulator implements AutoCloseable {
    public static final String USERNAME = "sync-user@acme.example";
    public static final String PASSWORD = "Correct-Horse-42";
    public static final String SECURITY_TOKEN = "SecTok9Xq2Lm7Pz4";
    public static final String CLIENT_ID = "3MVG9SimulatedConsumerKey.acme";
    public static final String CLIENT_SECRET = "SimulatedConsumerSecret0042";
    public static final String API_VERSION = "67.0";
    /** The report whose export the simulator serves. */
    public static final String REPORT_PATH = "/00O5e000008SimRpt";
    /** Developer Edition's daily allocation. */
    public static final long DEFAULT_API_LIMIT = 15_000;

    private static final int MAX_URI_AND_HEADERS = 16_384;
    /** "By default, 100,000 characters" (SOQL and SOSL Limits for Search Queries). */
    static final int MAX_SOQL_CHARS = 100_000;
    private static final int MAX_SUBREQUESTS = 25;
    private static final int MAX_QUERY_SUBREQUESTS = 5;
    private static final Pattern SUBREQUEST_QUERY = Pattern.compile("/services/data/v([0-9]+\\.[0-9])/query/?\\?(.*)");
    private static final Pattern SUBREQUEST_QUERY_MORE = Pattern.compile("/services/data/v([0-9]+\\.[0-9])/query/([^/?]+)");
    /**
     * "The queryLocator value expires automatically after 15 minutes of inactivity", and "a user can have
     * up to ten query cursors open at a time": an eleventh releases the oldest (QueryLocator, SOAP API
     * Developer Guide,
     * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_querymore_querylocator.htm).
     * One integration user here, so ten for the org.
     */
    private static final Duration LOCATOR_IDLE_EXPIRY = Duration.ofMinutes(15);
    private static final int MAX_OPEN_LOCATORS = 10;
    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern DATA_PATH = Pattern.compile("/services/data/v([0-9]+\\.[0-9])/(.*)");
    private static final String ROLLED_BACK = "Record rolled back because not all records were valid and the request"
            + " was using AllOrNone header";

    /** The kinds of request the simulator counts. */
    public enum Kind {
        LOGIN, QUERY, QUERY_MORE, COMPOSITE, DESCRIBE, CREATE, UPDATE, EXPORT, OTHER
    }

    /** A Contact field as describe reports it. */
    private static final class FieldDef {
        final String name;
        final String label;
        String type;
        final int length;
        boolean createable;
        boolean updateable;
        final boolean nillable;
        final boolean filterable;
        // Picklist values, API value to whether it is active, in order.
        final Map<String, Boolean> picklist = new LinkedHashMap<>();
        boolean restrictedPicklist;

        FieldDef(String name, String label, String type, int length, boolean createable, boolean updateable,
                boolean nillable, boolean filterable) {
            this.name = name;
            this.label = label;
            this.type = type;
            this.length = length;
            this.createable = createable;
            this.updateable = updateable;
            this.nillable = nillable;
            this.filterable = filterable;
        }
    }

    private final WireMockServer server;
    private volatile long latencyMillis;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    // ----- the org's state, guarded by this -----
    private final Map<String, FieldDef> fields = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> contacts = new LinkedHashMap<>();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final List<String> issuedTokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Iterator<Map<String, Object>>> cursors = new LinkedHashMap<>();
    private final Map<String, List<String>> cursorFields = new LinkedHashMap<>();
    private final Map<String, Integer> cursorPageSizes = new LinkedHashMap<>();
    private final Map<String, Integer> cursorOffsets = new LinkedHashMap<>();
    private final Map<String, Integer> cursorTotals = new LinkedHashMap<>();
    private final Map<String, Instant> cursorLastUsed = new LinkedHashMap<>();
    private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    private final List<String> queries = new ArrayList<>();
    private int largestWriteBody;
    private final LinkedHashMap<String, String> exportColumns = new LinkedHashMap<>();
    private long nextId = 1;
    private long nextCursor = 1;
    private long apiUsed;
    private long apiMax = DEFAULT_API_LIMIT;
    private String password = PASSWORD;
    private String securityToken = SECURITY_TOKEN;
    private boolean dropConnectionAfterNextWrite;
    private boolean echoSecrets;
    private final Map<Kind, Integer> limitExceededNext = new EnumMap<>(Kind.class);
    private Instant longRunningUntil = Instant.MIN;
    private Set<Kind> longRunningKinds = Set.of();
    private int concurrencyRefusals;
    private String exportRedirect;
    private int failNextCalls;
    private final Map<Kind, Integer> failNext = new EnumMap<>(Kind.class);
    private final Map<Kind, Integer> servedBeforeFailing = new EnumMap<>(Kind.class);
    private final ScriptedFaults scripted = new ScriptedFaults(aResponse().withStatus(503)
            .withHeader("Content-Type", "application/json").withBody("[{\"errorCode\":\"SERVER_UNAVAILABLE\","
                    + "\"message\":\"Server busy\"}]"));

    private SalesforceSimulator(Clock clock) {
        this.clock = clock;
        defineContactFields();
        exportColumns.put("First Name", "FirstName");
        exportColumns.put("Last Name", "LastName");
        exportColumns.put("Mobile", "MobilePhone");
        exportColumns.put("Email", "Email");
        exportColumns.put("Mailing Street", "MailingStreet");
        exportColumns.put("Mailing City", "MailingCity");
        exportColumns.put("Mailing State/Province", "MailingState");
        exportColumns.put("Mailing Zip/Postal Code", "MailingPostalCode");
        exportColumns.put("Mailing Country", "MailingCountry");
        exportColumns.put("Mobile Subscriber", "Mobile_Subscriber__c");
        exportColumns.put("Contact ID", "Id");
        this.server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .jettyAcceptors(1).jettyHeaderRequestSize(64 * 1024).extensions(new Handler()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
    }

    /** A simulator whose SystemModstamps come from {@code clock} (seconds; Salesforce stores .000 ms). */
    public static SalesforceSimulator start(Clock clock) {
        return new SalesforceSimulator(clock);
    }

    public static SalesforceSimulator start() {
        return start(Clock.systemUTC());
    }

    /** {@code 127.0.0.1:port}: the {@code api.host} to configure. */
    public String host() {
        return "127.0.0.1:" + server.port();
    }

    public String baseUrl() {
        return "http://" + host();
    }

    /** The report's export link, as Salesforce shows it. */
    public String exportUrl() {
        return baseUrl() + REPORT_PATH + "?export=1&enc=UTF-8&xf=csv";
    }

    /**
     * A working configuration for the password flow; the connector context must allow plain HTTP,
     * since the simulator is on loopback.
     */
    public Map<String, String> connectorConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(SalesforceConfig.LOGIN, USERNAME);
        config.put(SalesforceConfig.PASSWORD, PASSWORD);
        config.put(SalesforceConfig.SECURITY_TOKEN, SECURITY_TOKEN);
        config.put(SalesforceConfig.CLIENT_ID, CLIENT_ID);
        config.put(SalesforceConfig.CLIENT_SECRET, CLIENT_SECRET);
        config.put(SalesforceConfig.API_HOST, host());
        config.put(SalesforceConfig.API_VERSION, API_VERSION);
        return config;
    }

    // ----- the org's data, as a Salesforce user would change it -----

    /** Creates a contact as a user would (validation not applied); returns its 18-character Id. */
    public synchronized String addContact(Map<String, ?> values) {
        String id = newId();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Id", id);
        fields.values().stream().filter(f -> "boolean".equals(f.type)).forEach(f -> c.put(f.name, Boolean.FALSE));
        values.forEach((k, v) -> put(c, k, v));
        Instant now = now();
        c.put("CreatedDate", now);
        c.put("LastModifiedDate", now);
        c.put("SystemModstamp", now);
        contacts.put(id, c);
        return id;
    }

    /** Changes a contact as a user would; its SystemModstamp becomes now. */
    public synchronized void updateContact(String id, Map<String, ?> values) {
        Map<String, Object> c = requireContact(id);
        values.forEach((k, v) -> put(c, k, v));
        c.put("LastModifiedDate", now());
        c.put("SystemModstamp", now());
    }

    /**
     * Changes a contact in a transaction that starts now and commits only when {@link LateCommit#commit()}
     * is called. Salesforce stamps a change when its transaction starts and shows it when the transaction
     * completes, so a record can appear with a SystemModstamp a cursor has already passed ("changes that
     * started after this date but did not complete": GetUpdatedResult, SOAP API Developer Guide,
     * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getupdated_getupdatedresult.htm).
     * Until the commit, queries and the export see the contact as it was.
     */
    public synchronized LateCommit updateLater(String id, Map<String, ?> values) {
        requireContact(id);
        return new LateCommit(SalesforceIds.to18(id).orElse(id), new LinkedHashMap<>(values), now());
    }

    /** A change stamped when it started and shown once {@link #commit()} is called. */
    public final class LateCommit {
        private final String id;
        private final Map<String, ?> values;
        private final Instant started;
        private boolean committed;

        private LateCommit(String id, Map<String, ?> values, Instant started) {
            this.id = id;
            this.values = values;
            this.started = started;
        }

        /** Makes the change visible, with the SystemModstamp of when it started. */
        public void commit() {
            synchronized (SalesforceSimulator.this) {
                if (committed) {
                    throw new IllegalStateException("already committed");
                }
                committed = true;
                Map<String, Object> c = requireContact(id);
                values.forEach((k, v) -> put(c, k, v));
                c.put("LastModifiedDate", started);
                c.put("SystemModstamp", started);
            }
        }
    }

    public synchronized void deleteContact(String id) {
        requireContact(id);
        contacts.remove(SalesforceIds.to18(id).orElse(id));
    }

    /** A contact's fields by API name (checkboxes as Boolean, datetimes as Instant); empty when absent. */
    public synchronized Optional<Map<String, Object>> contact(String id) {
        return Optional.ofNullable(contacts.get(id)).map(c -> Collections.unmodifiableMap(new LinkedHashMap<>(c)));
    }

    public synchronized List<Map<String, Object>> contacts() {
        List<Map<String, Object>> all = new ArrayList<>();
        contacts.values().forEach(c -> all.add(Collections.unmodifiableMap(new LinkedHashMap<>(c))));
        return all;
    }

    public synchronized int contactCount() {
        return contacts.size();
    }

    /** Ids of the contacts whose {@code field} equals {@code value}, ignoring case. */
    public synchronized List<String> idsWhere(String field, String value) {
        List<String> ids = new ArrayList<>();
        contacts.forEach((id, c) -> {
            Object v = c.get(field);
            if (v != null && v.toString().equalsIgnoreCase(value)) {
                ids.add(id);
            }
        });
        return ids;
    }

    // ----- the org's settings and failures, for tests -----

    /** Every open session ends, as after the org's session timeout; the next call gets 401. */
    public void expireSessions() {
        sessions.clear();
    }

    /** The user's password changes (and with it the security token), so old credentials fail. */
    public synchronized void changePassword(String newPassword, String newSecurityToken) {
        this.password = newPassword;
        this.securityToken = newSecurityToken;
    }

    /** The org's daily API limit. */
    public synchronized void apiLimit(long max) {
        this.apiMax = max;
    }

    /** Sets the calls already used today (for example by other integrations). */
    public synchronized void apiUsed(long used) {
        this.apiUsed = used;
    }

    /** API calls counted today. */
    public synchronized long apiUsage() {
        return apiUsed;
    }

    /** A new day for the org's limit. */
    public synchronized void resetApiUsage() {
        this.apiUsed = 0;
    }

    /**
     * The next sObject Collections call is applied, then the connection is reset before the answer
     * goes out: the client cannot know whether its records landed.
     */
    public synchronized void dropConnectionAfterNextWrite() {
        this.dropConnectionAfterNextWrite = true;
    }

    /** Every scripted answer, failure and dropped connection still pending is called off. */
    public synchronized void clearFaults() {
        failNextCalls = 0;
        failNext.clear();
        servedBeforeFailing.clear();
        scripted.clear();
        limitExceededNext.clear();
        dropConnectionAfterNextWrite = false;
    }

    /** Scripted answers (from {@link #answerNext}) no request has received yet. */
    public synchronized int scriptedAnswersPending() {
        return scripted.pending();
    }

    /**
     * Every answer is sent this much later (zero by default), as over a network to a real org; the
     * requests in flight wait at once, not one after another. For the benchmark's figures.
     */
    public void latency(Duration late) {
        this.latencyMillis = late.toMillis();
    }

    /** The next {@code calls} data API calls answer 503 (server busy). */
    public synchronized void failNextCalls(int calls) {
        this.failNextCalls = calls;
    }

    /** The next {@code calls} data API calls of this kind answer 503 (server busy). */
    public synchronized void failNext(Kind kind, int calls) {
        failNext.put(kind, calls);
    }

    /** After {@code served} more calls of this kind are served as usual, the next {@code calls} answer 503. */
    public synchronized void failNextAfter(Kind kind, int served, int calls) {
        servedBeforeFailing.put(kind, served);
        failNext.put(kind, calls);
    }

    /**
     * Error bodies repeat the secrets the request carried: the token endpoint's {@code error_description}
     * the password (with the security token) and client secret received, the data API's and the
     * export's errors the session token. Salesforce does not do this on purpose, but proxies, gateways
     * and debug pages do; a connector must mask them wherever it quotes an answer.
     */
    public synchronized void echoSecretsInErrors(boolean echo) {
        this.echoSecrets = echo;
    }

    /**
     * The next {@code calls} requests of this kind (any kind, including {@link Kind#LOGIN} and {@link
     * Kind#EXPORT}) answer 403 {@code REQUEST_LIMIT_EXCEEDED}, whatever the usage count says.
     */
    public synchronized void limitExceededNext(Kind kind, int calls) {
        limitExceededNext.put(kind, calls);
    }

    /**
     * Other integrations keep the org at its limit of concurrent long-running requests for {@code
     * duration} (on the simulator's clock): until then every data API call and export download answers 403
     * {@code REQUEST_LIMIT_EXCEEDED} "ConcurrentPerOrgLongTxn Limit exceeded.", without being processed or
     * counted against the daily limit ("Any new concurrent requests aren't processed until there are fewer
     * requests than the allowed limit": API Request Limits and Allocations,
     * https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html;
     * the message as orgs answer it, mautic/mautic#5006). Logins are not refused.
     *
     * @param kinds the kinds of request refused; none given: every data API call and the export
     */
    public synchronized void concurrentLimitReachedFor(Duration duration, Kind... kinds) {
        this.longRunningUntil = clock.instant().plus(duration);
        this.longRunningKinds = Set.of(kinds);
    }

    /**
     * Every open query locator expires now, as after 15 minutes without a call for its next page or
     * when the user opened ten more queries: the next {@code nextRecordsUrl} gets 400 {@code
     * INVALID_QUERY_LOCATOR}.
     */
    public synchronized void expireQueryLocators() {
        new ArrayList<>(cursors.keySet()).forEach(this::releaseCursor);
    }

    /** Calls refused for the concurrent long-running request limit. */
    public synchronized int concurrencyRefusals() {
        return concurrencyRefusals;
    }

    /**
     * The export link answers 302 with {@code Location: location} (null: serve the export again), as
     * a moved report or a misconfigured proxy would; a request for the location itself is served.
     */
    public synchronized void redirectExport(String location) {
        this.exportRedirect = location;
    }

    /**
     * The next {@code calls} requests of this kind (counted, then answered before anything else) get
     * {@code answer} instead of the org's: what a gateway, a proxy or a half-broken server sends, such
     * as an HTML page with 200, JSON cut off midway, a 429 with {@code Retry-After}, or a fault.
     */
    public synchronized void answerNext(Kind kind, int calls, ResponseDefinitionBuilder answer) {
        scripted.answerNext(kind.name(), calls, answer);
    }

    /**
     * Makes a picklist field restricted to {@code activeValues} (the other values it had stay, inactive),
     * as an admin checking "Restrict picklist to the values defined in the value set" would.
     */
    public synchronized void restrictPicklist(String name, String... activeValues) {
        FieldDef f = fields.get(name);
        f.picklist.replaceAll((v, active) -> false);
        for (String v : activeValues) {
            f.picklist.put(v, true);
        }
        f.restrictedPicklist = true;
    }

    /** Adds a value to a picklist, inactive (kept on old records, no longer offered or accepted). */
    public synchronized void inactivePicklistValue(String name, String value) {
        fields.get(name).picklist.put(value, false);
    }

    /** Removes a field from Contact (as if it was never created). */
    public synchronized void removeField(String name) {
        fields.remove(name);
    }

    /** Changes a field's type, e.g. a text opt-in field instead of a checkbox. */
    public synchronized void fieldType(String name, String type) {
        fields.get(name).type = type;
    }

    /** Makes a field read-only for the integration user (field-level security). */
    public synchronized void readOnly(String name) {
        FieldDef f = fields.get(name);
        f.createable = false;
        f.updateable = false;
    }

    /** The export's columns: heading to Contact field, in order. */
    public synchronized void exportColumns(Map<String, String> headingToField) {
        exportColumns.clear();
        exportColumns.putAll(headingToField);
    }

    // ----- what was asked of it -----

    public synchronized int requests(Kind kind) {
        return counts.getOrDefault(kind, 0);
    }

    public synchronized int totalRequests() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The size in bytes of the largest sObject Collections request body received. */
    public synchronized int largestWriteBody() {
        return largestWriteBody;
    }

    /**
     * Every access token a login was given, in order (also those expired since): for tests that check a
     * session token appears nowhere, whatever its form.
     */
    public synchronized List<String> issuedAccessTokens() {
        return List.copyOf(issuedTokens);
    }

    /** The SOQL statements received, decoded, in order. */
    public synchronized List<String> queries() {
        return List.copyOf(queries);
    }

    public synchronized void resetCounts() {
        counts.clear();
        queries.clear();
        largestWriteBody = 0;
    }

    @Override
    public void close() {
        server.stop();
    }

    // ----- serving -----

    private final class Handler implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            Request request = serveEvent.getRequest();
            ResponseDefinition answer;
            try {
                answer = serve(request);
            } catch (RuntimeException e) {
                answer = respond(500, "application/json", error("UNKNOWN_EXCEPTION", e.toString()), null).build();
            }
            long late = latencyMillis;
            return late > 0 ? ResponseDefinitionBuilder.like(answer).withFixedDelay((int) late).build() : answer;
        }

        @Override
        public String getName() {
            return "salesforce-simulator";
        }
    }

    private ResponseDefinition serve(Request request) {
        String url = request.getUrl();
        String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        Map<String, String> params = parseQuery(url.contains("?") ? url.substring(url.indexOf('?') + 1) : "");
        String method = request.getMethod().getName();
        int headerBytes = 0;
        for (HttpHeader h : request.getHeaders().all()) {
            headerBytes += h.key().length() + 2 + String.join(",", h.values()).length() + 2;
        }
        // Salesforce: at most 16,384 bytes for the URI and headers together (help article 000386264).
        if (url.length() > MAX_URI_AND_HEADERS) {
            return respond(414, "text/html", "<html><body>414 URI Too Long</body></html>", null).build();
        }
        if (url.length() + headerBytes > MAX_URI_AND_HEADERS) {
            return respond(431, "text/html", "<html><body>431 Request Header Fields Too Large</body></html>", null)
                    .build();
        }
        if (path.equals("/services/oauth2/token") && method.equals("POST")) {
            return token(request);
        }
        Matcher data = DATA_PATH.matcher(path);
        if (data.matches()) {
            return dataApi(request, method, data.group(1), data.group(2), params);
        }
        if (path.equals(REPORT_PATH) && method.equals("GET")) {
            return export(request);
        }
        return respond(404, "application/json", error("NOT_FOUND", "The requested resource does not exist"), null)
                .build();
    }

    private synchronized ResponseDefinition token(Request request) {
        count(Kind.LOGIN);
        ResponseDefinition scripted = answeredNext(Kind.LOGIN);
        if (scripted != null) {
            return scripted;
        }
        Map<String, String> form = parseQuery(request.getBodyAsString());
        if (takeLimitExceeded(Kind.LOGIN)) {
            return limitExceeded(null);
        }
        String echo = echoSecrets ? " (received password=" + form.getOrDefault("password", "") + ", client_secret="
                + form.getOrDefault("client_secret", "") + ")" : "";
        String grant = form.getOrDefault("grant_type", "");
        if (!grant.equals("password") && !grant.equals("client_credentials")) {
            return oauthError("unsupported_grant_type", "grant type not supported" + echo);
        }
        if (!CLIENT_ID.equals(form.get("client_id"))) {
            return oauthError("invalid_client_id", "client identifier invalid" + echo);
        }
        if (!CLIENT_SECRET.equals(form.get("client_secret"))) {
            return oauthError("invalid_client", "invalid client credentials" + echo);
        }
        if (grant.equals("password") && (!USERNAME.equals(form.get("username"))
                || !(password + securityToken).equals(form.get("password")))) {
            return oauthError("invalid_grant", "authentication failure" + echo);
        }
        String accessToken = "00DSIM000000001!" + UUID.randomUUID().toString().replace("-", "");
        sessions.add(accessToken);
        issuedTokens.add(accessToken);
        ObjectNode body = json.createObjectNode();
        body.put("access_token", accessToken);
        body.put("instance_url", baseUrl());
        body.put("id", baseUrl() + "/id/00DSIM000000001AAA/005SIM000000001AAA");
        body.put("token_type", "Bearer");
        body.put("issued_at", Long.toString(clock.millis()));
        body.put("signature", "c2ltdWxhdGVkLXNpZ25hdHVyZQ==");
        return respond(200, "application/json", body.toString(), null).build();
    }

    private ResponseDefinition oauthError(String error, String description) {
        ObjectNode body = json.createObjectNode();
        body.put("error", error);
        body.put("error_description", description);
        return respond(400, "application/json", body.toString(), null).build();
    }

    private synchronized ResponseDefinition dataApi(Request request, String method, String version, String resource,
            Map<String, String> params) {
        Kind kind = kindOf(method, resource);
        count(kind);
        ResponseDefinition scripted = answeredNext(kind);
        if (scripted != null) {
            return scripted;
        }
        String auth = Optional.ofNullable(request.getHeader("Authorization")).orElse("");
        String echo = echoSecrets ? " (request authorization: " + auth + ")" : "";
        if (!auth.startsWith("Bearer ") || !sessions.contains(auth.substring("Bearer ".length()))) {
            return respond(401, "application/json", error("INVALID_SESSION_ID", "Session expired or invalid" + echo),
                    limitInfo()).build();
        }
        if (concurrencyLimitReached(kind)) {
            return concurrencyLimitExceeded(limitInfo());
        }
        if (apiUsed >= apiMax || takeLimitExceeded(kind)) {
            return limitExceeded(limitInfo());
        }
        boolean kindFails = failNext.getOrDefault(kind, 0) > 0;
        if (kindFails && servedBeforeFailing.getOrDefault(kind, 0) > 0) {
            servedBeforeFailing.merge(kind, -1, Integer::sum);
            kindFails = false;
        }
        if (failNextCalls > 0 || kindFails) {
            if (failNextCalls > 0) {
                failNextCalls--;
            } else {
                failNext.merge(kind, -1, Integer::sum);
            }
            return respond(503, "application/json", error("SERVER_UNAVAILABLE", "Server busy" + echo), limitInfo())
                    .build();
        }
        apiUsed++;
        try {
            switch (kind) {
                case QUERY:
                    return query(request, version, params.getOrDefault("q", ""));
                case QUERY_MORE:
                    return queryMore(resource.substring("query/".length()), version);
                case COMPOSITE:
                    return composite(request);
                case DESCRIBE:
                    return respond(200, "application/json", describe().toString(), limitInfo()).build();
                case CREATE:
                case UPDATE:
                    return collection(request, kind == Kind.CREATE);
                default:
                    return respond(404, "application/json", error("NOT_FOUND",
                            "The requested resource does not exist"), limitInfo()).build();
            }
        } catch (SoqlException e) {
            return respond(400, "application/json", error(e.errorCode, e.getMessage() + echo), limitInfo()).build();
        }
    }

    /** The answer {@link #answerNext} set for this kind, or null. */
    private ResponseDefinition answeredNext(Kind kind) {
        return scripted.instead(kind.name()).orElse(null);
    }

    private boolean takeLimitExceeded(Kind kind) {
        if (limitExceededNext.getOrDefault(kind, 0) <= 0) {
            return false;
        }
        limitExceededNext.merge(kind, -1, Integer::sum);
        return true;
    }

    private boolean concurrencyLimitReached(Kind kind) {
        if (clock.instant().isBefore(longRunningUntil) && (longRunningKinds.isEmpty() || longRunningKinds.contains(kind))) {
            concurrencyRefusals++;
            return true;
        }
        return false;
    }

    private ResponseDefinition concurrencyLimitExceeded(String limitInfo) {
        return respond(403, "application/json", error("REQUEST_LIMIT_EXCEEDED",
                "ConcurrentPerOrgLongTxn Limit exceeded."), limitInfo).build();
    }

    private ResponseDefinition limitExceeded(String limitInfo) {
        return respond(403, "application/json", error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
                limitInfo).build();
    }

    private static Kind kindOf(String method, String resource) {
        if (method.equals("GET") && resource.equals("query")) {
            return Kind.QUERY;
        }
        if (method.equals("GET") && resource.startsWith("query/")) {
            return Kind.QUERY_MORE;
        }
        if (method.equals("GET") && resource.equals("sobjects/Contact/describe")) {
            return Kind.DESCRIBE;
        }
        if (resource.equals("composite/sobjects") && method.equals("POST")) {
            return Kind.CREATE;
        }
        if (resource.equals("composite") && method.equals("POST")) {
            return Kind.COMPOSITE;
        }
        if (resource.equals("composite/sobjects") && method.equals("PATCH")) {
            return Kind.UPDATE;
        }
        return Kind.OTHER;
    }

    // ----- query -----

    private ResponseDefinition query(Request request, String version, String soql) {
        ObjectNode page = openQuery(soql, version, pageSize(request.getHeader("Sforce-Query-Options")));
        return respond(200, "application/json", page.toString(), limitInfo()).build();
    }

    /**
     * "The default is 2,000; the minimum is 200, and the maximum is 2,000" ({@code Sforce-Query-Options:
     * batchSize=n}).
     */
    private static int pageSize(String options) {
        if (options != null) {
            Matcher m = Pattern.compile("batchSize=(\\d+)").matcher(options);
            if (m.find()) {
                return Math.max(200, Math.min(2000, Integer.parseInt(m.group(1))));
            }
        }
        return 2000;
    }

    /** Runs a statement and answers its first page, opening a query locator for the rest. */
    private ObjectNode openQuery(String soql, String version, int pageSize) {
        queries.add(soql);
        if (soql.length() > MAX_SOQL_CHARS) {
            // The wording orgs answer (django-salesforce/django-salesforce#164).
            throw new SoqlException("MALFORMED_QUERY", "SOQL statements can not be longer than " + MAX_SOQL_CHARS
                    + " characters");
        }
        SimulatedSoql.Query q = SimulatedSoql.parse(soql, this::fieldInfo);
        List<Map<String, Object>> rows = contacts.values().stream().filter(q.where()).sorted(q.order())
                .limit(q.limit()).<Map<String, Object>>map(LinkedHashMap::new).toList();
        String locator = "01gSIM" + String.format(Locale.ROOT, "%09d", nextCursor++);
        while (cursors.size() >= MAX_OPEN_LOCATORS) {
            releaseCursor(cursors.keySet().iterator().next()); // the oldest open one
        }
        cursors.put(locator, rows.iterator());
        cursorFields.put(locator, q.fields());
        cursorPageSizes.put(locator, pageSize);
        cursorOffsets.put(locator, 0);
        cursorTotals.put(locator, rows.size());
        return page(locator, version);
    }

    private ResponseDefinition queryMore(String locatorAndOffset, String version) {
        Optional<ObjectNode> page = nextPage(locatorAndOffset, version);
        if (page.isEmpty()) {
            return respond(400, "application/json", error("INVALID_QUERY_LOCATOR", "invalid query locator"), limitInfo())
                    .build();
        }
        return respond(200, "application/json", page.get().toString(), limitInfo()).build();
    }

    /** The next page of an open locator, or empty when Salesforce would answer INVALID_QUERY_LOCATOR. */
    private Optional<ObjectNode> nextPage(String locatorAndOffset, String version) {
        int dash = locatorAndOffset.lastIndexOf('-');
        String locator = dash < 0 ? locatorAndOffset : locatorAndOffset.substring(0, dash);
        Instant used = cursorLastUsed.get(locator);
        if (used != null && !clock.instant().isBefore(used.plus(LOCATOR_IDLE_EXPIRY))) {
            releaseCursor(locator);
        }
        if (!cursors.containsKey(locator) || dash < 0
                || !locatorAndOffset.substring(dash + 1).equals(cursorOffsets.get(locator).toString())) {
            return Optional.empty();
        }
        return Optional.of(page(locator, version));
    }

    private ObjectNode page(String locator, String version) {
        Iterator<Map<String, Object>> rows = cursors.get(locator);
        List<String> selected = cursorFields.get(locator);
        int size = cursorPageSizes.get(locator);
        ArrayNode records = json.createArrayNode();
        while (rows.hasNext() && records.size() < size) {
            records.add(record(rows.next(), selected, version));
        }
        int offset = cursorOffsets.get(locator) + records.size();
        cursorOffsets.put(locator, offset);
        cursorLastUsed.put(locator, clock.instant());
        ObjectNode body = json.createObjectNode();
        body.put("totalSize", cursorTotals.get(locator));
        boolean done = !rows.hasNext();
        body.put("done", done);
        if (!done) {
            body.put("nextRecordsUrl", "/services/data/v" + version + "/query/" + locator + "-" + offset);
        } else {
            releaseCursor(locator);
        }
        body.set("records", records);
        return body;
    }

    // ----- Composite -----

    /**
     * {@code POST composite}: the subrequests run in order and are answered together, with HTTP 200 whatever
     * they did, each result {@code {"body":...,"httpHeaders":{},"httpStatusCode":n,"referenceId":"..."}},
     * a failed one's body the REST error array (Composite Response Body). The whole request is one call
     * against the daily limit ("The entire series of requests counts as a single call toward your API
     * limits"). At most 25 subrequests, at most 5 of them queries or sObject Collections; a subrequest may
     * not set Accept, Authorization or Content-Type ("the top-level request fails and returns HTTP 400";
     * Send Multiple Requests Using Composite and Composite Request Body, REST API Developer Guide,
     * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html).
     * Salesforce documents those limits but not its answer past them: here a 400 {@code
     * INVALID_API_INPUT}-style error array, whose code and wording are this simulator's. It runs query
     * subrequests ({@code GET .../query/?q=} and {@code GET .../query/<locator>}); any other subrequest gets
     * 404 {@code NOT_FOUND}, and {@code allOrNone} has no rollback to do for them.
     */
    private ResponseDefinition composite(Request request) {
        JsonNode body;
        try {
            body = json.readTree(request.getBodyAsString());
        } catch (JsonProcessingException e) {
            return badRequest("JSON_PARSER_ERROR", "Unexpected character in the request body");
        }
        JsonNode subrequests = body == null ? null : body.get("compositeRequest");
        if (subrequests == null || !subrequests.isArray() || subrequests.isEmpty()) {
            return badRequest("JSON_PARSER_ERROR", "compositeRequest is required and must be a non-empty list");
        }
        if (subrequests.size() > MAX_SUBREQUESTS) {
            return badRequest("INVALID_API_INPUT", "(simulator) a Composite request takes at most " + MAX_SUBREQUESTS
                    + " subrequests; this one has " + subrequests.size());
        }
        int queryOperations = 0;
        for (JsonNode sub : subrequests) {
            String url = sub.path("url").asText("");
            if (url.contains("/query/") || url.contains("/queryAll/") || url.contains("/composite/sobjects")) {
                queryOperations++;
            }
            if (sub.path("method").asText("").isEmpty() || url.isEmpty() || sub.path("referenceId").asText("").isEmpty()) {
                return badRequest("INVALID_API_INPUT", "(simulator) every subrequest needs method, url and referenceId");
            }
            for (Iterator<String> names = sub.path("httpHeaders").fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (List.of("accept", "authorization", "content-type").contains(name.toLowerCase(Locale.ROOT))) {
                    return badRequest("INVALID_API_INPUT", "(simulator) a subrequest may not set " + name
                            + "; it is taken from the top-level request");
                }
            }
        }
        if (queryOperations > MAX_QUERY_SUBREQUESTS) {
            return badRequest("INVALID_API_INPUT", "(simulator) a Composite request takes at most "
                    + MAX_QUERY_SUBREQUESTS + " query or sObject Collections subrequests; this one has "
                    + queryOperations);
        }
        ArrayNode results = json.createArrayNode();
        for (JsonNode sub : subrequests) {
            ObjectNode result = results.addObject();
            String url = sub.path("url").asText();
            Matcher query = SUBREQUEST_QUERY.matcher(url);
            Matcher more = SUBREQUEST_QUERY_MORE.matcher(url);
            JsonNode answer;
            int status = 200;
            try {
                if (sub.path("method").asText().equals("GET") && query.matches()) {
                    String soql = parseQuery(query.group(2)).getOrDefault("q", "");
                    answer = openQuery(soql, query.group(1), pageSize(sub.path("httpHeaders")
                            .path("Sforce-Query-Options").asText(null)));
                } else if (sub.path("method").asText().equals("GET") && more.matches()) {
                    Optional<ObjectNode> page = nextPage(more.group(2), more.group(1));
                    status = page.isPresent() ? 200 : 400;
                    answer = page.isPresent() ? page.get()
                            : errorArray("INVALID_QUERY_LOCATOR", "invalid query locator");
                } else {
                    status = 404;
                    answer = errorArray("NOT_FOUND", "The requested resource does not exist");
                }
            } catch (SoqlException e) {
                status = 400;
                answer = errorArray(e.errorCode, e.getMessage());
            }
            result.set("body", answer);
            result.putObject("httpHeaders");
            result.put("httpStatusCode", status);
            result.put("referenceId", sub.path("referenceId").asText());
        }
        ObjectNode out = json.createObjectNode();
        out.set("compositeResponse", results);
        return respond(200, "application/json", out.toString(), limitInfo()).build();
    }

    private void releaseCursor(String locator) {
        cursors.remove(locator);
        cursorFields.remove(locator);
        cursorPageSizes.remove(locator);
        cursorOffsets.remove(locator);
        cursorTotals.remove(locator);
        cursorLastUsed.remove(locator);
    }

    private ObjectNode record(Map<String, Object> contact, List<String> selected, String version) {
        ObjectNode r = json.createObjectNode();
        ObjectNode attributes = r.putObject("attributes");
        attributes.put("type", "Contact");
        attributes.put("url", "/services/data/v" + version + "/sobjects/Contact/" + contact.get("Id"));
        for (String name : selected) {
            Object v = contact.get(name);
            if (v == null) {
                r.putNull(name);
            } else if (v instanceof Boolean) {
                r.put(name, (Boolean) v);
            } else if (v instanceof Instant) {
                r.put(name, DATETIME.format((Instant) v));
            } else {
                r.put(name, v.toString());
            }
        }
        return r;
    }

    private Optional<SimulatedSoql.FieldInfo> fieldInfo(String name) {
        return fields.values().stream().filter(f -> f.name.equalsIgnoreCase(name)).findFirst()
                .map(f -> new SimulatedSoql.FieldInfo(f.name, f.type, f.filterable));
    }

    private ObjectNode describe() {
        ObjectNode body = json.createObjectNode();
        body.put("name", "Contact");
        body.put("label", "Contact");
        ArrayNode list = body.putArray("fields");
        for (FieldDef f : fields.values()) {
            ObjectNode o = list.addObject();
            o.put("name", f.name);
            o.put("label", f.label);
            o.put("type", f.type);
            o.put("length", f.length);
            o.put("createable", f.createable);
            o.put("updateable", f.updateable);
            o.put("nillable", f.nillable);
            o.put("filterable", f.filterable);
            o.put("custom", f.name.endsWith("__c"));
            ArrayNode values = o.putArray("picklistValues");
            f.picklist.forEach((value, active) -> {
                ObjectNode v = values.addObject();
                v.put("active", active);
                v.put("defaultValue", false);
                v.put("label", value);
                v.putNull("validFor");
                v.put("value", value);
            });
            o.put("restrictedPicklist", f.restrictedPicklist);
        }
        return body;
    }

    // ----- sObject Collections -----

    private ResponseDefinition collection(Request request, boolean create) {
        largestWriteBody = Math.max(largestWriteBody, request.getBody().length);
        JsonNode body;
        try {
            body = json.readTree(request.getBodyAsString());
        } catch (JsonProcessingException e) {
            return badRequest("JSON_PARSER_ERROR", "Unexpected character in the request body");
        }
        JsonNode records = body == null ? null : body.get("records");
        if (records == null || !records.isArray()) {
            return badRequest("JSON_PARSER_ERROR", "records is required and must be a list");
        }
        if (records.size() > 200) {
            return badRequest("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into"
                    + " this call");
        }
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        // Parse and check every record before changing anything, as one transaction.
        List<Map<String, Object>> changes = new ArrayList<>();
        for (JsonNode record : records) {
            if (!"Contact".equals(record.path("attributes").path("type").asText())) {
                return badRequest("INVALID_TYPE", "Each record needs attributes.type; this simulator knows Contact");
            }
            Map<String, Object> change = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : record.properties()) {
                String name = e.getKey();
                if (name.equals("attributes")) {
                    continue;
                }
                if (name.equalsIgnoreCase("id")) {
                    change.put("Id", e.getValue().isNull() ? null : e.getValue().asText());
                    continue;
                }
                FieldDef f = fields.values().stream().filter(d -> d.name.equalsIgnoreCase(name)).findFirst().orElse(null);
                if (f == null) {
                    return badRequest("INVALID_FIELD", "No such column '" + name + "' on sobject of type Contact");
                }
                JsonNode v = e.getValue();
                if ("boolean".equals(f.type) && !v.isNull() && !v.isBoolean()) {
                    return badRequest("JSON_PARSER_ERROR", "Cannot deserialize instance of boolean from " + v.getNodeType()
                            + " value " + v.asText() + " at [field " + f.name + "]");
                }
                change.put(f.name, v.isNull() ? null : v.isBoolean() ? (Object) v.asBoolean() : v.asText());
            }
            changes.add(change);
        }
        List<ObjectNode> results = new ArrayList<>();
        List<Runnable> apply = new ArrayList<>();
        boolean anyFailed = false;
        for (Map<String, Object> change : changes) {
            Optional<ObjectNode> problem = create ? checkCreate(change) : checkUpdate(change);
            if (problem.isPresent()) {
                anyFailed = true;
                results.add(failure(problem.get()));
                continue;
            }
            String id = create ? newId() : (String) change.get("Id");
            results.add(success(id));
            apply.add(() -> applyChange(id, change, create));
        }
        if (allOrNone && anyFailed) {
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).path("success").asBoolean()) {
                    ObjectNode rolledBack = json.createObjectNode();
                    rolledBack.put("statusCode", "ALL_OR_NONE_OPERATION_ROLLED_BACK");
                    rolledBack.put("message", ROLLED_BACK);
                    rolledBack.putArray("fields");
                    results.set(i, failure(rolledBack));
                }
            }
        } else {
            apply.forEach(Runnable::run);
        }
        if (dropConnectionAfterNextWrite) {
            dropConnectionAfterNextWrite = false;
            return ResponseDefinitionBuilder.responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
        }
        ArrayNode out = json.createArrayNode();
        results.forEach(out::add);
        return respond(200, "application/json", out.toString(), limitInfo()).build();
    }

    private Optional<ObjectNode> checkCreate(Map<String, Object> change) {
        if (change.containsKey("Id")) {
            return Optional.of(recordError("INVALID_FIELD", "cannot specify Id in an insert call", "Id"));
        }
        Object last = change.get("LastName");
        if (last == null || last.toString().isBlank()) {
            return Optional.of(recordError("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]",
                    "LastName"));
        }
        return checkValues(change, true);
    }

    private Optional<ObjectNode> checkUpdate(Map<String, Object> change) {
        Object id = change.get("Id");
        if (id == null) {
            return Optional.of(recordError("MISSING_ARGUMENT", "Id not specified in an update call"));
        }
        String id18 = SalesforceIds.to18(id.toString()).orElse("");
        if (!contacts.containsKey(id18)) {
            return Optional.of(recordError("ENTITY_IS_DELETED", "entity is deleted"));
        }
        change.put("Id", id18);
        if (change.containsKey("LastName") && (change.get("LastName") == null
                || change.get("LastName").toString().isBlank())) {
            return Optional.of(recordError("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]",
                    "LastName"));
        }
        return checkValues(change, false);
    }

    private Optional<ObjectNode> checkValues(Map<String, Object> change, boolean create) {
        for (Map.Entry<String, Object> e : change.entrySet()) {
            if (e.getKey().equals("Id")) {
                continue;
            }
            FieldDef f = fields.get(e.getKey());
            if (create ? !f.createable : !f.updateable) {
                return Optional.of(recordError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to " + (create ? "create"
                        : "update") + " fields: " + f.name + ". Please check the security settings of this field and"
                        + " verify that it is read/write for your profile or permission set.", f.name));
            }
            Object v = e.getValue();
            if (v instanceof String) {
                String s = (String) v;
                if ("email".equals(f.type) && !EMAIL.matcher(s).matches()) {
                    return Optional.of(recordError("INVALID_EMAIL_ADDRESS", f.label + ": invalid email address: " + s,
                            f.name));
                }
                if (f.restrictedPicklist && !Boolean.TRUE.equals(f.picklist.get(s))) {
                    return Optional.of(recordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f.label + ": bad value"
                            + " for restricted picklist field: " + s, f.name));
                }
                // Lengths count Unicode characters, not bytes (describe's length; Salesforce Help 000381913).
                if (f.length > 0 && s.codePointCount(0, s.length()) > f.length) {
                    return Optional.of(recordError("STRING_TOO_LONG", f.label + ": data value too large: " + s
                            + " (max length=" + f.length + ")", f.name));
                }
            }
        }
        return Optional.empty();
    }

    private void applyChange(String id, Map<String, Object> change, boolean create) {
        Map<String, Object> c = create ? new LinkedHashMap<>() : contacts.get(id);
        Instant now = now();
        if (create) {
            c.put("Id", id);
            fields.values().stream().filter(f -> "boolean".equals(f.type)).forEach(f -> c.put(f.name, Boolean.FALSE));
            c.put("CreatedDate", now);
            contacts.put(id, c);
        }
        change.forEach((k, v) -> {
            if (!k.equals("Id")) {
                if (v == null) {
                    c.remove(k);
                } else {
                    c.put(k, v);
                }
            }
        });
        c.put("LastModifiedDate", now);
        c.put("SystemModstamp", now);
    }

    private ObjectNode success(String id) {
        ObjectNode r = json.createObjectNode();
        r.put("id", id);
        r.put("success", true);
        r.putArray("errors");
        return r;
    }

    private ObjectNode failure(ObjectNode error) {
        ObjectNode r = json.createObjectNode();
        r.put("success", false);
        r.putArray("errors").add(error);
        return r;
    }

    private ObjectNode recordError(String statusCode, String message, String... fieldNames) {
        ObjectNode e = json.createObjectNode();
        e.put("statusCode", statusCode);
        e.put("message", message);
        ArrayNode list = e.putArray("fields");
        for (String f : fieldNames) {
            list.add(f);
        }
        return e;
    }

    private ResponseDefinition badRequest(String errorCode, String message) {
        return respond(400, "application/json", error(errorCode, message), limitInfo()).build();
    }

    // ----- report export -----

    private synchronized ResponseDefinition export(Request request) {
        count(Kind.EXPORT);
        ResponseDefinition scripted = answeredNext(Kind.EXPORT);
        if (scripted != null) {
            return scripted;
        }
        if (concurrencyLimitReached(Kind.EXPORT)) {
            return concurrencyLimitExceeded(null);
        }
        if (takeLimitExceeded(Kind.EXPORT)) {
            return limitExceeded(null);
        }
        // A request already at the redirect's target is served, as a moved report would be.
        if (exportRedirect != null && !exportRedirect.endsWith(request.getUrl())) {
            return ResponseDefinitionBuilder.responseDefinition().withStatus(302).withHeader("Location", exportRedirect)
                    .build();
        }
        String auth = Optional.ofNullable(request.getHeader("Authorization")).orElse("");
        String sid = request.getCookies().containsKey("sid") ? request.getCookies().get("sid").getValue() : "";
        boolean valid = sessions.contains(sid)
                || (auth.startsWith("Bearer ") && sessions.contains(auth.substring("Bearer ".length())));
        if (!valid) {
            // The UI's export link answers an unknown session with the login page.
            return respond(200, "text/html;charset=UTF-8", "<!DOCTYPE html><html><head><title>Login | Salesforce"
                    + "</title></head><body><form name=\"login\"></form></body></html>", null).build();
        }
        StringBuilder csv = new StringBuilder();
        csv.append(csvRow(new ArrayList<>(exportColumns.keySet())));
        for (Map<String, Object> c : contacts.values()) {
            List<String> values = new ArrayList<>();
            for (String field : exportColumns.values()) {
                Object v = c.get(field);
                if (field.equals("Id")) {
                    values.add(v.toString().substring(0, 15)); // reports show the 15-character id
                } else if (v instanceof Boolean) {
                    values.add((Boolean) v ? "1" : "0");
                } else {
                    values.add(v == null ? "" : v.toString());
                }
            }
            csv.append(csvRow(values));
        }
        // The footer Salesforce appends after the data (reference notes, Part A9).
        csv.append('\n');
        csv.append("\"Grand Totals (").append(contacts.size()).append(" records)\"\n");
        csv.append('\n');
        csv.append("\"Confidential Information - Do Not Distribute\"\n");
        csv.append('\n');
        csv.append("\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n");
        return respond(200, "text/csv;charset=UTF-8", csv.toString(), null).build();
    }

    private static String csvRow(List<String> values) {
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                row.append(',');
            }
            row.append('"').append(values.get(i).replace("\"", "\"\"")).append('"');
        }
        return row.append('\n').toString();
    }

    // ----- helpers -----

    private void count(Kind kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    private String limitInfo() {
        return "api-usage=" + apiUsed + "/" + apiMax;
    }

    private ResponseDefinitionBuilder respond(int status, String contentType, String body, String limitInfo) {
        ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", contentType).withBody(body);
        if (limitInfo != null) {
            b.withHeader("Sforce-Limit-Info", limitInfo);
        }
        return b;
    }

    private String error(String errorCode, String message) {
        return errorArray(errorCode, message).toString();
    }

    private ArrayNode errorArray(String errorCode, String message) {
        ArrayNode array = json.createArrayNode();
        ObjectNode e = array.addObject();
        e.put("message", message);
        e.put("errorCode", errorCode);
        return array;
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> params = new TreeMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Ids in creation order, 18 characters, with a valid case suffix. */
    private String newId() {
        String id15 = "003" + String.format(Locale.ROOT, "%012d", nextId++);
        return SalesforceIds.to18(id15).orElseThrow();
    }

    private Map<String, Object> requireContact(String id) {
        Map<String, Object> c = contacts.get(SalesforceIds.to18(id).orElse(id));
        if (c == null) {
            throw new IllegalArgumentException("no contact " + id);
        }
        return c;
    }

    private void put(Map<String, Object> contact, String field, Object value) {
        FieldDef f = fields.get(field);
        if (f == null) {
            throw new IllegalArgumentException("Contact has no field " + field);
        }
        if (value == null || value.toString().isEmpty()) {
            contact.remove(field);
        } else if ("boolean".equals(f.type)) {
            contact.put(field, value instanceof Boolean ? value : Boolean.valueOf(value.toString()));
        } else {
            contact.put(field, value.toString());
        }
    }

    private void defineContactFields() {
        def("Id", "Contact ID", "id", 18, false, false, false, true);
        def("FirstName", "First Name", "string", 40, true, true, true, true);
        def("LastName", "Last Name", "string", 80, true, true, false, true);
        def("Email", "Email", "email", 80, true, true, true, true);
        def("Phone", "Business Phone", "phone", 40, true, true, true, true);
        def("MobilePhone", "Mobile Phone", "phone", 40, true, true, true, true);
        def("MailingStreet", "Mailing Street", "textarea", 255, true, true, true, false);
        def("MailingCity", "Mailing City", "string", 40, true, true, true, true);
        def("MailingState", "Mailing State/Province", "string", 80, true, true, true, true);
        def("MailingPostalCode", "Mailing Zip/Postal Code", "string", 20, true, true, true, true);
        def("MailingCountry", "Mailing Country", "string", 80, true, true, true, true);
        def("LeadSource", "Lead Source", "picklist", 255, true, true, true, true);
        // The standard Lead Source values of a new org; unrestricted, so other values are accepted too.
        for (String v : List.of("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")) {
            fields.get("LeadSource").picklist.put(v, true);
        }
        def("HasOptedOutOfEmail", "Email Opt Out", "boolean", 0, true, true, false, true);
        def("Mobile_Subscriber__c", "Mobile Subscriber", "boolean", 0, true, true, false, true);
        def("CreatedDate", "Created Date", "datetime", 0, false, false, false, true);
        def("LastModifiedDate", "Last Modified Date", "datetime", 0, false, false, false, true);
        def("SystemModstamp", "System Modstamp", "datetime", 0, false, false, false, true);
    }

    private void def(String name, String label, String type, int length, boolean createable, boolean updateable,
            boolean nillable, boolean filterable) {
        fields.put(name, new FieldDef(name, label, type, length, createable, updateable, nillable, filterable));
    }
}
