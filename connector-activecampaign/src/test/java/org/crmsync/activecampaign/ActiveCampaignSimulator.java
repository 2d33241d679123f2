package org.crmsync.activecampaign;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.crmsync.testing.sim.CallCounts;
import org.crmsync.testing.sim.RateWindow;
import org.crmsync.testing.sim.ScriptedFaults;

/**
 * A stateful ActiveCampaign API v3 on WireMock, for tests and the examples. Contacts (with custom field
 * values and list statuses), custom fields, lists, {@code contact/sync}, {@code PUT contacts/{id}}, list
 * status, field value search, the bulk importer and {@code import/info} behave as the v3 reference
 * documents them (shared/reference/salesforce-activecampaign-api.md Part B): ids and counts are strings,
 * pages are {@code limit} (default 20, max 100) and {@code offset} or {@code id_greater}, side-loading
 * with {@code include}, unknown parameters silently ignored, an empty string wipes a field, one contact
 * per email, no re-subscription through the importer, {@code import/info} statuses as documented
 * ({@code false} in the first second, {@code active}, then {@code completed}, or {@code failed} /
 * {@code interrupted} with {@link #importEndsAs}), {@code exclude_automations} recorded ({@link
 * #automationsRunOn}), the importer's 20 single-contact and 100 multi-contact imports per 60 seconds
 * answered above with 400 {@code "Rate limit exceeded."}, {@code Api-Token} checked (403 otherwise), and 5
 * requests per second answered above with 429 and {@code Retry-After: 1}.
 *
 * <p>Time comes from the clock given (a test's mutable clock), so the rate limit and the importer's
 * delay follow the test's time, not the wall clock. Every request is counted by method and path.
 */
public final class ActiveCampaignSimulator implements AutoCloseable {
    public static final String TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    /** The account's time zone offset, as ActiveCampaign prints it in cdate/udate. */
    public static final ZoneOffset ACCOUNT_OFFSET = ZoneOffset.ofHours(-5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Clock clock;
    private final WireMockServer server;

    // ----- state, guarded by this -----
    private final TreeMap<Long, Contact> contacts = new TreeMap<>();
    private final Map<String, Field> fields = new LinkedHashMap<>();
    private final Map<String, String> lists = new LinkedHashMap<>();
    private final Map<String, Exclusion> exclusions = new LinkedHashMap<>();
    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private final Deque<Instant> singleContactImports = new ArrayDeque<>();
    private final Deque<Instant> multiContactImports = new ArrayDeque<>();
    private int importsRefusedForRate;
    private final CallCounts counts = new CallCounts();
    private final List<String> log = new ArrayList<>();
    private final List<JsonNode> writeBodies = new ArrayList<>();
    private final Set<String> ignoredParameters = new HashSet<>();
    private long nextContactId = 100;
    private long nextFieldId = 1;
    private long nextListId = 1;
    private long nextFieldValueId = 1000;
    private long nextBatch = 1;
    private long nextExclusionId = 1;
    private boolean exclusionListDenied;
    private final RateWindow window;
    /** When the request being served arrived. */
    private Instant arrivedAt;
    private int resubscribed;
    private final List<String> automationsRunOn = new ArrayList<>();
    private int failNextCount;
    private int failNextStatus;
    private final Deque<ResponseDefinition> answerNext = new ArrayDeque<>();
    private final ScriptedFaults faults = new ScriptedFaults(ResponseDefinitionBuilder.like(
            json(503, error("Service Unavailable"))));
    private String token = TOKEN;
    private Duration importDelay = Duration.ofSeconds(1);
    private Predicate<String> importFails = e -> false;
    private String importEndStatus = "completed";
    private String nextImportEndStatus;
    private final Map<String, Runnable> beforeNext = new HashMap<>();
    private volatile Duration latency = Duration.ZERO;

    private static final class Contact {
        final long id;
        String email = "";
        String firstName = "";
        String lastName = "";
        String phone = "";
        Instant cdate;
        Instant udate;
        final Map<String, String> values = new LinkedHashMap<>();
        final Map<String, Long> valueIds = new LinkedHashMap<>();
        final Map<String, String> listStatus = new LinkedHashMap<>();

        Contact(long id) {
            this.id = id;
        }
    }

    private record Field(String id, String title, String perstag, String type) {
    }

    /** An entry of the exclusion list; {@code matchType} exact, begin or end; {@code channel} all, allEmail, allSms, several. */
    private record Exclusion(String id, String matchPhrase, String matchType, String channel, List<String> lists) {
        boolean coversEmail(String email) {
            if (email == null || channel.equals("allSms")) {
                return false;
            }
            String e = email.trim().toLowerCase(Locale.ROOT);
            String phrase = matchPhrase.toLowerCase(Locale.ROOT);
            switch (matchType) {
                case "exact": return e.equals(phrase);
                case "begin": return e.startsWith(phrase);
                case "end": return e.endsWith(phrase);
                default: return false;
            }
        }
    }

    private static final class Batch {
        final String id;
        final Instant queued;
        final Instant due;
        final JsonNode contacts;
        String endStatus;
        boolean done;
        String status = "completed";
        final List<String> success = new ArrayList<>();
        final List<String> failure = new ArrayList<>();

        Batch(String id, Instant queued, Instant due, JsonNode contacts) {
            this.id = id;
            this.queued = queued;
            this.due = due;
            this.contacts = contacts;
        }
    }

    private ActiveCampaignSimulator(Clock clock) {
        this.clock = clock;
        this.window = new RateWindow(clock, 5);
        this.server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(new Handler()));
        server.start();
        server.stubFor(any(urlPathMatching("/api/3/.*")).willReturn(aResponse().withTransformers(Handler.NAME)));
    }

