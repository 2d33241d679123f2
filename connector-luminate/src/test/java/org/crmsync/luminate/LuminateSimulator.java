package org.crmsync.luminate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.crmsync.testing.sim.CallCounts;
import org.crmsync.testing.sim.ScriptedFaults;
import org.crmsync.testing.sim.SimulatorServer;

/**
 * A stateful Luminate Online server API on WireMock, for tests and the examples: constituents with the
 * standard fields and custom booleans; {@code SRConsAPI} {@code getUser} (by cons_id or primary_email),
 * {@code createOrUpdate}, {@code update} and {@code listUserFields}; {@code SRDonationAPI
 * addOfflineDonation}; {@code SRAdvocacyAPI takeAction}; and the nightly changed-records file, written to a
 * folder (an FTP server's, or served here at {@code GET /export/{name}}) with the ids of the constituents
 * changed within a window (24 hours, the seed's, unless set otherwise).
 *
 * <p>Luminate's ways, as documented (reference notes §3, §5, §7): POST only (405 otherwise); every scalar a
 * string; empty fields alternately {@code null} and {@code {}}; a one-element list (the custom booleans) as
 * the object itself; errors as HTTP 403 {@code {"errorResponse":{"code","message"}}}; createOrUpdate with an
 * unknown cons_id doing nothing; an email several constituents share matching none in getUser (code 8)
 * and making createOrUpdate add another record where the site does not enforce unique emails (the default
 * here). Where the documents are silent the simulator chooses, and says so: {@code update} of an unknown
 * cons_id answers code 16; the answers of {@code update}, {@code addOfflineDonation} and {@code takeAction}
 * are its own; message texts are its own.
 */
public final class LuminateSimulator implements AutoCloseable {
    public static final String ORGANIZATION = "crmsynctest";
    public static final String API_KEY = "lum-api-key-5c1e7f0a9b";
    public static final String LOGIN = "crmsync_api";
    public static final String PASSWORD = "Lum-p4ssw0rd-77";
    public static final String OPTIN_FIELD = "custom_boolean50";
    public static final String ID_HEADING = "CONS_ID";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter GIFT_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final SimulatorServer server;

    // ----- state, guarded by this -----
    private final TreeMap<Long, Constituent> people = new TreeMap<>();
    private final Map<String, String> userFields = new LinkedHashMap<>();
    private final List<Map<String, String>> gifts = new ArrayList<>();
    private final List<Map<String, String>> actions = new ArrayList<>();
    private final CallCounts counts = new CallCounts();
    private final Map<String, Map<String, String>> lastParams = new LinkedHashMap<>();
    private final ScriptedFaults faults = new ScriptedFaults(aResponse().withStatus(503)
            .withHeader("Content-Type", "text/html").withBody("<html><body>Service Unavailable</body></html>"));
    private long nextConsId = 1_001_001;
    private long nextGift = 5_000_001;
    private boolean uniqueEmails;
    private boolean emptyAsObject;
    private Path exportFolder;
    private String exportName = "changed_constituents.csv";
    private Duration window = Duration.ofHours(24);
    private boolean publishOnChange = true;
    private Duration latency = Duration.ZERO;
    private boolean errorsAs200;

    /** One constituent; values as Luminate keeps them (strings), null for empty. */
    public static final class Constituent {
        public final long consId;
        final Map<String, String> fields = new TreeMap<>();
        Instant changed;

        Constituent(long consId) {
            this.consId = consId;
        }

        public String get(String field) {
            return fields.get(field);
        }
    }

    private LuminateSimulator(Clock clock) {
        this.clock = clock;
        for (String f : List.of("name.first", "name.last", "primary_email", "mobile_phone", "home_phone",
                "primary_address.street1", "primary_address.street2", "primary_address.city", "primary_address.state",
                "primary_address.zip", "primary_address.country", "custom_string1")) {
            userFields.put(f, "TEXT");
        }
        userFields.put("email.accepts_email", "BOOLEAN");
        userFields.put(OPTIN_FIELD, "BOOLEAN");
        this.server = SimulatorServer.start("luminate-simulator-" + System.identityHashCode(this), this::handle);
    }

