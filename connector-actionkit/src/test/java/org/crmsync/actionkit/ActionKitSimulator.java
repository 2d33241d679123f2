package org.crmsync.actionkit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.io.IOException;
import java.io.StringReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.crmsync.testing.sim.CallCounts;
import org.crmsync.testing.sim.ScriptedFaults;
import org.crmsync.testing.sim.SimulatorServer;

/**
 * A stateful ActionKit REST API v1 on WireMock (the test kit's {@link SimulatorServer}), for tests and
 * the examples. It keeps users (with custom fields and phones), allowed user fields, pages (import and
 * call pages with custom page fields), actions and uploads, and answers as the sources the reference
 * notes cite describe ActionKit: HTTP Basic authentication (401; 403 for a user without permission),
 * paths ending in a slash (a missing one is a 301 to it, as cassette list_tags.yml records), collections
 * of {@code {"meta": {limit, next, offset, previous, total_count}, "objects": [...]}} with {@code _limit}
 * (default 20, at most 100) and {@code _offset} and {@code meta.next} host-relative with its query
 * string, filtering only on the fields and operators the schema lists (others answer 400; fields it does
 * not know are ignored, as Tastypie does), {@code order_by} (repeatable, {@code -} for descending), times
 * to the second in UTC without a zone, users' phones as URIs, a phone's {@code normalized_phone} without
 * punctuation or the leading 1, one phone per (user, type, source), a unique email (409 with the other
 * user's {@code Location} and the recorded errors dict), custom user fields only when allowed, action
 * processing by page short name with {@code action_*} fields kept without the prefix (400 {@code {"page":
 * "Unable to find a page ..."}} otherwise), and uploads through an Import page that complete on the
 * clock ({@link #uploadDelay}), where a blank cell overwrites a value, and whose errors are read from
 * {@code uploaderror}. Empty {@code text/html} 404s, as recorded.
 *
 * <p>Switches: {@link #restrictUserFilters}, {@link #restrictPhoneFilters} (an instance that allows
 * fewer filters), {@link #hideBadRowsBehind500} (an upload with a bad row among others answers 500 and
 * a one-row file the 400, the trap parsons warns of), {@link #simultaneousLimit} (429 "too many
 * simultaneous requests"), and the kit's scripted faults by kind of call ({@link #kind}: {@code GET
 * /user/}, {@code POST /phone/}, {@code GET /upload/{id}/}, ...). Time comes from the clock given.
 */
public final class ActionKitSimulator implements AutoCloseable {
    public static final String LOGIN = "sync@example.org";
    public static final String PASSWORD = "s3cret-Ak-passw0rd";
    public static final String OPT_IN_FIELD = "mobile_subscriber";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final Pattern PATH = Pattern.compile("/rest/v1/([a-z]+)/(?:([0-9]+|schema)/)?");
    private static final Set<String> USER_FIELDS = Set.of("email", "first_name", "last_name", "middle_name", "prefix",
            "suffix", "address1", "address2", "city", "state", "region", "zip", "plus4", "postal", "country", "source",
            "lang");
    private static final Map<String, Integer> MAX_LENGTH = Map.of("zip", 5, "plus4", 4);

    private final Clock clock;
    private final SimulatorServer server;
    private final CallCounts counts = new CallCounts();
    private final ScriptedFaults faults = new ScriptedFaults(ResponseDefinitionBuilder.like(aResponse().withStatus(503)
            .withHeader("Content-Type", "application/json").withBody("{\"error\": \"Please wait for a bit and try again\"}")
            .build()));
    private final AtomicInteger simultaneous = new AtomicInteger();
    private final AtomicInteger mostSimultaneous = new AtomicInteger();

    // ----- state, guarded by this -----
    private final TreeMap<Long, User> users = new TreeMap<>();
    private final TreeMap<Long, Phone> phones = new TreeMap<>();
    private final Map<String, AllowedField> allowedFields = new LinkedHashMap<>();
    private final TreeMap<Long, Page> pages = new TreeMap<>();
    private final TreeMap<Long, Action> actions = new TreeMap<>();
    private final TreeMap<Long, Upload> uploads = new TreeMap<>();
    private final TreeMap<Long, UploadError> uploadErrors = new TreeMap<>();
    private final List<String> uploadedFiles = new ArrayList<>();
    private Map<String, Set<String>> userFilters = defaultUserFilters();
    private Map<String, Set<String>> phoneFilters = defaultPhoneFilters();
    private Set<String> userOrdering = new LinkedHashSet<>(List.of("id", "updated_at", "created_at", "email"));
    private long nextUser = 1000;
    private long nextPhone = 5000;
    private long nextPage = 10;
    private long nextAction = 70000;
    private long nextUpload = 300;
    private long nextUploadError = 900;
    private boolean permitted = true;
    private Duration uploadDelay = Duration.ofSeconds(3);
    private boolean badRowsBehind500;
    private int simultaneousLimit;
    private int refusedSimultaneous;
    private Predicate<String> uploadRowFails = email -> false;

    private static final class User {
        final long id;
        final Map<String, String> fields = new LinkedHashMap<>();
        final Map<String, String> custom = new LinkedHashMap<>();
        Instant createdAt;
        Instant updatedAt;
        String token;

        User(long id) {
            this.id = id;
        }
    }

    private static final class Phone {
        final long id;
        final long user;
        String type;
        String number;
        String source;
        Instant createdAt;
        Instant updatedAt;

        Phone(long id, long user) {
            this.id = id;
            this.user = user;
        }
    }

    private record AllowedField(String name, String displayName, boolean required, String choices) {
    }

    private record Page(long id, String name, String type, Map<String, String> fields) {
    }

    private record Action(long id, long user, long page, Map<String, String> fields, Instant createdAt, boolean createdUser) {
    }

    private static final class Upload {
        final long id;
        final String page;
        final List<Map<String, String>> rows;
        final Instant due;
        boolean completed;
        int errors;

        Upload(long id, String page, List<Map<String, String>> rows, Instant due) {
            this.id = id;
            this.page = page;
            this.rows = rows;
            this.due = due;
        }
    }

    private record UploadError(long id, long upload, int row, String message) {
    }