    /** Starts a simulator on a free local port; time comes from {@code clock}. */
    public static ActiveCampaignSimulator start(Clock clock) {
        return new ActiveCampaignSimulator(clock);
    }

    /** The API URL as Settings > Developer shows it, with {@code /api/3}. */
    public String apiUrl() {
        return server.baseUrl() + "/api/3";
    }

    /** A connector configuration for this simulator: its URL and token, and the list given. */
    public Map<String, String> config(String list) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(ActiveCampaignConfig.API_URL, apiUrl());
        c.put(ActiveCampaignConfig.API_TOKEN, TOKEN);
        c.put(ActiveCampaignConfig.LIST, list);
        return c;
    }

    @Override
    public void close() {
        server.stop();
    }

    // ----- arranging, as a user of the ActiveCampaign app would -----

    /** Adds a custom contact field; returns its id. */
    public synchronized String addField(String title, String perstag) {
        return addField(title, perstag, "text");
    }

    public synchronized String addField(String title, String perstag, String type) {
        String id = Long.toString(nextFieldId++);
        fields.put(id, new Field(id, title, perstag, type));
        return id;
    }

    /**
     * Adds the custom fields of the SONIS preset ({@link ActiveCampaignMapping#sonisPreset()}), with
     * the titles of the seed's table and the personalization tags ActiveCampaign derives from them;
     * returns their ids by perstag.
     */
    public synchronized Map<String, String> addSonisFields() {
        Map<String, String> ids = new LinkedHashMap<>();
        String[][] table = {
            {"HS Grad Date", "HS_GRAD_DATE", "date"}, {"Preferred Name", "PREFERRED_NAME", "text"},
            {"Birthdate", "BIRTHDATE", "date"}, {"Lead Provider", "LEAD_PROVIDER", "text"},
            {"Subscribed Date", "SUBSCRIBED_DATE", "date"}, {"Opportunity Created By", "OPPORTUNITY_CREATED_BY", "text"},
            {"How did you hear about institution?", "HOW_DID_YOU_HEAR_ABOUT_INSTITUTION", "text"},
            {"Admissions Rep", "ADMISSIONS_REP", "text"}, {"Home Address", "HOME_ADDRESS", "text"},
            {"Home City", "HOME_CITY", "text"}, {"Home State", "HOME_STATE", "text"},
            {"Home Zip Code/Postal Code", "HOME_ZIP_CODEPOSTAL_CODE", "text"}, {"Personal Email", "PERSONAL_EMAIL", "text"},
            {"Home Phone", "HOME_PHONE", "text"}, {"Prospect Status", "PROSPECT_STATUS", "dropdown"},
            {"Program of Interest", "PROGRAM_OF_INTEREST", "text"}, {"Start Date", "START_DATE", "date"},
            {"Start Term", "START_TERM", "text"}, {"Okay to Text", "OKAY_TO_TEXT", "text"},
            {"High School Name", "HIGH_SCHOOL_NAME", "text"}, {"SONIS_ID", "SONIS_ID", "text"}};
        for (String[] row : table) {
            ids.put(row[1], addField(row[0], row[1], row[2]));
        }
        return ids;
    }

    /** Adds a list; returns its id. */
    public synchronized String addList(String name) {
        String id = Long.toString(nextListId++);
        lists.put(id, name);
        return id;
    }

    /**
     * Adds an entry to the account's exclusion list (Contacts > List Exclusions), as a user would: the
     * address, or its beginning or end ({@code matchType} {@code exact}, {@code begin}, {@code end}), kept
     * out on {@code channel} ({@code all}, {@code allEmail}, {@code allSms}, or {@code several} with list
     * ids). The bulk importer skips an email address an entry covers (SMS-only entries aside), listing it
     * neither as imported nor as failed. Returns the entry's id.
     */
    public synchronized String addExclusion(String matchPhrase, String matchType, String channel, String... listIds) {
        String id = Long.toString(nextExclusionId++);
        exclusions.put(id, new Exclusion(id, matchPhrase, matchType, channel, List.of(listIds)));
        return id;
    }

    /**
     * The token's user may not read the exclusion list: {@code GET lists/exclusions} answers 403 "You
     * don't have permission to access this resource", the answer the exclusions reference shows for a
     * user without the permission (update-an-exclusion).
     */
    public synchronized ActiveCampaignSimulator denyExclusionList() {
        this.exclusionListDenied = true;
        return this;
    }

    /** Adds a contact; returns its id. */
    public synchronized String addContact(String email, String firstName, String lastName) {
        Contact c = newContact();
        c.email = email;
        c.firstName = firstName;
        c.lastName = lastName;
        return Long.toString(c.id);
    }

    /** Sets a contact's field as a user would: {@code email}, {@code firstName}, {@code lastName}, {@code phone} or a custom field's perstag. */
    public synchronized ActiveCampaignSimulator edit(String contactId, String field, String value) {
        Contact c = existing(contactId);
        switch (field) {
            case "email": c.email = value; break;
            case "firstName": c.firstName = value; break;
            case "lastName": c.lastName = value; break;
            case "phone": c.phone = value; break;
            default:
                String id = fieldByPerstag(field).orElseThrow(() -> new IllegalArgumentException("no field " + field)).id();
                setValue(c, id, value);
        }
        c.udate = now();
        return this;
    }

    /** Sets a contact's status on a list (1 active, 2 unsubscribed, ...), as the contact or a user would. */
    public synchronized ActiveCampaignSimulator listStatus(String contactId, String listId, int status) {
        Contact c = existing(contactId);
        c.listStatus.put(listId, Integer.toString(status));
        c.udate = now();
        return this;
    }

    // ----- behaviour -----

    /** Requests per second before 429; 0 switches the limit off. */
    public synchronized ActiveCampaignSimulator rateLimit(int perSecond) {
        window.perSecond(perSecond);
        return this;
    }

    /** Makes the simulator ignore a query parameter, as ActiveCampaign ignores those it does not apply. */
    public synchronized ActiveCampaignSimulator ignoreParameter(String name) {
        ignoredParameters.add(name);
        return this;
    }

    /** How long after submission a bulk import completes (default 1 s). */
    public synchronized ActiveCampaignSimulator importDelay(Duration delay) {
        this.importDelay = delay;
        return this;
    }

    /**
     * The status imports end with once due: {@code completed} (the default), or {@code failed} /
     * {@code interrupted}, the importer giving the batch up without importing anything.
     */
    public synchronized ActiveCampaignSimulator importEndsAs(String status) {
        this.importEndStatus = status;
        return this;
    }

    /** Only the next import queued ends with {@code status} ({@code failed} or {@code interrupted}); the others as before. */
    public synchronized ActiveCampaignSimulator nextImportEndsAs(String status) {
        this.nextImportEndStatus = status;
        return this;
    }

    /**
     * Runs {@code action} when the next {@code POST contact/sync} arrives, before it is applied: another
     * integration of the account (or the contact on a form) acting between a lookup and a write, e.g.
     * creating the contact with the same email and unsubscribing it.
     */
    public synchronized ActiveCampaignSimulator beforeNextContactSync(Runnable action) {
        return beforeNext("POST /contact/sync", action);
    }

    /**
     * Runs {@code action} when the next request of this kind ({@code METHOD /path}, as {@link
     * #requests(String)} counts them) arrives, before it is applied: another integration of the account
     * acting meanwhile, e.g. creating a contact while an import is being sent.
     */
    public synchronized ActiveCampaignSimulator beforeNext(String kind, Runnable action) {
        beforeNext.put(kind, action);
        return this;
    }

    /**
     * Every answer this much later from now on (WireMock's fixed delay), as over the internet; the state
     * changes at once, only the answer waits. Zero (the default) answers at once.
     */
    public ActiveCampaignSimulator latency(Duration late) {
        this.latency = late;
        return this;
    }

    /**
     * Another integration of the account requests {@code imports} multi-contact bulk imports now: they
     * count against the importer's limit of 100 a minute as ours do.
     */
    public synchronized ActiveCampaignSimulator importsElsewhere(int imports) {
        for (int i = 0; i < imports; i++) {
            multiContactImports.addLast(clock.instant());
        }
        return this;
    }

    /** Contacts whose email matches are listed as failures by the importer. */
    public synchronized ActiveCampaignSimulator importFails(Predicate<String> email) {
        this.importFails = email;
        return this;
    }

    /** The next {@code times} requests are answered with {@code status} (e.g. 503) before anything else. */
    public synchronized ActiveCampaignSimulator failNext(int status, int times) {
        this.failNextStatus = status;
        this.failNextCount = times;
        return this;
    }

    /**
     * The next {@code times} requests (counted, then answered before anything else) get {@code answer}:
     * what a proxy, a gateway or a half-broken server sends, such as an HTML page with 200, JSON cut off
     * midway, a 429 with a long {@code Retry-After}, or a fault.
     */
    public synchronized ActiveCampaignSimulator answerNext(int times, ResponseDefinitionBuilder answer) {
        for (int i = 0; i < times; i++) {
            answerNext.add(answer.build());
        }
        return this;
    }

    /**
     * The next {@code times} requests of one kind ({@code METHOD /path}, ids as {@code {id}}, as
     * {@link #requests(String)} counts them) get {@code answer}; the request is not applied.
     */
    public synchronized ActiveCampaignSimulator answerNext(String kind, int times, ResponseDefinitionBuilder answer) {
        faults.answerNext(kind, times, answer);
        return this;
    }

    /** Every request of this kind answers 503 until {@link #clearFaults()}. */
    public synchronized ActiveCampaignSimulator down(String kind) {
        faults.down(kind);
        return this;
    }

    /**
     * The next request of this kind is applied (a contact synced, an import queued), and then the
     * connection is reset before the answer goes out: the client cannot know whether it landed.
     */
    public synchronized ActiveCampaignSimulator applyThenDropNext(String kind) {
        faults.applyThenDropNext(kind);
        return this;
    }

    /** Scripted answers and dropped connections no request has met yet. */
    public synchronized int faultsPending() {
        return answerNext.size() + faults.pending();
    }

    /** Every scripted answer, failure, outage and dropped connection still pending is called off. */
    public synchronized void clearFaults() {
        answerNext.clear();
        faults.clear();
        failNextCount = 0;
    }

    /** From now on only this token is accepted (the configured one gets 403). */
    public synchronized ActiveCampaignSimulator acceptOnlyToken(String value) {
        this.token = value;
        return this;
    }

    // ----- inspecting -----

    public synchronized int contactCount() {
        return contacts.size();
    }

    public synchronized List<String> contactIds() {
        return contacts.keySet().stream().map(String::valueOf).toList();
    }

    public synchronized List<String> contactIdsWithEmail(String email) {
        return contacts.values().stream().filter(c -> c.email.equalsIgnoreCase(email)).map(c -> Long.toString(c.id))
                .toList();
    }

    /** A contact's value: {@code email}, {@code firstName}, {@code lastName}, {@code phone} or a custom field's perstag. */
    public synchronized Optional<String> value(String contactId, String field) {
        Contact c = existing(contactId);
        String v;
        switch (field) {
            case "email": v = c.email; break;
            case "firstName": v = c.firstName; break;
            case "lastName": v = c.lastName; break;
            case "phone": v = c.phone; break;
            default:
                v = fieldByPerstag(field).map(f -> c.values.get(f.id())).orElse(null);
        }
        return Optional.ofNullable(v).filter(s -> !s.isEmpty());
    }

    public synchronized Optional<String> listStatusOf(String contactId, String listId) {
        return Optional.ofNullable(existing(contactId).listStatus.get(listId));
    }

    /** Requests by {@code METHOD /path}, ids in paths as {@code {id}}, e.g. {@code GET /contacts}. */
    public synchronized int requests(String methodAndPath) {
        return counts.of(methodAndPath);
    }

    public synchronized int totalRequests() {
        return counts.total();
    }

    public synchronized Map<String, Integer> requestCounts() {
        return counts.all();
    }

    /** Requests refused with 429 for exceeding the rate limit. */
    public synchronized int throttled() {
        return window.refused();
    }

    /**
     * The contacts the bulk importer ran the account's automations on, in order: each one it imported
     * without {@code exclude_automations: true}.
     */
    public synchronized List<String> automationsRunOn() {
        return List.copyOf(automationsRunOn);
    }

    /** Bulk imports refused with 400 "Rate limit exceeded." for the importer's own limits. */
    public synchronized int importsRefusedForRate() {
        return importsRefusedForRate;
    }

    /** Times a contact went from unsubscribed (2) back to active (1). */
    public synchronized int resubscriptions() {
        return resubscribed;
    }

    /** Each request as {@code METHOD path?query} (decoded), in order. */
    public synchronized List<String> requestLog() {
        return List.copyOf(log);
    }

    /** The JSON bodies of every write (sync, update, list status, bulk import), in order. */
    public synchronized List<JsonNode> writeBodies() {
        return List.copyOf(writeBodies);
    }

    public synchronized void resetCounts() {
        counts.reset();
        log.clear();
        writeBodies.clear();
        window.resetCount();
    }

    // ----- the API -----

    private final class Handler implements ResponseDefinitionTransformerV2 {
        static final String NAME = "activecampaign-simulator";

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            ResponseDefinition answer;
            Instant arrived = clock.instant(); // before waiting for the requests being served
            synchronized (ActiveCampaignSimulator.this) {
                arrivedAt = arrived;
                try {
                    answer = handle(event.getRequest());
                } catch (Reply r) {
                    answer = r.response;
                } catch (IOException | RuntimeException e) {
                    answer = json(500, error("simulator failure: " + e));
                }
            }
            Duration late = latency;
            return late.isZero() ? answer
                    : ResponseDefinitionBuilder.like(answer).withFixedDelay((int) late.toMillis()).build();
        }

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }

    /** A response thrown from deep inside a handler. */
    private static final class Reply extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ResponseDefinition response;

        Reply(ResponseDefinition response) {
            super(null, null, false, false);
            this.response = response;
        }
    }

    private ResponseDefinition handle(Request request) throws IOException {
        String url = request.getUrl();
        int q = url.indexOf('?');
        String path = (q < 0 ? url : url.substring(0, q)).substring("/api/3".length());
        Map<String, List<String>> query = parseQuery(q < 0 ? "" : url.substring(q + 1));
        String method = request.getMethod().getName();
        String key = method + " " + path.replaceAll("/[0-9]+", "/{id}");
        counts.count(key);
        log.add(method + " " + path + (q < 0 ? "" : "?" + URLDecoder.decode(url.substring(q + 1), StandardCharsets.UTF_8)));
        applyDueImports();
        if (!answerNext.isEmpty()) {
            return answerNext.poll();
        }
        Optional<ResponseDefinition> scripted = faults.instead(key);
        if (scripted.isPresent()) {
            return scripted.get();
        }
        if (faults.dropAfter(key)) {
            handleApi(request, key, method, path, query); // applied; the answer never arrives
            return ScriptedFaults.droppedConnection();
        }
        return handleApi(request, key, method, path, query);
    }

    private ResponseDefinition handleApi(Request request, String key, String method, String path,
            Map<String, List<String>> query) throws IOException {
        if (failNextCount > 0) {
            failNextCount--;
            return json(failNextStatus, error("Service Unavailable"));
        }
        if (!window.admit(arrivedAt)) {
            // 5 requests per second per account; above it 429 with Retry-After (rate-limits reference).
            return ResponseDefinitionBuilder.responseDefinition().withStatus(429).withHeader("Retry-After", "1")
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"Too Many Requests\"}").build();
        }
        if (!token.equals(request.getHeader("Api-Token"))) {
            return json(403, error("Forbidden"));
        }
        Runnable hook = beforeNext.remove(key);
        if (hook != null) {
            hook.run();
        }
        JsonNode body = request.getBody() == null || request.getBody().length == 0 ? null
                : JSON.readTree(request.getBodyAsString());
        if (body != null && !method.equals("GET")) {
            writeBodies.add(body);
        }
        String[] parts = path.replaceAll("^/", "").split("/");
        switch (method + " " + parts[0] + (parts.length > 1 && !parts[1].matches("[0-9]+") ? "/" + parts[1] : "")) {
            case "GET users/me":
                return json(200, JSON.createObjectNode().set("user", JSON.createObjectNode().put("id", "1")
                        .put("username", "api").put("email", "admin@example.org")));
            case "GET fields":
                return fieldsPage(query);
            case "GET lists":
                return listsPage(query);
            case "GET lists/exclusions":
                if (exclusionListDenied) {
                    return json(403, error("You don't have permission to access this resource"));
                }
                return exclusionsPage(query);
            case "GET contacts":
                if (parts.length == 1) {
                    return contactsPage(query);
                }
                return contactDetail(parts);
            case "POST contacts":
                return createContact(body);
            case "PUT contacts":
                return updateContact(parts[1], body);
            case "POST contact/sync":
                return syncContact(body);
            case "POST contactLists":
                return setListStatus(body);
            case "GET fieldValues":
                return fieldValues(query);
            case "POST import/bulk_import":
                return bulkImport(request.getBody().length, body);
            case "GET import/info":
                return importInfo(query);
            default:
                return json(404, error("No Result found for " + path));
        }
    }

    private ResponseDefinition fieldsPage(Map<String, List<String>> query) {
        List<Field> all = new ArrayList<>(fields.values());
        int limit = limit(query, 100);
        int offset = intParam(query, "offset", 0);
        ArrayNode page = JSON.createArrayNode();
        all.stream().skip(offset).limit(limit).forEach(f -> page.add(JSON.createObjectNode().put("id", f.id())
                .put("title", f.title()).put("perstag", f.perstag()).put("type", f.type()).put("isrequired", "0")));
        ObjectNode out = JSON.createObjectNode();
        out.set("fieldOptions", JSON.createArrayNode());
        out.set("fieldRels", JSON.createArrayNode());
        out.set("fields", page);
        out.set("meta", JSON.createObjectNode().put("total", Integer.toString(all.size())));
        return json(200, out);
    }

    private ResponseDefinition listsPage(Map<String, List<String>> query) {
        int limit = limit(query, 20);
        int offset = intParam(query, "offset", 0);
        ArrayNode page = JSON.createArrayNode();
        lists.entrySet().stream().skip(offset).limit(limit).forEach(e -> page.add(JSON.createObjectNode()
                .put("id", e.getKey()).put("name", e.getValue()).put("stringid", e.getValue()
                        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"))));
        ObjectNode out = JSON.createObjectNode();
        out.set("lists", page);
        out.set("meta", JSON.createObjectNode().put("total", Integer.toString(lists.size())));
        return json(200, out);
    }

    /** {@code GET lists/exclusions}: the reference's shape (exclusions-retrieve-a-list), paged by limit and offset. */
    private ResponseDefinition exclusionsPage(Map<String, List<String>> query) {
        List<Exclusion> all = new ArrayList<>(exclusions.values());
        Optional<String> phrase = param(query, "filters[matchPhrase]");
        phrase.ifPresent(p -> all.removeIf(e -> !e.matchPhrase().toLowerCase(Locale.ROOT)
                .contains(p.toLowerCase(Locale.ROOT))));
        int limit = limit(query, 20);
        int offset = intParam(query, "offset", 0);
        ArrayNode page = JSON.createArrayNode();
        all.stream().skip(offset).limit(limit).forEach(e -> {
            ObjectNode o = page.addObject().put("id", e.id()).put("matchPhrase", e.matchPhrase())
                    .put("matchType", e.matchType()).put("channel", e.channel()).put("hidden", false);
            ArrayNode ids = o.putArray("lists");
            e.lists().forEach(ids::add);
        });
        ObjectNode out = JSON.createObjectNode();
        out.set("exclusions", page);
        out.putObject("meta").put("total", all.size());
        return json(200, out);
    }

    private ResponseDefinition contactsPage(Map<String, List<String>> query) {
        List<Contact> matching = new ArrayList<>(contacts.values());
        Optional<String> email = param(query, "email");
        if (email.isPresent()) {
            matching.removeIf(c -> !c.email.equalsIgnoreCase(email.get().trim()));
        }
        List<String> ids = new ArrayList<>(query.getOrDefault("ids[]", List.of()));
        param(query, "ids").ifPresent(v -> ids.addAll(List.of(v.split(","))));
        if (!ids.isEmpty() && !ignoredParameters.contains("ids[]")) {
            matching.removeIf(c -> !ids.contains(Long.toString(c.id)));
        }
        Optional<Long> greater = param(query, "id_greater").map(Long::parseLong);
        greater.ifPresent(g -> matching.removeIf(c -> c.id <= g));
        Optional<Instant> updatedAfter = param(query, "filters[updated_after]").map(ActiveCampaignSimulator::instant);
        updatedAfter.ifPresent(after -> matching.removeIf(c -> !c.udate.isAfter(after)));
        if (param(query, "orders[id]").map(o -> o.equalsIgnoreCase("DESC")).orElse(false)) {
            java.util.Collections.reverse(matching);
        }
        int limit = limit(query, 20);
        int offset = intParam(query, "offset", 0);
        List<Contact> page = matching.stream().skip(offset).limit(limit).toList();
        ObjectNode out = JSON.createObjectNode();
        out.set("scoreValues", JSON.createArrayNode());
        ArrayNode array = out.putArray("contacts");
        page.forEach(c -> array.add(contactJson(c)));
        Set<String> include = param(query, "include").map(v -> Set.of(v.split(","))).orElse(Set.of());
        if (include.contains("fieldValues")) {
            ArrayNode values = out.putArray("fieldValues");
            page.forEach(c -> c.values.forEach((f, v) -> values.add(fieldValueJson(c, f))));
        }
        if (include.contains("contactLists")) {
            ArrayNode memberships = out.putArray("contactLists");
            page.forEach(c -> c.listStatus.forEach((l, s) -> memberships.add(contactListJson(c, l))));
        }
        ObjectNode meta = out.putObject("meta");
        meta.put("total", Integer.toString(matching.size()));
        meta.putObject("page_input").put("limit", limit).put("offset", offset);
        return json(200, out);
    }

    private ResponseDefinition contactDetail(String[] parts) {
        Contact c = contacts.get(Long.parseLong(parts[1]));
        if (c == null) {
            return json(404, error("No Result found for Subscriber with id " + parts[1]));
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode values = JSON.createArrayNode();
        c.values.keySet().forEach(f -> values.add(fieldValueJson(c, f)));
        ArrayNode memberships = JSON.createArrayNode();
        c.listStatus.keySet().forEach(l -> memberships.add(contactListJson(c, l)));
        if (parts.length > 2 && parts[2].equals("fieldValues")) {
            out.set("fieldValues", values);
        } else if (parts.length > 2 && parts[2].equals("contactLists")) {
            out.set("contactLists", memberships);
        } else {
            out.set("contactLists", memberships);
            out.set("fieldValues", values);
            out.set("contact", contactJson(c));
        }
        return json(200, out);
    }

    private ResponseDefinition createContact(JsonNode body) {
        JsonNode contact = body == null ? null : body.get("contact");
        String email = text(contact, "email");
        validateEmail(email);
        if (email != null && byEmail(email).isPresent()) {
            return json(422, errors("Email address already exists in the system", "duplicate", "/data/attributes/email"));
        }
        Contact c = newContact();
        apply(c, contact);
        return json(201, contactEnvelope(c));
    }

    private ResponseDefinition updateContact(String id, JsonNode body) {
        Contact c = contacts.get(Long.parseLong(id));
        if (c == null) {
            return json(404, error("No Result found for Subscriber with id " + id));
        }
        JsonNode contact = body == null ? null : body.get("contact");
        String email = text(contact, "email");
        if (email != null) {
            validateEmail(email);
            Optional<Contact> other = byEmail(email);
            if (other.isPresent() && other.get() != c) {
                return json(422, errors("Email address already exists in the system", "duplicate",
                        "/data/attributes/email"));
            }
        }
        apply(c, contact);
        return json(200, contactEnvelope(c));
    }

    private ResponseDefinition syncContact(JsonNode body) {
        JsonNode contact = body == null ? null : body.get("contact");
        String email = text(contact, "email");
        if (email == null || email.isBlank()) {
            return json(422, errors("Contact Email is required", "field_missing", "/data/attributes/email"));
        }
        validateEmail(email);
        Contact c = byEmail(email).orElseGet(this::newContact);
        apply(c, contact);
        return json(201, contactEnvelope(c));
    }

    private ResponseDefinition setListStatus(JsonNode body) {
        JsonNode cl = body == null ? null : body.get("contactList");
        String listId = text(cl, "list");
        String contactId = text(cl, "contact");
        String status = text(cl, "status");
        if (listId == null || !lists.containsKey(listId) || contactId == null || status == null) {
            return json(422, errors("The list, contact and status are required", "field_missing",
                    "/data/attributes/list"));
        }
        Contact c = contacts.get(Long.parseLong(contactId));
        if (c == null) {
            return json(404, error("No Result found for Subscriber with id " + contactId));
        }
        if ("2".equals(c.listStatus.get(listId)) && "1".equals(status)) {
            resubscribed++; // allowed by ActiveCampaign, with a warning in its reference; counted for tests
        }
        c.listStatus.put(listId, status);
        c.udate = now();
        ObjectNode out = JSON.createObjectNode();
        out.putArray("contacts").add(contactJson(c));
        ObjectNode echo = contactListJson(c, listId);
        echo.put("status", Integer.parseInt(status)); // echoed as a number on POST
        out.set("contactList", echo);
        return json(200, out);
    }

    private ResponseDefinition fieldValues(Map<String, List<String>> query) {
        Optional<String> fieldId = param(query, "filters[fieldid]");
        Optional<String> value = param(query, "filters[val]");
        ArrayNode out = JSON.createArrayNode();
        int limit = limit(query, 20);
        List<ObjectNode> all = new ArrayList<>();
        for (Contact c : contacts.values()) {
            for (Map.Entry<String, String> v : c.values.entrySet()) {
                if (fieldId.map(f -> f.equals(v.getKey())).orElse(true)
                        && value.map(x -> x.equalsIgnoreCase(v.getValue())).orElse(true)) {
                    all.add(fieldValueJson(c, v.getKey()));
                }
            }
        }
        all.stream().skip(intParam(query, "offset", 0)).limit(limit).forEach(out::add);
        ObjectNode page = JSON.createObjectNode();
        page.set("fieldValues", out);
        page.set("meta", JSON.createObjectNode().put("total", Integer.toString(all.size())));
        return json(200, page);
    }

    private ResponseDefinition bulkImport(int bytes, JsonNode body) {
        JsonNode contactsNode = body == null ? null : body.get("contacts");
        if (contactsNode == null || !contactsNode.isArray() || contactsNode.isEmpty()) {
            return json(400, bulkFailure("JSON payload did not pass validation.", JSON.createArrayNode()
                    .add("'contacts' is a required field.")));
        }
        // "For requests containing a single contact, there is a limit of 20 requests per minute; for requests
        // containing multiple contacts, there is a limit of 100 requests per minute" (bulk-import-contacts),
        // counted here over any 60 seconds; the answer is the reference's 400 example.
        boolean single = contactsNode.size() == 1;
        Deque<Instant> imports = single ? singleContactImports : multiContactImports;
        Instant now = clock.instant();
        while (!imports.isEmpty() && !imports.peekFirst().plusSeconds(60).isAfter(now)) {
            imports.pollFirst();
        }
        if (imports.size() >= (single ? 20 : 100)) {
            importsRefusedForRate++;
            return json(400, bulkFailure("Rate limit exceeded.", JSON.createArrayNode().add("Up to "
                    + (single ? 20 : 100) + " imports may be requested per minute.Please batch contacts into larger"
                    + " requests, or retry this request in a minute.")));
        }
        if (contactsNode.size() > 250 || bytes >= 400_000) {
            return json(400, bulkFailure("JSON payload did not pass validation.", JSON.createArrayNode()
                    .add("Up to 250 contacts and 400 KB may be sent in one request.")));
        }
        ArrayNode reasons = JSON.createArrayNode();
        for (int i = 0; i < contactsNode.size(); i++) {
            String email = text(contactsNode.get(i), "email");
            if (email == null || !EMAIL.matcher(email).matches()) {
                reasons.add(JSON.createObjectNode().put("contact", i).put("failureReason", "Field 'email' incorrect format"));
            }
        }
        if (!reasons.isEmpty()) {
            return json(400, bulkFailure("JSON payload did not pass validation. Please fix failure Reasons and retry."
                    + " The import was not queued for processing.", reasons));
        }
        imports.addLast(now);
        String id = UUID.nameUUIDFromBytes(("batch-" + nextBatch++).getBytes(StandardCharsets.UTF_8)).toString();
        Batch batch = new Batch(id, clock.instant(), clock.instant().plus(importDelay), contactsNode);
        batch.endStatus = nextImportEndStatus;
        nextImportEndStatus = null;
        batches.put(id, batch);
        ObjectNode out = JSON.createObjectNode();
        out.put("Success", 1).put("queued_contacts", contactsNode.size()).put("batchId", id)
                .put("message", "Contact import queued");
        return json(200, out);
    }

    private ResponseDefinition importInfo(Map<String, List<String>> query) {
        Optional<String> id = param(query, "batchId");
        if (id.isEmpty()) {
            return json(400, JSON.createObjectNode().put("success", 0).put("message", "'batchId' is a required field."));
        }
        Batch b = batches.get(id.get());
        if (b == null) {
            return json(404, error("No Result found for batch " + id.get()));
        }
        ObjectNode out = JSON.createObjectNode();
        if (b.done) {
            out.put("status", b.status);
        } else if (clock.instant().isBefore(b.queued.plusSeconds(1))) {
            // "If this endpoint is called immediately (less than a second) after a bulk import call, the
            // status in the return may be false (a boolean)" (bulk-import-status-info).
            out.put("status", false);
        } else {
            out.put("status", "active");
        }
        ArrayNode success = out.putArray("success");
        ArrayNode failure = out.putArray("failure");
        if (b.done) {
            b.success.forEach(success::add);
            b.failure.forEach(failure::add);
        }
        return json(200, out);
    }

    private void applyDueImports() {
        Instant now = clock.instant();
        for (Batch b : batches.values()) {
            if (b.done || now.isBefore(b.due)) {
                continue;
            }
            String end = b.endStatus != null ? b.endStatus : importEndStatus;
            if (!end.equals("completed")) {
                // failed / interrupted: the importer gives the batch up and imports nothing.
                b.status = end;
                b.done = true;
                continue;
            }
            for (JsonNode row : b.contacts) {
                String email = text(row, "email");
                if (importFails.test(email)) {
                    b.failure.add(email);
                    continue;
                }
                if (exclusions.values().stream().anyMatch(e -> e.coversEmail(email))) {
                    continue; // excluded addresses are skipped, listed neither as success nor as failure
                }
                Contact c = byEmail(email).orElseGet(this::newContact);
                c.email = email;
                standard(row, "first_name").ifPresent(v -> c.firstName = v);
                standard(row, "last_name").ifPresent(v -> c.lastName = v);
                standard(row, "phone").ifPresent(v -> c.phone = v);
                for (JsonNode f : row.path("fields")) {
                    String fieldId = f.path("id").asText();
                    if (fields.containsKey(fieldId)) {
                        setValue(c, fieldId, f.path("value").asText(""));
                    }
                }
                for (JsonNode l : row.path("subscribe")) {
                    String listId = l.path("listid").asText();
                    // "Contacts may not be subscribed to lists which they have previously unsubscribed from."
                    if (lists.containsKey(listId) && !"2".equals(c.listStatus.get(listId))) {
                        c.listStatus.put(listId, "1");
                    }
                }
                for (JsonNode l : row.path("unsubscribe")) {
                    String listId = l.path("listid").asText();
                    if (lists.containsKey(listId)) {
                        c.listStatus.put(listId, "2");
                    }
                }
                c.udate = now;
                b.success.add(Long.toString(c.id));
                // "By default, automations will run when doing a bulk import"; exclude_automations: true
                // (a property of each contact in the reference's example) stops them (bulk-import-contacts).
                if (!row.path("exclude_automations").asBoolean(false)) {
                    automationsRunOn.add(Long.toString(c.id));
                }
            }
            b.done = true;
        }
    }

    // ----- helpers -----

    private Contact newContact() {
        Contact c = new Contact(nextContactId++);
        c.cdate = now();
        c.udate = c.cdate;
        contacts.put(c.id, c);
        return c;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private Contact existing(String id) {
        Contact c = contacts.get(Long.parseLong(id));
        if (c == null) {
            throw new IllegalArgumentException("no contact " + id);
        }
        return c;
    }

    private Optional<Contact> byEmail(String email) {
        return email == null ? Optional.empty()
                : contacts.values().stream().filter(c -> c.email.equalsIgnoreCase(email.trim())).findFirst();
    }

    private Optional<Field> fieldByPerstag(String perstag) {
        return fields.values().stream().filter(f -> f.perstag().equalsIgnoreCase(perstag)).findFirst();
    }

    private void setValue(Contact c, String fieldId, String value) {
        c.values.put(fieldId, value);
        c.valueIds.computeIfAbsent(fieldId, f -> nextFieldValueId++);
    }

    /** Applies the keys present in a contact body; an empty string wipes the field, as ActiveCampaign does. */
    private void apply(Contact c, JsonNode contact) {
        if (contact == null) {
            return;
        }
        Optional.ofNullable(text(contact, "email")).ifPresent(v -> c.email = v);
        Optional.ofNullable(text(contact, "firstName")).ifPresent(v -> c.firstName = v);
        Optional.ofNullable(text(contact, "lastName")).ifPresent(v -> c.lastName = v);
        Optional.ofNullable(text(contact, "phone")).ifPresent(v -> c.phone = v);
        for (JsonNode fv : contact.path("fieldValues")) {
            String fieldId = fv.path("field").asText();
            if (!fields.containsKey(fieldId)) {
                throw new Reply(json(422, errors("Field " + fieldId + " does not exist", "field_invalid",
                        "/data/attributes/fieldValues")));
            }
            setValue(c, fieldId, fv.path("value").asText(""));
        }
        c.udate = now();
    }

    private void validateEmail(String email) {
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw new Reply(json(422, errors("Contact Email is not a valid email address", "field_invalid",
                    "/data/attributes/email")));
        }
    }

    private static Optional<String> standard(JsonNode row, String name) {
        return row.has(name) && !row.get(name).isNull() ? Optional.of(row.get(name).asText()) : Optional.empty();
    }

    private ObjectNode contactJson(Contact c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cdate", stamp(c.cdate)).put("email", c.email).put("phone", c.phone).put("firstName", c.firstName)
                .put("lastName", c.lastName).put("orgid", "0").put("segmentio_id", "").put("bounced_hard", "0")
                .put("bounced_soft", "0").put("bounced_date", "0000-00-00").put("deleted", "0").put("anonymized", "0")
                .put("udate", stamp(c.udate))
                .put("created_utc_timestamp", STAMP.format(LocalDateTime.ofInstant(c.cdate, ZoneOffset.UTC)))
                .put("updated_utc_timestamp", STAMP.format(LocalDateTime.ofInstant(c.udate, ZoneOffset.UTC)));
        ObjectNode links = o.putObject("links");
        links.put("fieldValues", apiUrl() + "/contacts/" + c.id + "/fieldValues");
        links.put("contactLists", apiUrl() + "/contacts/" + c.id + "/contactLists");
        o.put("id", Long.toString(c.id));
        o.putNull("organization");
        return o;
    }

    private ObjectNode fieldValueJson(Contact c, String fieldId) {
        String id = Long.toString(c.valueIds.getOrDefault(fieldId, 0L));
        return JSON.createObjectNode().put("contact", Long.toString(c.id)).put("field", fieldId)
                .put("value", c.values.get(fieldId)).put("cdate", stamp(c.cdate)).put("udate", stamp(c.udate))
                .put("id", id).put("owner", Long.toString(c.id));
    }

    private ObjectNode contactListJson(Contact c, String listId) {
        return JSON.createObjectNode().put("contact", Long.toString(c.id)).put("list", listId)
                .put("status", c.listStatus.get(listId)).put("sdate", stamp(c.udate)).put("sourceid", "0")
                .put("id", c.id + "-" + listId).put("first_name", c.firstName).put("last_name", c.lastName);
    }

    private ObjectNode contactEnvelope(Contact c) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode values = out.putArray("fieldValues");
        c.values.keySet().forEach(f -> values.add(fieldValueJson(c, f)));
        out.set("contact", contactJson(c));
        return out;
    }

    private static String stamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ACCOUNT_OFFSET).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A date ({@code 2025-03-01}, midnight in the account's zone) or a date-time with or without offset. */
    private static Instant instant(String value) {
        String v = value.trim();
        try {
            return LocalDate.parse(v).atStartOfDay().toInstant(ACCOUNT_OFFSET);
        } catch (DateTimeParseException notADate) {
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException notOffset) {
                return LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ACCOUNT_OFFSET);
            }
        }
    }

    private Map<String, List<String>> parseQuery(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!ignoredParameters.contains(name)) {
                out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return out;
    }

    private static Optional<String> param(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static int intParam(Map<String, List<String>> query, String name, int fallback) {
        return param(query, name).map(Integer::parseInt).orElse(fallback);
    }

    /** {@code limit}: default as the endpoint documents, at most 100. */
    private static int limit(Map<String, List<String>> query, int fallback) {
        return Math.min(100, Math.max(1, intParam(query, "limit", fallback)));
    }

    private static String text(JsonNode node, String name) {
        if (node == null || !node.has(name) || node.get(name).isNull()) {
            return null;
        }
        return node.get(name).asText();
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("message", message);
    }

    private static ObjectNode errors(String title, String code, String pointer) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode e = out.putArray("errors").addObject();
        e.put("title", title).put("detail", "").put("code", code);
        e.putObject("source").put("pointer", pointer);
        return out;
    }

    private static ObjectNode bulkFailure(String message, ArrayNode reasons) {
        ObjectNode out = JSON.createObjectNode();
        out.put("success", 0).put("message", message);
        out.set("failureReasons", reasons);
        return out;
    }

    private static ResponseDefinition json(int status, JsonNode body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body.toString()).build();
    }
}