    public static LuminateSimulator start(Clock clock) {
        return new LuminateSimulator(clock);
    }

    /** The connector's configuration for this simulator; {@code export.url} is set by the caller (FTPS or HTTP). */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(LuminateConfig.API_HOST, server.baseUrl());
        c.put(LuminateConfig.ORGANIZATION_CODE, ORGANIZATION);
        c.put(LuminateConfig.API_KEY, API_KEY);
        c.put(LuminateConfig.LOGIN, LOGIN);
        c.put(LuminateConfig.PASSWORD, PASSWORD);
        c.put(LuminateConfig.OPTIN_FIELD, OPTIN_FIELD);
        c.put(LuminateConfig.EXPORT_URL, server.baseUrl() + "/export/" + exportName);
        return c;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    // ----- the changed-records file -----

    /** Writes the changed-records file into {@code folder} (an FTP server's home) from now on. */
    public synchronized LuminateSimulator exportTo(Path folder, String name) {
        this.exportFolder = folder;
        this.exportName = name;
        return this;
    }

    /** Changes older than this are not in the file (the seed: "changed in the past 24 hours"). */
    public synchronized LuminateSimulator exportWindow(Duration value) {
        this.window = value;
        return this;
    }

    /** Whether every change rewrites the file at once (else only {@link #publish()} does, as a nightly job would). */
    public synchronized LuminateSimulator publishOnChange(boolean value) {
        this.publishOnChange = value;
        return this;
    }

    /**
     * Writes the file as Luminate's scheduled export would: a header, then one row per constituent changed within
     * the window, with its id, names and email; written whole and then moved into place, stamped with the clock.
     */
    public synchronized void publish() {
        if (exportFolder == null) {
            return;
        }
        Instant now = clock.instant();
        StringBuilder csv = new StringBuilder(ID_HEADING + ",FIRST_NAME,LAST_NAME,EMAIL\r\n");
        for (Constituent c : people.values()) {
            if (c.changed != null && !c.changed.isBefore(now.minus(window))) {
                csv.append(c.consId).append(',').append(cell(c.get("name.first"))).append(',')
                        .append(cell(c.get("name.last"))).append(',').append(cell(c.get("primary_email"))).append("\r\n");
            }
        }
        writeExport(csv.toString().getBytes(StandardCharsets.UTF_8), now);
    }