    private ActionKitSimulator(Clock clock) {
        this.clock = clock;
        this.server = SimulatorServer.start("actionkit-simulator", this::handle);
    }

    /** A simulator on a free local port with the seed's subscriber field; time comes from {@code clock}. */
    public static ActionKitSimulator start(Clock clock) {
        ActionKitSimulator ak = new ActionKitSimulator(clock);
        ak.addAllowedField(OPT_IN_FIELD, "Mobile Subscriber", false, "false=No\r\ntrue=Yes");
        return ak;
    }

    /** {@code 127.0.0.1:port}, as {@code api.host}. */
    public String host() {
        return "127.0.0.1:" + server.port();
    }

    /** A working configuration for this simulator. */
    public Map<String, String> connectorConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(ActionKitConfig.API_HOST, host());
        c.put(ActionKitConfig.LOGIN, LOGIN);
        c.put(ActionKitConfig.PASSWORD, PASSWORD);
        return c;
    }

    @Override
    public void close() {
        server.close();
    }

    // ----- arranging, as an ActionKit admin or a member would -----

    /** Adds an allowed user field (Users > Add allowed user field); {@code choices} one {@code value=label} a line. */
    public synchronized ActionKitSimulator addAllowedField(String name, String displayName, boolean required,
            String choices) {
        allowedFields.put(name, new AllowedField(name, displayName, required, choices));
        return this;
    }

    public synchronized ActionKitSimulator removeAllowedField(String name) {
        allowedFields.remove(name);
        return this;
    }

    /** Adds a page; returns its id. {@code type} Import, Call, Petition... */
    public synchronized String addPage(String name, String type, Map<String, String> fields) {
        long id = nextPage++;
        pages.put(id, new Page(id, name, type, new LinkedHashMap<>(fields)));
        return Long.toString(id);
    }

    /**
     * Adds a user as a member's action would: {@code fields} by the user resource's names, custom fields
     * as {@code user_<name>}, and {@code mobile_phone} as a phone of type mobile from source "website".
     */
    public synchronized String addUser(Map<String, String> fields) {
        User u = newUser();
        apply(u, fields, true);
        u.fields.putIfAbsent("source", "website");
        u.fields.putIfAbsent("country", "United States");
        return Long.toString(u.id);
    }

    /** Changes a user as a member or an admin would (a blank value clears the field). */
    public synchronized void updateUser(String id, Map<String, String> fields) {
        User u = user(id);
        apply(u, fields, true);
        u.updatedAt = now();
    }

    private void apply(User u, Map<String, String> fields, boolean phonesFromWebsite) {
        fields.forEach((k, v) -> {
            if (k.equals("mobile_phone")) {
                if (v != null && !v.isBlank()) {
                    upsertPhone(u.id, "mobile", v, "website");
                }
            } else if (k.startsWith("user_")) {
                u.custom.put(k.substring(5), v == null ? "" : v);
            } else {
                u.fields.put(k, v == null ? "" : v);
            }
        });
    }

    private void upsertPhone(long user, String type, String number, String source) {
        Optional<Phone> existing = phones.values().stream().filter(p -> p.user == user && p.type.equals(type)
                && p.source.equals(source)).findFirst();
        Phone p = existing.orElseGet(() -> {
            Phone n = new Phone(nextPhone++, user);
            n.type = type;
            n.source = source;
            n.createdAt = now();
            phones.put(n.id, n);
            return n;
        });
        p.number = number;
        p.updatedAt = now();
    }

    /** Adds a phone to a user, as another integration would. */
    public synchronized String addPhone(String userId, String type, String number, String source) {
        long user = Long.parseLong(userId);
        upsertPhone(user, type, number, source);
        return phones.values().stream().filter(p -> p.user == user && p.type.equals(type) && p.source.equals(source))
                .findFirst().map(p -> Long.toString(p.id)).orElseThrow();
    }

    /** Deletes a user, as an admin would. */
    public synchronized void deleteUser(String id) {
        long u = Long.parseLong(id);
        users.remove(u);
        phones.values().removeIf(p -> p.user == u);
    }

    // ----- behaviour -----

    /** The API user may read nothing: every call answers 403 (a user without the seed's Superuser status). */
    public synchronized ActionKitSimulator withoutPermission() {
        this.permitted = false;
        return this;
    }

    /** How long after it is posted an upload completes (default 3 s). */
    public synchronized ActionKitSimulator uploadDelay(Duration delay) {
        this.uploadDelay = delay;
        return this;
    }

    /** Upload rows whose email matches fail (an error row in {@code uploaderror}); the others are applied. */
    public synchronized ActionKitSimulator uploadRowsFail(Predicate<String> email) {
        this.uploadRowFails = email;
        return this;
    }

    /** An upload of several rows with a bad one answers 500; a file of that one row the 400 it hides. */
    public synchronized ActionKitSimulator hideBadRowsBehind500() {
        this.badRowsBehind500 = true;
        return this;
    }

    /** The user schema allows only these filters (field to operators, {@code all} for any). */
    public synchronized ActionKitSimulator restrictUserFilters(Map<String, Set<String>> filters) {
        this.userFilters = new LinkedHashMap<>(filters);
        return this;
    }

    public synchronized ActionKitSimulator restrictUserOrdering(Set<String> ordering) {
        this.userOrdering = new LinkedHashSet<>(ordering);
        return this;
    }

    public synchronized ActionKitSimulator restrictPhoneFilters(Map<String, Set<String>> filters) {
        this.phoneFilters = new LinkedHashMap<>(filters);
        return this;
    }

    /** More than {@code n} requests at once answer 429 (0: no limit); ActionKit gives no number. */
    public synchronized ActionKitSimulator simultaneousLimit(int n) {
        this.simultaneousLimit = n;
        return this;
    }

    public void answerNext(String kind, int times, ResponseDefinitionBuilder answer) {
        faults.answerNext(kind, times, answer);
    }

    public void down(String kind) {
        faults.down(kind);
    }

    public void applyThenDropNext(String kind) {
        faults.applyThenDropNext(kind);
    }

    public int faultsPending() {
        return faults.pending();
    }

    public void clearFaults() {
        faults.clear();
    }

    // ----- what happened -----

    /** Requests by kind ({@code GET /user/}, {@code POST /phone/}, ...). */
    public Map<String, Integer> requests() {
        return counts.all();
    }

    public int requests(String kind) {
        return counts.of(kind);
    }

    public int totalRequests() {
        return counts.total();
    }

    public void resetCounts() {
        counts.reset();
    }

    public int mostSimultaneous() {
        return mostSimultaneous.get();
    }

    public synchronized int refusedSimultaneous() {
        return refusedSimultaneous;
    }

    /** The CSV files uploaded, as received. */
    public synchronized List<String> uploadedFiles() {
        return List.copyOf(uploadedFiles);
    }

    public synchronized List<String> userIds() {
        processDueUploads();
        return users.keySet().stream().map(String::valueOf).toList();
    }

    /** A user's field by the simulator's names: user fields, {@code user_<custom>}, {@code mobile_phone}. */
    public synchronized Optional<String> value(String userId, String field) {
        User u = users.get(Long.parseLong(userId));
        if (u == null) {
            return Optional.empty();
        }
        if (field.equals("mobile_phone")) {
            return phones.values().stream().filter(p -> p.user == u.id && p.type.equals("mobile"))
                    .max(Comparator.comparing((Phone p) -> p.updatedAt)).map(p -> p.number);
        }
        String v = field.startsWith("user_") ? u.custom.get(field.substring(5)) : u.fields.get(field);
        return Optional.ofNullable(v).filter(s -> !s.isEmpty());
    }

    /** The user's phones as {@code type/source/number}. */
    public synchronized List<String> phonesOf(String userId) {
        long u = Long.parseLong(userId);
        return phones.values().stream().filter(p -> p.user == u).map(p -> p.type + "/" + p.source + "/" + p.number).toList();
    }

    /** The user with this email (any case). */
    public synchronized Optional<String> userByEmail(String email) {
        return users.values().stream().filter(u -> email.equalsIgnoreCase(u.fields.getOrDefault("email", "")))
                .findFirst().map(u -> Long.toString(u.id));
    }

    /** Actions on the page of that name whose field {@code name} is {@code value}. */
    public synchronized long actionsWith(String field, String value) {
        return actions.values().stream().filter(a -> value.equals(a.fields().get(field))).count();
    }

    public synchronized List<Map<String, String>> actionsOnPage(String pageName) {
        Optional<Page> page = pages.values().stream().filter(p -> p.name().equals(pageName)).findFirst();
        List<Map<String, String>> found = new ArrayList<>();
        page.ifPresent(p -> actions.values().stream().filter(a -> a.page() == p.id()).forEach(a -> {
            Map<String, String> m = new LinkedHashMap<>(a.fields());
            m.put("user", Long.toString(a.user()));
            found.add(m);
        }));
        return found;
    }

    // ----- the API -----

    /** The kind of a request: method and path with ids as {id}, e.g. {@code PATCH /user/{id}/}. */
    static String kind(String method, String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return method + " " + path;
        }
        String id = m.group(2);
        return method + " /" + m.group(1) + "/" + (id == null ? "" : id.equals("schema") ? "schema/" : "{id}/");
    }

    private ResponseDefinition handle(Request request) {
        String url = request.getUrl();
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? "" : url.substring(q + 1);
        String method = request.getMethod().getName();
        if (!path.endsWith("/")) {
            // "GET /rest/v1/tag?_limit=100" answered 301 to the path with a slash, empty text/html (list_tags.yml).
            return aResponse().withStatus(301).withHeader("Location", "http://" + host() + path + "/"
                    + (query.isEmpty() ? "" : "?" + query)).withHeader("Content-Type", "text/html; charset=utf-8")
                    .withHeader("Content-Length", "0").build();
        }
        String kind = kind(method, path);
        counts.count(kind);
        Optional<ResponseDefinition> scripted = faults.instead(kind);
        if (scripted.isPresent()) {
            return scripted.get();
        }
        int now = simultaneous.incrementAndGet();
        mostSimultaneous.accumulateAndGet(now, Math::max);
        try {
            synchronized (this) {
                if (simultaneousLimit > 0 && now > simultaneousLimit) {
                    refusedSimultaneous++;
                    return json(429, "{\"error\": \"Your application is sending too many simultaneous requests\"}");
                }
            }
            if (!authorized(request)) {
                return aResponse().withStatus(401).withHeader("Content-Type", "text/html; charset=utf-8")
                        .withHeader("WWW-Authenticate", "Basic realm=\"ActionKit\"").withBody("").build();
            }
            synchronized (this) {
                if (!permitted) {
                    return aResponse().withStatus(403).withHeader("Content-Type", "text/html; charset=utf-8").withBody("")
                            .build();
                }
            }
            ResponseDefinition answer;
            synchronized (this) {
                answer = route(method, path, params(query), request);
            }
            if (faults.dropAfter(kind)) {
                return ScriptedFaults.droppedConnection();
            }
            return answer;
        } catch (IOException e) {
            return json(400, "{\"errors\": [\"" + e.getMessage().replace("\"", "'") + "\"]}");
        } finally {
            simultaneous.decrementAndGet();
        }
    }

    private static boolean authorized(Request request) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((LOGIN + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        return expected.equals(request.getHeader("Authorization"));
    }

    private ResponseDefinition route(String method, String path, List<String[]> params, Request request)
            throws IOException {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return notFound();
        }
        String resource = m.group(1);
        String id = m.group(2);
        processDueUploads(); // ActionKit imports in the background: whatever request comes next sees it done
        if ("schema".equals(id) && method.equals("GET")) {
            return schema(resource);
        }
        switch (resource + ":" + method + ":" + (id == null ? "list" : "one")) {
            case "user:GET:list": return collection("user", userObjects(params), userFilters, userOrdering, params);
            case "user:GET:one": return users.containsKey(Long.parseLong(id)) ? ok(userJson(users.get(Long.parseLong(id)),
                    phones.values().stream().filter(ph -> ph.user == Long.parseLong(id)).map(ph -> ph.id).toList()))
                    : notFound();
            case "user:POST:list": return createUser(body(request));
            case "user:PATCH:one": return patchUser(id, body(request));
            case "phone:GET:list": return collection("phone", phoneObjects(params), phoneFilters, Set.of("id", "updated_at"),
                    params);
            case "phone:GET:one": return phones.containsKey(Long.parseLong(id)) ? ok(phoneJson(phones.get(Long.parseLong(id))))
                    : notFound();
            case "phone:POST:list": return createPhone(body(request));
            case "phone:PATCH:one": return patchPhone(id, body(request));
            case "alloweduserfield:GET:list": return collection("alloweduserfield", allowedObjects(),
                    Map.of("name", Set.of("all")), Set.of("name"), params);
            case "page:GET:list": return collection("page", pageObjects(), Map.of("name", Set.of("all"), "type",
                    Set.of("all"), "id", Set.of("all")), Set.of("id"), params);
            case "page:GET:one": return pages.containsKey(Long.parseLong(id)) ? ok(pageJson(pages.get(Long.parseLong(id))))
                    : notFound();
            case "action:POST:list": return postAction(body(request));
            case "action:GET:list": return collection("action", actionObjects(), Map.of("user", Set.of("all"), "page",
                    Set.of("all"), "id", Set.of("all")), Set.of("id", "created_at"), params);
            case "upload:POST:list": return postUpload(request);
            case "upload:GET:one": return uploadStatus(id);
            case "uploaderror:GET:list": return collection("uploaderror", uploadErrorObjects(), Map.of("upload",
                    Set.of("all")), Set.of("id"), params);
            default: return notFound();
        }
    }

    // ----- users -----

    private User newUser() {
        User u = new User(nextUser++);
        u.createdAt = now();
        u.updatedAt = u.createdAt;
        u.token = "." + u.id + "." + Integer.toHexString(Long.hashCode(u.id * 2654435761L)).substring(0, 6);
        users.put(u.id, u);
        return u;
    }

    private User user(String id) {
        User u = users.get(Long.parseLong(id));
        if (u == null) {
            throw new IllegalArgumentException("no user " + id);
        }
        return u;
    }

    /**
     * The users a collection may answer with, as JSON: narrowed first by an id or email filter the request
     * has (the collection applies every filter again), so that a look-up does not render every user.
     */
    private List<ObjectNode> userObjects(List<String[]> params) {
        java.util.Collection<User> chosen = users.values();
        for (String[] p : params) {
            Set<String> values = p[0].endsWith("__in") ? Set.of(p[1].split(",")) : Set.of(p[1]);
            if (p[0].equals("id") || p[0].equals("id__in")) {
                chosen = chosen.stream().filter(u -> values.contains(Long.toString(u.id))).toList();
            } else if (p[0].equals("email") || p[0].equals("email__in")) {
                Set<String> lower = new HashSet<>();
                values.forEach(v -> lower.add(v.toLowerCase(Locale.ROOT)));
                chosen = chosen.stream().filter(u -> lower.contains(u.fields.getOrDefault("email", "")
                        .toLowerCase(Locale.ROOT))).toList();
            }
        }
        Map<Long, List<Long>> phonesByUser = new java.util.HashMap<>();
        phones.values().forEach(ph -> phonesByUser.computeIfAbsent(ph.user, k -> new ArrayList<>()).add(ph.id));
        List<ObjectNode> list = new ArrayList<>();
        chosen.forEach(u -> list.add(userJson(u, phonesByUser.getOrDefault(u.id, List.of()))));
        return list;
    }

    private ObjectNode userJson(User u, List<Long> phoneIds) {
        ObjectNode o = JSON.createObjectNode();
        o.put("actions", "/rest/v1/action/?user=" + u.id);
        for (String f : List.of("address1", "address2", "city", "country")) {
            o.put(f, u.fields.getOrDefault(f, ""));
        }
        o.put("created_at", stamp(u.createdAt));
        o.put("email", u.fields.getOrDefault("email", ""));
        ObjectNode custom = o.putObject("fields");
        u.custom.forEach(custom::put);
        o.put("first_name", u.fields.getOrDefault("first_name", ""));
        o.put("id", u.id);
        o.put("lang", "/rest/v1/language/100/");
        o.put("last_name", u.fields.getOrDefault("last_name", ""));
        o.put("middle_name", u.fields.getOrDefault("middle_name", ""));
        ArrayNode ph = o.putArray("phones");
        phoneIds.forEach(p -> ph.add("/rest/v1/phone/" + p + "/"));
        for (String f : List.of("plus4", "postal", "prefix")) {
            o.put(f, u.fields.getOrDefault(f, ""));
        }
        o.put("region", u.fields.getOrDefault("region", u.fields.getOrDefault("state", "")));
        o.put("resource_uri", "/rest/v1/user/" + u.id + "/");
        o.put("source", u.fields.getOrDefault("source", ""));
        o.put("state", u.fields.getOrDefault("state", ""));
        o.put("subscription_status", "subscribed");
        o.put("subscriptions", "/rest/v1/subscription/?user=" + u.id);
        o.put("suffix", u.fields.getOrDefault("suffix", ""));
        o.put("token", u.token);
        o.put("updated_at", stamp(u.updatedAt));
        o.put("zip", u.fields.getOrDefault("zip", ""));
        return o;
    }

    private ResponseDefinition createUser(JsonNode body) {
        String email = body.path("email").asText("").trim();
        if (email.isEmpty()) {
            return json(400, "{\"errors\": {\"email\": [\"This field is required.\"]}}");
        }
        Optional<User> existing = users.values().stream().filter(u -> email.equalsIgnoreCase(u.fields.getOrDefault("email",
                ""))).findFirst();
        if (existing.isPresent()) {
            return conflict(existing.get(), email);
        }
        Optional<ResponseDefinition> invalid = validate(body);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        User u = newUser();
        write(u, body);
        return aResponse().withStatus(201).withHeader("Location", "http://" + host() + "/rest/v1/user/" + u.id + "/")
                .withHeader("Content-Type", "text/html; charset=utf-8").withHeader("Content-Length", "0").build();
    }

    /** The recorded 409 (rest_user_duplicate_email.yml): the errors dict and the other user's Location. */
    private ResponseDefinition conflict(User other, String email) {
        return aResponse().withStatus(409).withHeader("Content-Type", "application/json")
                .withHeader("Location", "http://" + host() + "/rest/v1/user/" + other.id + "/")
                .withBody("{\"errors\": {\"email\": [\"Conflict on unique key 'email' for value '" + email + "'\"]}}")
                .build();
    }

    private ResponseDefinition patchUser(String id, JsonNode body) {
        User u = users.get(Long.parseLong(id));
        if (u == null) {
            return notFound();
        }
        if (body.has("email")) {
            String email = body.path("email").asText("");
            Optional<User> other = users.values().stream().filter(x -> x.id != u.id && email.equalsIgnoreCase(
                    x.fields.getOrDefault("email", ""))).findFirst();
            if (other.isPresent()) {
                return conflict(other.get(), email);
            }
        }
        Optional<ResponseDefinition> invalid = validate(body);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        write(u, body);
        u.updatedAt = now();
        // parsons' tests mock 202 for a PATCH of a user.
        return aResponse().withStatus(202).withHeader("Content-Type", "text/html; charset=utf-8")
                .withHeader("Content-Length", "0").build();
    }

    private Optional<ResponseDefinition> validate(JsonNode body) {
        for (Map.Entry<String, Integer> max : MAX_LENGTH.entrySet()) {
            String v = body.path(max.getKey()).asText("");
            if (v.length() > max.getValue()) {
                return Optional.of(json(400, "{\"errors\": {\"" + max.getKey() + "\": [\"Ensure this value has at most "
                        + max.getValue() + " characters (it has " + v.length() + ").\"]}}"));
            }
        }
        for (String name : iterable(body.path("fields").fieldNames())) {
            if (!allowedFields.containsKey(name)) {
                return Optional.of(json(400, "{\"errors\": {\"fields\": [\"" + name + " is not an allowed user field\"]}}"));
            }
        }
        return Optional.empty();
    }

    private void write(User u, JsonNode body) {
        for (String f : iterable(body.fieldNames())) {
            if (USER_FIELDS.contains(f)) {
                u.fields.put(f, body.path(f).asText(""));
            }
        }
        for (String name : iterable(body.path("fields").fieldNames())) {
            u.custom.put(name, body.path("fields").path(name).asText(""));
        }
    }

    // ----- phones -----

    /** The phones a collection may answer with, narrowed first by a user or number filter the request has. */
    private List<ObjectNode> phoneObjects(List<String[]> params) {
        java.util.Collection<Phone> chosen = phones.values();
        for (String[] p : params) {
            Set<String> values = p[0].endsWith("__in") ? Set.of(p[1].split(",")) : Set.of(p[1]);
            if (p[0].equals("user") || p[0].equals("user__in")) {
                chosen = chosen.stream().filter(ph -> values.contains(Long.toString(ph.user))).toList();
            } else if (p[0].equals("normalized_phone") || p[0].equals("normalized_phone__in")) {
                chosen = chosen.stream().filter(ph -> values.contains(normalized(ph.number))).toList();
            }
        }
        List<ObjectNode> list = new ArrayList<>();
        chosen.forEach(p -> list.add(phoneJson(p)));
        return list;
    }

    private ObjectNode phoneJson(Phone p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("created_at", stamp(p.createdAt));
        o.put("id", p.id);
        o.put("normalized_phone", normalized(p.number));
        o.put("phone", p.number);
        o.put("resource_uri", "/rest/v1/phone/" + p.id + "/");
        o.put("source", p.source);
        o.put("type", p.type);
        o.put("updated_at", stamp(p.updatedAt));
        o.put("user", "/rest/v1/user/" + p.user + "/");
        return o;
    }

    /** Digits, without a North American number's leading 1 ("+1-104-123-4567" is "1041234567", reference §7). */
    static String normalized(String number) {
        String digits = number.replaceAll("[^0-9]", "");
        return digits.length() == 11 && digits.startsWith("1") ? digits.substring(1) : digits;
    }

    private ResponseDefinition createPhone(JsonNode body) {
        Optional<Long> user = idOf(body.path("user").asText(""));
        if (user.isEmpty() || !users.containsKey(user.get())) {
            return json(400, "{\"phone\": {\"user\": [\"Could not find the provided object via resource URI.\"]}}");
        }
        String type = body.path("type").asText("");
        String number = body.path("phone").asText("");
        String source = body.path("source").asText("");
        if (type.isEmpty() || number.isEmpty()) {
            return json(400, "{\"errors\": {\"type\": [\"This field is required.\"]}}");
        }
        if (type.length() > 25 || number.length() > 25 || source.length() > 25) {
            return json(400, "{\"errors\": {\"source\": [\"Ensure this value has at most 25 characters.\"]}}");
        }
        long u = user.get();
        boolean taken = phones.values().stream().anyMatch(p -> p.user == u && p.type.equals(type) && p.source.equals(source));
        if (taken) {
            return json(400, "{\"errors\": {\"__all__\": [\"Phone with this User, Type and Source already exists.\"]}}");
        }
        Phone p = new Phone(nextPhone++, u);
        p.type = type;
        p.number = number;
        p.source = source;
        p.createdAt = now();
        p.updatedAt = p.createdAt;
        phones.put(p.id, p);
        return aResponse().withStatus(201).withHeader("Location", "http://" + host() + "/rest/v1/phone/" + p.id + "/")
                .withHeader("Content-Type", "text/html; charset=utf-8").withHeader("Content-Length", "0").build();
    }

    private ResponseDefinition patchPhone(String id, JsonNode body) {
        Phone p = phones.get(Long.parseLong(id));
        if (p == null) {
            return notFound();
        }
        if (body.has("phone")) {
            p.number = body.path("phone").asText("");
        }
        if (body.has("type")) {
            p.type = body.path("type").asText("");
        }
        p.updatedAt = now();
        return aResponse().withStatus(202).withHeader("Content-Type", "text/html; charset=utf-8")
                .withHeader("Content-Length", "0").build();
    }

    // ----- allowed user fields, pages, actions -----

    private List<ObjectNode> allowedObjects() {
        List<ObjectNode> list = new ArrayList<>();
        allowedFields.values().forEach(f -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("allow_multiple", false).put("always_show", true).putArray("choices");
            o.put("created_at", "2024-01-01T00:00:00").put("description", "").put("display_name", f.displayName())
                    .put("field_choices", f.choices()).put("field_default", "").putNull("field_length");
            o.put("field_regex", "").put("field_type", "").put("hidden", false).put("name", f.name())
                    .put("order_index", 0).put("required", f.required())
                    .put("resource_uri", "/rest/v1/alloweduserfield/" + f.name() + "/")
                    .put("updated_at", "2024-01-01T00:00:00");
            list.add(o);
        });
        return list;
    }

    private List<ObjectNode> pageObjects() {
        List<ObjectNode> list = new ArrayList<>();
        pages.values().forEach(p -> list.add(pageJson(p)));
        return list;
    }

    private static ObjectNode pageJson(Page p) {
        ObjectNode o = JSON.createObjectNode();
        String typed = p.type().toLowerCase(Locale.ROOT);
        o.put("actions", "/rest/v1/" + typed + "action/?page=" + p.id());
        ObjectNode fields = o.putObject("fields");
        p.fields().forEach(fields::put);
        o.put("id", p.id()).put("name", p.name()).put("resource_uri", "/rest/v1/" + typed + "page/" + p.id() + "/")
                .put("status", "active").put("title", p.name()).put("type", p.type());
        return o;
    }

    private List<ObjectNode> actionObjects() {
        List<ObjectNode> list = new ArrayList<>();
        actions.values().forEach(a -> list.add(actionJson(a)));
        return list;
    }

    private ObjectNode actionJson(Action a) {
        Page page = pages.get(a.page());
        User u = users.get(a.user());
        String typed = page.type().toLowerCase(Locale.ROOT);
        ObjectNode o = JSON.createObjectNode();
        o.put("akid", u == null ? "" : u.token).put("created_at", stamp(a.createdAt()) + ".000000")
                .put("created_user", a.createdUser());
        ObjectNode fields = o.putObject("fields");
        a.fields().forEach(fields::put);
        o.put("id", a.id()).put("ip_address", "").put("is_forwarded", false).putNull("link").putNull("mailing");
        o.put("opq_id", "").put("page", "/rest/v1/" + typed + "page/" + page.id() + "/").putNull("referring_mailing")
                .putNull("referring_user").put("resource_uri", "/rest/v1/" + typed + "action/" + a.id() + "/")
                .put("source", "restful_api").put("status", "complete").put("subscribed_user", false)
                .put("type", page.type()).put("updated_at", stamp(a.createdAt()) + ".000000")
                .put("user", "/rest/v1/user/" + a.user() + "/");
        return o;
    }

    /**
     * Action processing: the page by short name; the user by {@code akid} or {@code email} (made when
     * new); {@code action_*} keys kept without the prefix; other keys it does not know ignored.
     */
    private ResponseDefinition postAction(JsonNode body) {
        String pageName = body.path("page").asText("");
        Optional<Page> page = pages.values().stream().filter(p -> p.name().equals(pageName)).findFirst();
        if (page.isEmpty()) {
            return json(400, "{\"page\": \"Unable to find a page for processing. You sent page=" + pageName + ".\"}");
        }
        User u = null;
        boolean created = false;
        String akid = body.path("akid").asText("");
        if (!akid.isEmpty()) {
            u = users.values().stream().filter(x -> akid.equals(x.token)).findFirst().orElse(null);
        }
        String email = body.path("email").asText("");
        if (u == null && !email.isEmpty()) {
            u = users.values().stream().filter(x -> email.equalsIgnoreCase(x.fields.getOrDefault("email", ""))).findFirst()
                    .orElse(null);
            if (u == null) {
                u = newUser();
                u.fields.put("email", email);
                created = true;
            }
        }
        if (u == null) {
            return json(400, "{\"errors\": {\"email\": [\"An email address or an akid is required.\"]}}");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String k : iterable(body.fieldNames())) {
            if (k.startsWith("action_")) {
                fields.put(k.substring("action_".length()), body.path(k).asText(""));
            }
        }
        Action a = new Action(nextAction++, u.id, page.get().id(), fields, now(), created);
        actions.put(a.id(), a);
        String typed = page.get().type().toLowerCase(Locale.ROOT);
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withHeader("Location", "http://" + host() + "/rest/v1/" + typed + "action/" + a.id() + "/")
                .withBody(actionJson(a).toString()).build();
    }

    // ----- uploads -----

    private ResponseDefinition postUpload(Request request) throws IOException {
        if (!request.isMultipart()) {
            return json(400, "{\"errors\": [\"An upload is a multipart POST with the parameters upload and page.\"]}");
        }
        String pageName = "";
        String file = null;
        for (Request.Part part : request.getParts()) {
            if ("page".equals(part.getName())) {
                pageName = part.getBody().asString().trim();
            } else if ("upload".equals(part.getName())) {
                file = part.getBody().asString();
            }
        }
        String name = pageName;
        Optional<Page> page = pages.values().stream().filter(p -> p.name().equals(name)).findFirst();
        if (page.isEmpty() || !page.get().type().equals("Import")) {
            return json(400, "{\"errors\": {\"page\": [\"No ImportPage named " + name + ".\"]}}");
        }
        if (file == null) {
            return json(400, "{\"errors\": {\"upload\": [\"No file was submitted.\"]}}");
        }
        uploadedFiles.add(file);
        List<Map<String, String>> rows = new ArrayList<>();
        try (CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(file))) {
            List<String> header = csv.getHeaderNames();
            if (!header.contains("email") && !header.contains("user_id") && !header.contains("akid")) {
                return json(400, "{\"errors\": [\"The file needs a column that identifies the user: email, user_id or"
                        + " akid.\"]}");
            }
            for (CSVRecord r : csv) {
                rows.add(new LinkedHashMap<>(r.toMap()));
            }
        }
        if (badRowsBehind500) {
            Optional<Map<String, String>> bad = rows.stream().filter(this::badRow).findFirst();
            if (bad.isPresent()) {
                return rows.size() > 1 ? json(500, "{\"error\": \"Sorry, this request could not be processed. Please try"
                        + " again later.\"}") : json(400, "{\"errors\": {\"email\": [\"This row could not be imported.\"]}}");
            }
        }
        long id = nextUpload++;
        uploads.put(id, new Upload(id, name, rows, now().plus(uploadDelay)));
        return aResponse().withStatus(201).withHeader("Location", "http://" + host() + "/rest/v1/upload/" + id + "/")
                .withHeader("Content-Type", "text/html; charset=utf-8").withHeader("Content-Length", "0").build();
    }

    private ResponseDefinition uploadStatus(String id) {
        Upload up = uploads.get(Long.parseLong(id));
        if (up == null) {
            return notFound();
        }
        if (!up.completed && !now().isBefore(up.due)) {
            process(up);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("created_at", stamp(up.due.minus(uploadDelay))).put("has_errors", up.errors).put("id", up.id)
                .put("is_completed", up.completed).put("page", "/rest/v1/importpage/" + up.page + "/")
                .put("resource_uri", "/rest/v1/upload/" + up.id + "/").put("status", up.completed ? "complete" : "loading");
        return ok(o);
    }

    private void processDueUploads() {
        uploads.values().stream().filter(u -> !u.completed && !now().isBefore(u.due)).forEach(this::process);
    }

    /** Imports the rows: each finds its user by user_id, akid or email (made when new); a blank cell clears. */
    private void process(Upload up) {
        int row = 1;
        for (Map<String, String> r : up.rows) {
            row++;
            String email = r.getOrDefault("email", "");
            if (badRow(r)) {
                uploadErrors.put(nextUploadError, new UploadError(nextUploadError, up.id, row, "Row " + row
                        + ": the row could not be imported (" + (email.isEmpty() ? "no email" : "email " + email) + ")"));
                nextUploadError++;
                up.errors++;
                continue;
            }
            User u = null;
            if (r.containsKey("user_id")) {
                u = users.get(Long.parseLong(r.get("user_id")));
            } else if (!email.isEmpty()) {
                u = users.values().stream().filter(x -> email.equalsIgnoreCase(x.fields.getOrDefault("email", "")))
                        .findFirst().orElse(null);
                if (u == null) {
                    u = newUser();
                }
            }
            if (u == null) {
                uploadErrors.put(nextUploadError, new UploadError(nextUploadError, up.id, row, "Row " + row
                        + ": no such user"));
                nextUploadError++;
                up.errors++;
                continue;
            }
            for (Map.Entry<String, String> cell : r.entrySet()) {
                String k = cell.getKey();
                if (k.equals("user_id") || k.equals("akid")) {
                    continue;
                }
                if (k.startsWith("user_")) {
                    u.custom.put(k.substring(5), cell.getValue()); // a blank cell overwrites
                } else if (USER_FIELDS.contains(k)) {
                    u.fields.put(k, cell.getValue());
                }
            }
            u.updatedAt = now();
        }
        up.completed = true;
    }

    /** A row the import refuses: one the test names, or a value longer than its field. */
    private boolean badRow(Map<String, String> r) {
        return uploadRowFails.test(r.getOrDefault("email", "")) || r.getOrDefault("zip", "").length() > 5;
    }

    private List<ObjectNode> uploadErrorObjects() {
        List<ObjectNode> list = new ArrayList<>();
        uploadErrors.values().forEach(e -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", e.id()).put("message", e.message()).put("row", e.row())
                    .put("resource_uri", "/rest/v1/uploaderror/" + e.id() + "/")
                    .put("upload", "/rest/v1/upload/" + e.upload() + "/");
            list.add(o);
        });
        return list;
    }

    // ----- schemas and collections -----

    private static Map<String, Set<String>> defaultUserFilters() {
        Map<String, Set<String>> f = new LinkedHashMap<>();
        for (String field : List.of("id", "email", "updated_at", "created_at", "first_name", "last_name", "zip")) {
            f.put(field, Set.of("all"));
        }
        return f;
    }

    private static Map<String, Set<String>> defaultPhoneFilters() {
        Map<String, Set<String>> f = new LinkedHashMap<>();
        f.put("user", Set.of("all with relations"));
        f.put("normalized_phone", Set.of("all"));
        f.put("type", Set.of("exact"));
        f.put("id", Set.of("all"));
        return f;
    }

    private ResponseDefinition schema(String resource) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode fields = o.putObject("fields");
        Map<String, Set<String>> filters;
        Set<String> ordering;
        switch (resource) {
            case "user":
                for (String f : new java.util.TreeSet<>(USER_SCHEMA_FIELDS)) {
                    fields.putObject(f).put("type", "string");
                }
                filters = userFilters;
                ordering = userOrdering;
                break;
            case "phone":
                for (String f : new java.util.TreeSet<>(PHONE_SCHEMA_FIELDS)) {
                    fields.putObject(f).put("type", "string");
                }
                filters = phoneFilters;
                ordering = Set.of("id", "updated_at");
                break;
            default:
                return notFound();
        }
        ObjectNode filtering = o.putObject("filtering");
        filters.forEach((f, ops) -> {
            if (ops.size() == 1 && ops.iterator().next().startsWith("all")) {
                filtering.put(f, ops.iterator().next());
            } else {
                ArrayNode a = filtering.putArray(f);
                ops.forEach(a::add);
            }
        });
        ArrayNode order = o.putArray("ordering");
        ordering.forEach(order::add);
        o.put("default_format", "application/json").put("default_limit", 20);
        return ok(o);
    }

    /**
     * A collection as Tastypie serves it: the filters the schema allows (400 for a known field it does not
     * allow), {@code order_by}, {@code _limit} (default 20, at most 100) and {@code _offset}, and meta.
     */
    private ResponseDefinition collection(String resource, List<ObjectNode> all, Map<String, Set<String>> allowed,
            Set<String> ordering, List<String[]> params) {
        List<ObjectNode> objects = new ArrayList<>(all);
        int limit = 20;
        int offset = 0;
        List<String> orderBy = new ArrayList<>();
        List<String[]> kept = new ArrayList<>();
        for (String[] p : params) {
            String key = p[0];
            String value = p[1];
            switch (key) {
                case "_limit": limit = Integer.parseInt(value); continue;
                case "_offset": offset = Integer.parseInt(value); continue;
                case "order_by": orderBy.add(value); kept.add(p); continue;
                case "format": continue;
                default: break;
            }
            kept.add(p);
            int sep = key.indexOf("__");
            String field = sep < 0 ? key : key.substring(0, sep);
            String op = sep < 0 ? "exact" : key.substring(sep + 2);
            if (!knownFields(resource).contains(field) && !allowed.containsKey(field)) {
                continue; // not a field: Tastypie ignores it
            }
            Set<String> ops = allowed.get(field);
            if (ops == null || !(ops.stream().anyMatch(o -> o.startsWith("all")) || ops.contains(op))) {
                return json(400, "{\"error\": \"The '" + field + "' field does not allow filtering"
                        + (ops == null ? "" : " with '" + op + "'") + ".\"}");
            }
            Predicate<ObjectNode> test = filter(field, op, value);
            objects.removeIf(test.negate());
        }
        for (String o : orderBy) {
            String f = o.startsWith("-") ? o.substring(1) : o;
            if (!ordering.contains(f)) {
                return json(400, "{\"error\": \"No matching '" + f + "' field for ordering on.\"}");
            }
        }
        if (!orderBy.isEmpty()) {
            Comparator<ObjectNode> c = null;
            for (String o : orderBy) {
                boolean desc = o.startsWith("-");
                String f = desc ? o.substring(1) : o;
                Comparator<ObjectNode> one = Comparator.comparing((ObjectNode n) -> sortKey(n.path(f)));
                one = desc ? one.reversed() : one;
                c = c == null ? one : c.thenComparing(one);
            }
            objects.sort(c);
        }
        limit = limit <= 0 || limit > 100 ? 100 : limit;
        int total = objects.size();
        List<ObjectNode> page = objects.subList(Math.min(offset, total), Math.min(offset + limit, total));
        ObjectNode o = JSON.createObjectNode();
        ObjectNode meta = o.putObject("meta");
        meta.put("limit", limit);
        if (offset + limit < total) {
            StringBuilder next = new StringBuilder("/rest/v1/" + resource + "/?");
            for (String[] p : kept) {
                next.append(encode(p[0])).append('=').append(encode(p[1])).append('&');
            }
            next.append("_offset=").append(offset + limit).append("&_limit=").append(limit);
            meta.put("next", next.toString());
        } else {
            meta.putNull("next");
        }
        meta.put("offset", offset);
        if (offset > 0) {
            meta.put("previous", "/rest/v1/" + resource + "/?_offset=" + Math.max(0, offset - limit) + "&_limit=" + limit);
        } else {
            meta.putNull("previous");
        }
        meta.put("total_count", total);
        ArrayNode arr = o.putArray("objects");
        page.forEach(arr::add);
        return ok(o);
    }

    private static final Set<String> USER_SCHEMA_FIELDS = Set.of("actions", "address1", "address2", "city", "country",
            "created_at", "email", "fields", "first_name", "id", "lang", "last_name", "middle_name", "phones", "plus4",
            "postal", "prefix", "region", "resource_uri", "source", "state", "subscription_status", "suffix", "token",
            "updated_at", "zip");
    private static final Set<String> PHONE_SCHEMA_FIELDS = Set.of("created_at", "id", "normalized_phone", "phone",
            "resource_uri", "source", "type", "updated_at", "user");

    private static Set<String> knownFields(String resource) {
        switch (resource) {
            case "user": return USER_SCHEMA_FIELDS;
            case "phone": return PHONE_SCHEMA_FIELDS;
            default: return Set.of("id", "name", "type", "user", "page", "upload");
        }
    }

    private static String sortKey(JsonNode v) {
        if (v.isNumber()) {
            return String.format("%020d", v.asLong());
        }
        return v.asText("");
    }

    private static Predicate<ObjectNode> filter(String field, String op, String value) {
        switch (op) {
            case "exact": return n -> matches(n.path(field), value);
            case "iexact": return n -> text(n.path(field)).equalsIgnoreCase(value);
            case "in": {
                Set<String> values = new HashSet<>(List.of(value.split(",")));
                return n -> values.stream().anyMatch(v -> matches(n.path(field), v));
            }
            case "gt": return n -> compare(n.path(field), value) > 0;
            case "gte": return n -> compare(n.path(field), value) >= 0;
            case "lt": return n -> compare(n.path(field), value) < 0;
            case "lte": return n -> compare(n.path(field), value) <= 0;
            default: throw new IllegalArgumentException("filter " + op + " is not simulated");
        }
    }

    /** A relation filter ({@code user=12}) compares the id at the end of the URI; {@code email} ignores case. */
    private static boolean matches(JsonNode v, String value) {
        String t = text(v);
        if (t.startsWith("/rest/v1/")) {
            return idOf(t).map(String::valueOf).filter(value::equals).isPresent();
        }
        return t.equals(value) || t.contains("@") && t.equalsIgnoreCase(value);
    }

    private static int compare(JsonNode v, String value) {
        if (v.isNumber()) {
            return Long.compare(v.asLong(), Long.parseLong(value));
        }
        return text(v).compareTo(value);
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "" : v.asText();
    }

    // ----- plumbing -----

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    static String stamp(Instant t) {
        return STAMP.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    private static Optional<Long> idOf(String uri) {
        Matcher m = Pattern.compile("/([0-9]+)/?$").matcher(uri);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private static JsonNode body(Request request) throws IOException {
        String text = request.getBodyAsString();
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        return JSON.readTree(text);
    }

    private static List<String[]> params(String query) {
        List<String[]> params = new ArrayList<>();
        if (query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.add(new String[] {k, v});
        }
        return params;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }

    private static ResponseDefinition ok(JsonNode body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body.toString()).build();
    }

    private static ResponseDefinition json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }

    /** ActionKit's 404: an empty text/html body (requests.html; cassette rest_patch_petition_page_404.yml). */
    private static ResponseDefinition notFound() {
        return aResponse().withStatus(404).withHeader("Content-Type", "text/html; charset=utf-8")
                .withHeader("Content-Length", "0").withBody("").build();
    }
}