    /** Puts these bytes in place of the file (a test's own file: a fault, a BOM, another charset). */
    public synchronized void writeExport(byte[] content, Instant modified) {
        try {
            Files.createDirectories(exportFolder);
            Path tmp = exportFolder.resolve("." + exportName + ".tmp");
            Files.write(tmp, content);
            Files.setLastModifiedTime(tmp, FileTime.from(modified));
            Files.move(tmp, exportFolder.resolve(exportName), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the file (tonight's is not there yet). */
    public synchronized void removeExport() {
        try {
            Files.deleteIfExists(exportFolder.resolve(exportName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized Path exportFile() {
        return exportFolder.resolve(exportName);
    }

    private static String cell(String v) {
        if (v == null) {
            return "";
        }
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    // ----- a CRM user's side -----

    /** Adds a constituent as a Luminate user would; returns its cons_id. */
    public synchronized long addConstituent(String first, String last, String email, String mobile, Boolean optIn) {
        Constituent c = new Constituent(nextConsId++);
        put(c, "name.first", first);
        put(c, "name.last", last);
        put(c, "primary_email", email);
        put(c, "mobile_phone", mobile);
        put(c, OPTIN_FIELD, optIn == null ? null : optIn.toString());
        put(c, "email.accepts_email", "true");
        c.changed = clock.instant();
        people.put(c.consId, c);
        changed();
        return c.consId;
    }

    /** Sets a field as a Luminate user would (null clears it). */
    public synchronized LuminateSimulator edit(long consId, String field, String value) {
        Constituent c = people.get(consId);
        put(c, field, value);
        c.changed = clock.instant();
        changed();
        return this;
    }

    private void changed() {
        if (publishOnChange) {
            publish();
        }
    }

    private static void put(Constituent c, String field, String value) {
        if (value == null || value.isEmpty()) {
            c.fields.remove(field);
        } else {
            c.fields.put(field, value);
        }
    }

    public synchronized Optional<Constituent> find(long consId) {
        return Optional.ofNullable(people.get(consId));
    }

    public synchronized List<Constituent> all() {
        return new ArrayList<>(people.values());
    }

    /** The site enforces unique emails (createOrUpdate then refuses a shared email instead of adding a record). */
    public synchronized LuminateSimulator uniqueEmails(boolean value) {
        this.uniqueEmails = value;
        return this;
    }

    /** A field's listUserFields valueType; null removes the field (not activated, or hidden from the API user). */
    public synchronized LuminateSimulator userField(String name, String valueType) {
        if (valueType == null) {
            userFields.remove(name);
        } else {
            userFields.put(name, valueType);
        }
        return this;
    }

    public synchronized List<Map<String, String>> gifts() {
        return new ArrayList<>(gifts);
    }

    public synchronized List<Map<String, String>> actions() {
        return new ArrayList<>(actions);
    }

    // ----- requests, counts and faults -----

    public Map<String, Integer> callCounts() {
        return counts.all();
    }

    public int totalRequests() {
        return counts.total();
    }

    public void resetCounts() {
        counts.reset();
    }

    /** Answers errors with HTTP 200, as a site whose calls carry suppress_response_codes=true does. */
    public synchronized LuminateSimulator errorsAs200(boolean value) {
        this.errorsAs200 = value;
        return this;
    }

    /** Every API answer this much later from now on (the benchmark's set latency). */
    public synchronized LuminateSimulator latency(Duration value) {
        this.latency = value;
        return this;
    }

    /** The parameters of the last call of a kind. */
    public synchronized Map<String, String> lastParams(String kind) {
        return lastParams.getOrDefault(kind, Map.of());
    }

    public void answerNext(String kind, int times, ResponseDefinitionBuilder answer) {
        faults.answerNext(kind, times, answer);
    }

    public void applyThenDropNext(String kind) {
        faults.applyThenDropNext(kind);
    }

    public void down(String kind) {
        faults.down(kind);
    }

    public int faultsPending() {
        return faults.pending();
    }

    public void clearFaults() {
        faults.clear();
    }

    @Override
    public void close() {
        server.close();
    }

    // ----- the API -----

    private ResponseDefinition handle(Request request) {
        String path = request.getUrl().replaceAll("\\?.*$", "");
        String method = request.getMethod().getName();
        if (path.startsWith("/export/")) {
            counts.count("GET /export");
            Optional<ResponseDefinition> fault = faults.instead("GET /export");
            return fault.orElseGet(() -> exportDownload(method, path.substring("/export/".length())));
        }
        String prefix = "/" + ORGANIZATION + "/site/";
        String servlet = path.startsWith(prefix) ? path.substring(prefix.length()) : "";
        Map<String, String> params = form(request);
        String kind = servlet + " " + params.getOrDefault("method", "");
        counts.count(kind);
        Optional<ResponseDefinition> fault = faults.instead(kind);
        if (fault.isPresent()) {
            return fault.get();
        }
        ResponseDefinition answer;
        Duration late;
        synchronized (this) {
            lastParams.put(kind, params);
            answer = answer(method, servlet, params);
            if (errorsAs200 && answer.getStatus() == 403) {
                // suppress_response_codes=true: "every answer a 200", the error only in the body (reference §7).
                answer = ResponseDefinitionBuilder.like(answer).withStatus(200).build();
            }
            late = latency;
        }
        if (faults.dropAfter(kind)) {
            return ScriptedFaults.droppedConnection();
        }
        return late.isZero() ? answer : ResponseDefinitionBuilder.like(answer).withFixedDelay((int) late.toMillis())
                .build();
    }

    private ResponseDefinition answer(String method, String servlet, Map<String, String> p) {
        if (!List.of("SRConsAPI", "SRDonationAPI", "SRAdvocacyAPI").contains(servlet)) {
            return aResponse().withStatus(404).withHeader("Content-Type", "text/html")
                    .withBody("<html><body>Not Found</body></html>").build();
        }
        if (!method.equals("POST")) {
            return aResponse().withStatus(405).withHeader("Content-Type", "text/html")
                    .withBody("<html><body>Bad Method</body></html>").build();
        }
        if (!API_KEY.equals(p.get("api_key"))) {
            return error(2, "Incorrect API key. Verify that the value of the parameter api_key matches the value of"
                    + " the SDP CONVIO_API_KEY.");
        }
        if (!LOGIN.equals(p.get("login_name")) || !PASSWORD.equals(p.get("login_password"))) {
            return error(3, "Authorization failed.");
        }
        if (!"1.0".equals(p.get("v"))) {
            return error(9, "Required parameters missing: v");
        }
        if (!"json".equals(p.get("response_format"))) {
            return aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                    .withBody("<?xml version='1.0' encoding='UTF-8'?><response/>").build();
        }
        String m = p.getOrDefault("method", "");
        switch (servlet + " " + m) {
            case "SRConsAPI getUser":
                return getUser(p);
            case "SRConsAPI createOrUpdate":
                return createOrUpdate(p);
            case "SRConsAPI update":
                return update(p);
            case "SRConsAPI listUserFields":
                return listUserFields();
            case "SRDonationAPI addOfflineDonation":
                return addOfflineDonation(p);
            case "SRAdvocacyAPI takeAction":
                return takeAction(p);
            default:
                return error(6, "Missing or invalid method parameter: method names are case-sensitive.");
        }
    }

    private ResponseDefinition getUser(Map<String, String> p) {
        if (p.containsKey("cons_id")) {
            Constituent c = parseId(p.get("cons_id")).map(people::get).orElse(null);
            return c == null ? error(16, "Constituent record not found.") : ok("getConsResponse", render(c));
        }
        if (p.containsKey("primary_email")) {
            List<Constituent> matches = byEmail(p.get("primary_email"));
            if (matches.size() > 1) {
                return error(8, "The request matched more than one constituent.");
            }
            return matches.isEmpty() ? error(16, "Constituent record not found.")
                    : ok("getConsResponse", render(matches.get(0)));
        }
        return error(9, "Required parameters missing: cons_id, member_id or primary_email");
    }

    private ResponseDefinition createOrUpdate(Map<String, String> p) {
        Constituent c;
        String message;
        if (p.containsKey("cons_id")) {
            c = parseId(p.get("cons_id")).map(people::get).orElse(null);
            if (c == null) {
                // create-or-update-server.html: a cons_id that is not found: nothing happens.
                ObjectNode body = JSON.createObjectNode().put("cons_id", p.get("cons_id")).put("message",
                        "User updated.");
                return ok("createOrUpdateConsResponse", body);
            }
            message = "User updated.";
        } else if (p.containsKey("primary_email")) {
            List<Constituent> matches = byEmail(p.get("primary_email"));
            if (matches.size() == 1) {
                c = matches.get(0);
                message = "User updated.";
            } else if (matches.size() > 1 && uniqueEmails) {
                return error(8, "The request matched more than one constituent.");
            } else {
                c = new Constituent(nextConsId++);
                people.put(c.consId, c);
                message = "User created.";
                put(c, "email.accepts_email", "false"); // new constituents are opted out unless told (pitfall 12)
                Optional.ofNullable(p.get("source")).ifPresent(s -> put(c, "origin_source", s));
                Optional.ofNullable(p.get("add_center_ids")).ifPresent(s -> put(c, "centers", s));
                Optional.ofNullable(p.get("no_welcome")).ifPresent(s -> put(c, "no_welcome_sent", s));
            }
        } else {
            return error(9, "Required parameters missing: cons_id, member_id or primary_email");
        }
        apply(c, p);
        ObjectNode body = JSON.createObjectNode().put("cons_id", Long.toString(c.consId)).put("message", message);
        return ok("createOrUpdateConsResponse", body);
    }

    private ResponseDefinition update(Map<String, String> p) {
        Constituent c = parseId(p.getOrDefault("cons_id", "")).map(people::get).orElse(null);
        if (c == null) {
            return error(16, "Constituent record not found.");
        }
        String email = p.get("primary_email");
        if (email != null && !email.isBlank() && uniqueEmails
                && byEmail(email).stream().anyMatch(o -> o.consId != c.consId)) {
            return error(13, "Duplicate email address.");
        }
        apply(c, p);
        return ok("updateConsResponse", JSON.createObjectNode().put("cons_id", Long.toString(c.consId))
                .put("message", "User updated."));
    }

    private static final List<String> NOT_FIELDS = List.of("method", "api_key", "v", "login_name", "login_password",
            "response_format", "cons_id", "source", "sub_source", "add_center_ids", "no_welcome", "center_id",
            "suppress_response_codes");

    /** Sets the fields a write names; an empty parameter is ignored and a single space clears (reference §3.3). */
    private void apply(Constituent c, Map<String, String> p) {
        p.forEach((name, value) -> {
            if (NOT_FIELDS.contains(name) || value.isEmpty()) {
                return;
            }
            if (!userFields.containsKey(name) && !name.equals("email.primary_address")) {
                return; // a field the API user may not change is ignored
            }
            String field = name.equals("email.primary_address") ? "primary_email" : name;
            put(c, field, value.isBlank() ? null : value);
        });
        c.changed = clock.instant();
        changed();
    }

    private ResponseDefinition listUserFields() {
        ArrayNode fields = JSON.createArrayNode();
        userFields.forEach((name, type) -> fields.addObject().put("name", name).put("label", label(name))
                .put("valueType", type).put("required", "false"));
        ObjectNode body = JSON.createObjectNode();
        body.set("field", fields.size() == 1 ? fields.get(0) : fields);
        return ok("listConsFieldsResponse", body);
    }

    private static String label(String name) {
        return name.equals(OPTIN_FIELD) ? "Mobile Opt-in" : name;
    }

    private ResponseDefinition addOfflineDonation(Map<String, String> p) {
        List<String> missing = new ArrayList<>();
        for (String required : List.of("billing.name.first", "billing.name.last", "donor.email", "form_id", "level_id",
                "offline_payment_method")) {
            if (p.getOrDefault(required, "").isBlank()) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            return error(9, "Required parameters missing: " + String.join(", ", missing));
        }
        if (!p.get("form_id").matches("[0-9]+")) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("errors").put("code", "101").put("message", "Invalid donation form.");
            return ok("donationResponse", body);
        }
        Map<String, String> gift = new LinkedHashMap<>(p);
        gift.keySet().removeAll(List.of("api_key", "login_name", "login_password"));
        String id = Long.toString(nextGift++);
        gift.put("transaction_id", id);
        gift.put("recorded_at", GIFT_TIME.format(clock.instant()));
        gifts.add(gift);
        ObjectNode body = JSON.createObjectNode();
        body.putObject("donation").put("transaction_id", id).put("confirmation_code", "OFF-" + id);
        return ok("donationResponse", body);
    }

    private ResponseDefinition takeAction(Map<String, String> p) {
        if (p.getOrDefault("alert_id", "").isBlank() || p.getOrDefault("alert_type", "").isBlank()) {
            return error(9, "Required parameters missing: alert_id, alert_type");
        }
        if (parseId(p.getOrDefault("cons_id", "")).map(people::get).isEmpty()) {
            return error(16, "Constituent record not found.");
        }
        Map<String, String> action = new LinkedHashMap<>(p);
        action.keySet().removeAll(List.of("api_key", "login_name", "login_password"));
        actions.add(action);
        return ok("takeActionResponse", JSON.createObjectNode().put("success", "true"));
    }

    private ResponseDefinition exportDownload(String method, String name) {
        synchronized (this) {
            Path file = exportFolder == null ? null : exportFolder.resolve(name);
            if (!method.equals("GET") || file == null || !Files.isRegularFile(file)) {
                return aResponse().withStatus(404).withHeader("Content-Type", "text/html")
                        .withBody("<html><body>Not Found</body></html>").build();
            }
            try {
                byte[] bytes = Files.readAllBytes(file);
                Instant modified = Files.getLastModifiedTime(file).toInstant();
                return aResponse().withStatus(200).withHeader("Content-Type", "text/csv")
                        .withHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC)
                                .format(modified)).withBody(bytes).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ----- rendering -----

    /** The constituent as getConsResponse has it: strings, nested by the dots, empties as null or {}. */
    private ObjectNode render(Constituent c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cons_id", Long.toString(c.consId));
        o.putNull("member_id");
        ObjectNode name = o.putObject("name");
        value(name, "first", c.get("name.first"));
        value(name, "last", c.get("name.last"));
        value(name, "title", null);
        ObjectNode email = o.putObject("email");
        value(email, "primary_address", c.get("primary_email"));
        value(email, "accepts_email", c.get("email.accepts_email"));
        value(o, "mobile_phone", c.get("mobile_phone"));
        value(o, "home_phone", c.get("home_phone"));
        ObjectNode address = o.putObject("primary_address");
        for (String part : List.of("street1", "street2", "city", "state", "zip", "country")) {
            value(address, part, c.get("primary_address." + part));
        }
        ObjectNode custom = o.putObject("custom");
        ArrayNode booleans = JSON.createArrayNode();
        c.fields.forEach((k, v) -> {
            if (k.startsWith("custom_boolean")) {
                booleans.addObject().put("id", k).put("content", v);
            }
        });
        if (!c.fields.containsKey(OPTIN_FIELD)) {
            booleans.addObject().put("id", OPTIN_FIELD).putNull("content");
        }
        // A list of one comes as the object itself (client code's ensureArray).
        custom.set("boolean", booleans.size() == 1 ? booleans.get(0) : booleans);
        return o;
    }

    /** A value, or an empty field the way Luminate varies it: null, or {} (reference notes §3.1). */
    private void value(ObjectNode parent, String name, String value) {
        if (value != null) {
            parent.put(name, value);
        } else if (emptyAsObject) {
            parent.putObject(name);
        } else {
            parent.putNull(name);
        }
        emptyAsObject = !emptyAsObject;
    }

    private List<Constituent> byEmail(String email) {
        String e = email.trim().toLowerCase(Locale.ROOT);
        return people.values().stream().filter(c -> c.get("primary_email") != null
                && c.get("primary_email").toLowerCase(Locale.ROOT).equals(e)).toList();
    }

    private static Optional<Long> parseId(String v) {
        return v != null && v.trim().matches("[0-9]{1,18}") ? Optional.of(Long.parseLong(v.trim())) : Optional.empty();
    }

    private static ResponseDefinition ok(String root, ObjectNode body) {
        ObjectNode o = JSON.createObjectNode();
        o.set(root, body);
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json;charset=UTF-8")
                .withBody(o.toString()).build();
    }

    private static ResponseDefinition error(int code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("errorResponse").put("code", Integer.toString(code)).put("message", message);
        return aResponse().withStatus(403).withHeader("Content-Type", "application/json;charset=UTF-8")
                .withBody(o.toString()).build();
    }

    private static Map<String, String> form(Request request) {
        Map<String, String> params = new LinkedHashMap<>();
        String query = request.getUrl().contains("?") ? request.getUrl().substring(request.getUrl().indexOf('?') + 1)
                : "";
        String body = request.getBodyAsString();
        for (String part : (query + "&" + (body == null ? "" : body)).split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(k, v);
        }
        return params;
    }
}
