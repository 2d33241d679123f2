package org.crmsync.everyaction;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crmsync.testing.sim.CallCounts;
import org.crmsync.testing.sim.ScriptedFaults;
import org.crmsync.testing.sim.SimulatorServer;

/**
 * A stateful NGP VAN API v4 (EveryAction, MyCampaign) on WireMock, for tests and the examples. People
 * with phones, emails and addresses; {@code people/findOrCreate} and {@code people/find} with VAN's
 * match candidates (first name, last name and email; first name, last name and phone; the email
 * alone; case and accents ignored: https://docs.ngpvan.com/reference/common-models); {@code
 * people/{vanId}} reads with {@code $expand} (unexpanded collections null, expanded empty ones [])
 * and updates; changed-entity export jobs of {@code Contacts} that complete later on the clock given,
 * with {@code excludeChangesFromSelf}, split into several files served by a second server (another
 * origin, as VAN's download links are), whose links expire; the {@code apiKeyProfiles} introspection;
 * HTTP Basic {@code appName:apiKey|mode}; and VAN's error envelope {@code {"errors":[{code, text,
 * properties}]}}. Reads answer display words ({@code "Cell"}, {@code "Opt-In"}), writes take codes
 * ({@code "C"}, {@code "I"}).
 *
 * <p>Where VAN's documents are silent the simulator chooses, and says so: a new email given without
 * {@code isSubscribed} is subscribed (parsons PR #963 makes "not subscribed by default" the option);
 * findOrCreate answers 201 for a new person and 302 for a match, each with {@code {vanId, status}}
 * (NGP VAN's sample client), or 200 with the person ({@link #findOrCreateAnswersWithThePerson});
 * error texts are the simulator's own.
 */
public final class EveryActionSimulator implements AutoCloseable {
    public static final String APP_NAME = "crmsync.test";
    public static final String API_KEY = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PERSON = Pattern.compile("/v4/people/([0-9]+)");
    private static final Pattern JOB = Pattern.compile("/v4/changedEntityExportJobs/([0-9]+)");
    private static final Pattern FILE = Pattern.compile("/files/([0-9]+)/([0-9]+)\\.csv");
    private static final DateTimeFormatter VAN_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSxxx")
            .withZone(ZoneOffset.ofHours(-4));

    private final Clock clock;
    private final SimulatorServer api;
    private final SimulatorServer files;

    // ----- state, guarded by this -----
    private final TreeMap<Long, Person> people = new TreeMap<>();
    private final Map<Long, Job> jobs = new LinkedHashMap<>();
    private final CallCounts counts = new CallCounts();
    private final Map<String, JsonNode> lastBodies = new LinkedHashMap<>();
    private final ScriptedFaults faults = new ScriptedFaults(json(503,
            errors("INTERNAL_SERVER_ERROR", "The service is unavailable.")));
    private final Set<String> forbidden = new HashSet<>();
    private long nextVanId = 100_000_001;
    private long nextPhoneId = 15_406_767;
    private long nextJobId = 2_170_181_229L;
    private Duration jobDelay = Duration.ZERO;
    private int rowsPerFile;
    private Duration fileLifetime = Duration.ofDays(20);
    private Set<Integer> modes = Set.of(1);
    private boolean hasMyCampaign = true;
    private boolean hasMyVoters = false;
    private boolean findOrCreateAnswersWithPerson;
    private String failNextJob;
    private Duration latency = Duration.ZERO;

    private static final class Person {
        final long vanId;
        String firstName;
        String lastName;
        final List<Phone> phones = new ArrayList<>();
        final List<Email> emails = new ArrayList<>();
        final List<Map<String, String>> addresses = new ArrayList<>();
        /** When it changed, and whether the API user made the change. */
        final List<Map.Entry<Instant, Boolean>> changes = new ArrayList<>();

        Person(long vanId) {
            this.vanId = vanId;
        }

        Optional<Phone> cell() {
            return phones.stream().filter(p -> p.type.equals("C")).filter(p -> p.preferred).findFirst()
                    .or(() -> phones.stream().filter(p -> p.type.equals("C")).findFirst());
        }

        Optional<Email> email() {
            return emails.stream().filter(e -> e.preferred).findFirst().or(() -> emails.stream().findFirst());
        }
    }

    private static final class Phone {
        final long id;
        final String number;
        String type = "H";
        boolean preferred;
        String sms = "U";
        String phoneOptIn = "U";

        Phone(long id, String number) {
            this.id = id;
            this.number = number;
        }
    }

    private static final class Email {
        final String address;
        boolean preferred;
        boolean subscribed;

        Email(String address) {
            this.address = address;
        }
    }

    private static final class Job {
        final long id;
        final Instant createdAt;
        final Instant from;
        final Instant to;
        final List<Long> changed;
        final List<String> fields;
        final Integer kbLimit;
        String status = "Pending";
        String message = "Created export job";
        List<String> fileContents = List.of();
        Instant completedAt;
        boolean filesRemoved;
        final boolean excludeSelf;

        Job(long id, Instant createdAt, Instant from, Instant to, List<Long> changed, List<String> fields,
                Integer kbLimit, boolean excludeSelf) {
            this.id = id;
            this.createdAt = createdAt;
            this.from = from;
            this.to = to;
            this.changed = changed;
            this.fields = fields;
            this.kbLimit = kbLimit;
            this.excludeSelf = excludeSelf;
        }
    }

    /** A person as the simulator holds it, for assertions; no values are printed. */
    public record SimPerson(long vanId, String firstName, String lastName, String email,
            Optional<Boolean> emailSubscribed, String cellPhone, String smsOptIn, int phones, String country) {
        @Override
        public String toString() {
            return "SimPerson{" + vanId + "}";
        }
    }

    private EveryActionSimulator(Clock clock) {
        this.clock = clock;
        this.api = SimulatorServer.start("everyaction-api", this::handle);
        this.files = SimulatorServer.start("everyaction-files", this::handleFile);
    }

    /** Starts a simulator on the system clock (the benchmark's and the demo's). */
    public static EveryActionSimulator start() {
        return new EveryActionSimulator(Clock.systemUTC());
    }

    /** Starts a simulator (its API and its file host) on free local ports; time comes from {@code clock}. */
    public static EveryActionSimulator start(Clock clock) {
        return new EveryActionSimulator(clock);
    }

    /** The {@code api.host} of this simulator: {@code http://127.0.0.1:port}. */
    public String apiHost() {
        return api.baseUrl();
    }

    /** A connector configuration for this simulator. */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(EveryActionConfig.API_HOST, apiHost());
        c.put(EveryActionConfig.APP_NAME, APP_NAME);
        c.put(EveryActionConfig.API_KEY, API_KEY);
        return c;
    }

    @Override
    public void close() {
        api.close();
        files.close();
    }

    // ----- arranging, as a user of EveryAction would (not the API user: these changes are exported) -----

    /**
     * Adds a person with a cell phone (E.164 or ten digits; null for none) whose SMS opt-in is {@code sms}
     * ({@code I}, {@code O} or {@code U}); returns the VAN ID.
     */
    public synchronized long addPerson(String firstName, String lastName, String email, String cellPhone, String sms) {
        Person p = new Person(nextVanId++);
        p.firstName = firstName;
        p.lastName = lastName;
        if (email != null) {
            Email e = new Email(email);
            e.preferred = true;
            e.subscribed = true;
            p.emails.add(e);
        }
        if (cellPhone != null) {
            Phone phone = new Phone(nextPhoneId++, national(cellPhone));
            phone.type = "C";
            phone.preferred = true;
            phone.sms = sms;
            p.phones.add(phone);
        }
        people.put(p.vanId, p);
        changed(p, false);
        return p.vanId;
    }

    /** Adds a phone of this type ({@code H}, {@code W}, {@code C}, ...) to a person. */
    public synchronized EveryActionSimulator addPhone(long vanId, String number, String type, String sms, boolean preferred) {
        Person p = person(vanId);
        Phone phone = new Phone(nextPhoneId++, national(number));
        phone.type = type;
        phone.sms = sms;
        phone.preferred = preferred;
        if (preferred) {
            p.phones.forEach(other -> other.preferred = false);
        }
        p.phones.add(phone);
        changed(p, false);
        return this;
    }

    /** Gives a person a (preferred) address. */
    public synchronized EveryActionSimulator address(long vanId, String line1, String city, String state, String zip,
            String country) {
        Person p = person(vanId);
        Map<String, String> a = new LinkedHashMap<>();
        a.put("addressLine1", line1);
        a.put("city", city);
        a.put("stateOrProvince", state);
        a.put("zipOrPostalCode", zip);
        a.put("countryCode", country);
        p.addresses.clear();
        p.addresses.add(a);
        changed(p, false);
        return this;
    }

    /** Changes a person as an EveryAction user would: firstName, lastName, email or sms (the cell's opt-in). */
    public synchronized EveryActionSimulator edit(long vanId, String field, String value) {
        Person p = person(vanId);
        switch (field) {
            case "firstName":
                p.firstName = value;
                break;
            case "lastName":
                p.lastName = value;
                break;
            case "email":
                p.emails.clear();
                if (value != null) {
                    Email e = new Email(value);
                    e.preferred = true;
                    e.subscribed = true;
                    p.emails.add(e);
                }
                break;
            case "sms":
                p.cell().orElseThrow(() -> new IllegalArgumentException("no cell phone")).sms = value;
                break;
            case "cellPhone":
                p.phones.removeIf(ph -> ph.type.equals("C"));
                if (value != null) {
                    Phone phone = new Phone(nextPhoneId++, national(value));
                    phone.type = "C";
                    phone.preferred = true;
                    p.phones.add(phone);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown field " + field);
        }
        changed(p, false);
        return this;
    }

    // ----- settings -----

    /** How long after its creation an export job completes (default zero: at the first status check). */
    public synchronized EveryActionSimulator jobDelay(Duration value) {
        this.jobDelay = value;
        return this;
    }

    /** Rows per export file (0, the default, splits by the job's fileSizeKbLimit only). */
    public synchronized EveryActionSimulator rowsPerFile(int value) {
        this.rowsPerFile = value;
        return this;
    }

    /** How long a download link works after the job completes (default 20 days, the create page's words). */
    public synchronized EveryActionSimulator fileLifetime(Duration value) {
        this.fileLifetime = value;
        return this;
    }

    /** The files of every job so far are removed: their links answer 404. */
    public synchronized EveryActionSimulator expireFiles() {
        jobs.values().forEach(j -> j.filesRemoved = true);
        return this;
    }

    /** The next export job ends with {@code jobStatus} Error and this message. */
    public synchronized EveryActionSimulator failNextJob(String message) {
        this.failNextJob = message;
        return this;
    }

    /** The database modes the key works in, and what its profile says it has. */
    public synchronized EveryActionSimulator key(Set<Integer> modesAccepted, boolean myCampaign, boolean myVoters) {
        this.modes = Set.copyOf(modesAccepted);
        this.hasMyCampaign = myCampaign;
        this.hasMyVoters = myVoters;
        return this;
    }

    /** findOrCreate answers 200 with the full person (the vendor's reference) instead of 201/302 with {vanId, status}. */
    public synchronized EveryActionSimulator findOrCreateAnswersWithThePerson(boolean value) {
        this.findOrCreateAnswersWithPerson = value;
        return this;
    }

    /** Every answer this much later from now on (on the wall clock: for the benchmark only). */
    public synchronized EveryActionSimulator latency(Duration value) {
        this.latency = value;
        return this;
    }

    /** Calls of this kind answer 403: the API user lacks the permission. */
    public synchronized EveryActionSimulator forbid(String kind) {
        forbidden.add(kind);
        return this;
    }

    // ----- faults, as the contract's fault matrix and tests script them -----

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

    public synchronized void clearFaults() {
        faults.clear();
        forbidden.clear();
    }

    // ----- looking -----

    public int calls(String kind) {
        return counts.of(kind);
    }

    public Map<String, Integer> callCounts() {
        return counts.all();
    }

    public int totalRequests() {
        return counts.total();
    }

    public void resetCounts() {
        counts.reset();
    }

    /** The body of the last request of this kind. */
    public synchronized Optional<JsonNode> lastBody(String kind) {
        return Optional.ofNullable(lastBodies.get(kind));
    }

    public synchronized int jobsCreated() {
        return jobs.size();
    }

    public synchronized List<Long> vanIds() {
        return new ArrayList<>(people.keySet());
    }

    public synchronized Optional<SimPerson> find(long vanId) {
        Person p = people.get(vanId);
        if (p == null) {
            return Optional.empty();
        }
        Optional<Email> e = p.email();
        Optional<Phone> cell = p.cell();
        return Optional.of(new SimPerson(p.vanId, p.firstName, p.lastName, e.map(x -> x.address).orElse(null),
                e.map(x -> x.subscribed), cell.map(c -> "+1" + c.number).orElse(null), cell.map(c -> c.sms).orElse(null),
                p.phones.size(), p.addresses.isEmpty() ? null : p.addresses.get(0).get("countryCode")));
    }

    public synchronized List<SimPerson> all() {
        return people.keySet().stream().map(id -> find(id).orElseThrow()).toList();
    }

    // ----- the API -----

    private static String kind(String method, String path) {
        if (path.equals("/v4/apiKeyProfiles")) {
            return "GET /apiKeyProfiles";
        }
        if (path.equals("/v4/people/findOrCreate")) {
            return "POST /people/findOrCreate";
        }
        if (path.equals("/v4/people/find")) {
            return "POST /people/find";
        }
        if (PERSON.matcher(path).matches()) {
            return method + " /people/{vanId}";
        }
        if (path.equals("/v4/changedEntityExportJobs")) {
            return "POST /changedEntityExportJobs";
        }
        if (path.startsWith("/v4/changedEntityExportJobs/fields/")) {
            return "GET /changedEntityExportJobs/fields/{resourceType}";
        }
        if (JOB.matcher(path).matches()) {
            return "GET /changedEntityExportJobs/{id}";
        }
        return method + " " + path;
    }

    private ResponseDefinition handle(Request request) {
        String path = request.getUrl().replaceAll("\\?.*$", "");
        String method = request.getMethod().getName();
        String kind = kind(method, path);
        counts.count(kind);
        Optional<ResponseDefinition> fault = faults.instead(kind);
        if (fault.isPresent()) {
            return fault.get();
        }
        ResponseDefinition answer;
        Duration late;
        synchronized (this) {
            answer = answer(request, method, path, kind);
            late = latency;
        }
        if (faults.dropAfter(kind)) {
            return ScriptedFaults.droppedConnection();
        }
        return late.isZero() ? answer : ResponseDefinitionBuilder.like(answer).withFixedDelay((int) late.toMillis())
                .build();
    }

    private ResponseDefinition answer(Request request, String method, String path, String kind) {
        Optional<ResponseDefinition> refused = authenticate(request.getHeader("Authorization"));
        if (refused.isPresent()) {
            return refused.get();
        }
        if (forbidden.contains(kind)) {
            return json(403, errors("FORBIDDEN", "The API user does not have permission to access this resource."))
                    .build();
        }
        JsonNode body = null;
        if (method.equals("POST")) {
            try {
                body = JSON.readTree(request.getBodyAsString());
            } catch (IOException e) {
                return json(400, errors("INVALID_PARAMETER", "The request body is not valid JSON.")).build();
            }
            lastBodies.put(kind, body);
        }
        switch (kind) {
            case "GET /apiKeyProfiles":
                return keyProfile();
            case "POST /people/findOrCreate":
                return findOrCreate(body);
            case "POST /people/find":
                return find(body);
            case "GET /people/{vanId}":
                return getPerson(Long.parseLong(matched(PERSON, path)), request.queryParameter("$expand"));
            case "POST /people/{vanId}":
                return updatePerson(Long.parseLong(matched(PERSON, path)), body);
            case "POST /changedEntityExportJobs":
                return createJob(body);
            case "GET /changedEntityExportJobs/fields/{resourceType}":
                return exportFields(path.substring(path.lastIndexOf('/') + 1));
            case "GET /changedEntityExportJobs/{id}":
                return jobStatus(Long.parseLong(matched(JOB, path)));
            default:
                return json(404, errors("NOT_FOUND", "The requested resource was not found.")).build();
        }
    }

    private Optional<ResponseDefinition> authenticate(String header) {
        String expected = APP_NAME + ":" + API_KEY + "|";
        if (header != null && header.startsWith("Basic ")) {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            if (decoded.startsWith(expected) && decoded.substring(expected.length()).matches("[01]")
                    && modes.contains(Integer.parseInt(decoded.substring(expected.length())))) {
                return Optional.empty();
            }
        }
        return Optional.of(json(401, errors("UNAUTHORIZED", "Authorization has been denied for this request."))
                .withHeader("WWW-Authenticate", "Basic").build());
    }

    private ResponseDefinition keyProfile() {
        ObjectNode item = JSON.createObjectNode().put("databaseName", "EveryAction Simulated")
                .put("hasMyVoters", hasMyVoters).put("hasMyCampaign", hasMyCampaign).put("committeeName", "Simulated")
                .put("apiKeyTypeName", "Custom Integration").put("keyReference", "0ae7").put("userFirstName", "crmsync")
                .put("userLastName", "api").put("username", "crmsync.api").put("userId", 4321);
        ObjectNode page = JSON.createObjectNode();
        page.putArray("items").add(item);
        page.putNull("nextPageLink");
        page.put("count", 1);
        return json(200, page).build();
    }

    private ResponseDefinition findOrCreate(JsonNode body) {
        Optional<ResponseDefinition> invalid = validate(body);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        Optional<Person> match = match(body);
        Person p;
        boolean created = match.isEmpty();
        if (created) {
            p = new Person(nextVanId++);
            people.put(p.vanId, p);
        } else {
            p = match.get();
        }
        merge(p, body);
        changed(p, true);
        if (findOrCreateAnswersWithPerson) {
            return json(200, personJson(p, Set.of())).build();
        }
        ObjectNode answer = JSON.createObjectNode().put("vanId", p.vanId).put("status", created ? "UnmatchedStored"
                : "Matched");
        ResponseDefinitionBuilder b = json(created ? 201 : 302, answer);
        if (!created) {
            b.withHeader("Location", api.baseUrl() + "/v4/people/" + p.vanId);
        }
        return b.build();
    }

    private ResponseDefinition find(JsonNode body) {
        Optional<Person> match = match(body);
        if (match.isEmpty()) {
            return json(404, errors("NOT_FOUND", "No person matched the match candidate.")).build();
        }
        return aResponse().withStatus(302).withHeader("Location", api.baseUrl() + "/v4/people/" + match.get().vanId)
                .build();
    }

    private ResponseDefinition getPerson(long vanId, QueryParameter expand) {
        Person p = people.get(vanId);
        if (p == null) {
            return json(404, errors("NOT_FOUND", "The specified resource cannot be found.")).build();
        }
        Set<String> expanded = new HashSet<>();
        if (expand != null && expand.isPresent()) {
            for (String e : expand.firstValue().split(",")) {
                expanded.add(e.trim().toLowerCase(Locale.ROOT));
            }
        }
        return json(200, personJson(p, expanded)).build();
    }

    private ResponseDefinition updatePerson(long vanId, JsonNode body) {
        Person p = people.get(vanId);
        if (p == null) {
            return json(404, errors("NOT_FOUND", "The specified resource cannot be found.")).build();
        }
        Optional<ResponseDefinition> invalid = validate(body);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        merge(p, body);
        changed(p, true);
        return json(302, JSON.createObjectNode().put("vanId", vanId).put("status", "Matched"))
                .withHeader("Location", api.baseUrl() + "/v4/people/" + vanId).build();
    }

    private ResponseDefinition createJob(JsonNode body) {
        if (!"Contacts".equals(body.path("resourceType").asText())) {
            return json(400, errors("INVALID_PARAMETER", "'resourceType' must be a supported resource type.",
                    "resourceType")).build();
        }
        Instant now = clock.instant();
        Instant from;
        try {
            from = java.time.OffsetDateTime.parse(body.path("dateChangedFrom").asText()).toInstant();
        } catch (RuntimeException e) {
            return json(400, errors("INVALID_PARAMETER", "'dateChangedFrom' is required.", "dateChangedFrom")).build();
        }
        if (from.isBefore(now.minus(Duration.ofDays(90)))) {
            return json(400, errors("INVALID_PARAMETER", "'dateChangedFrom' must be in the last 90 days.",
                    "dateChangedFrom")).build();
        }
        Instant to = body.hasNonNull("dateChangedTo") ? java.time.OffsetDateTime.parse(body.path("dateChangedTo")
                .asText()).toInstant() : now;
        boolean excludeSelf = body.path("excludeChangesFromSelf").asBoolean(false)
                || body.path("excludeChangesFromSelf").asText("").equalsIgnoreCase("true");
        List<Long> changed = new ArrayList<>();
        for (Person p : people.values()) {
            boolean inWindow = p.changes.stream().anyMatch(c -> !c.getKey().isBefore(from) && !c.getKey().isAfter(to)
                    && !(excludeSelf && c.getValue()));
            if (inWindow) {
                changed.add(p.vanId);
            }
        }
        List<String> fields = new ArrayList<>();
        body.path("requestedFields").forEach(f -> fields.add(f.asText()));
        Integer kb = body.path("fileSizeKbLimit").canConvertToInt() ? body.path("fileSizeKbLimit").asInt() : null;
        Job job = new Job(nextJobId++, now, from, to, changed, fields.isEmpty() ? List.of("VanID") : fields, kb,
                excludeSelf);
        if (failNextJob != null) {
            job.status = "Error";
            job.message = failNextJob;
            failNextJob = null;
        }
        jobs.put(job.id, job);
        ObjectNode answer = jobJson(job);
        answer.put("resourceType", "Contacts");
        ArrayNode requested = answer.putArray("requestedFields");
        job.fields.forEach(requested::add);
        if (excludeSelf) {
            answer.put("excludeChangesFromSelf", "true"); // a string, as the vendor's example shows it
        }
        answer.put("contactMode", body.path("contactMode").asInt(3));
        if (kb != null) {
            answer.put("fileSizeKbLimit", kb);
        }
        return json(201, answer).build();
    }

    /**
     * The Contacts fields of the export. VanID, FirstName, LastName and Phone are the ones real syncers
     * request (sunrise data dept); the others are this simulator's own names for what {@code export.fields}
     * may name: an account's real fields are what its {@code fields/Contacts} lists.
     */
    static final List<String> EXPORT_FIELDS = List.of("VanID", "FirstName", "LastName", "Phone", "DateCreated",
            "CellPhone", "CellPhoneSmsOptInStatus", "Email", "AddressLine1", "City", "StateOrProvince", "ZipOrPostalCode",
            "CountryCode");

    private ResponseDefinition exportFields(String resourceType) {
        if (!resourceType.equals("Contacts")) {
            return json(400, errors("INVALID_PARAMETER", "'resourceType' must be a supported resource type.",
                    "resourceType")).build();
        }
        ArrayNode fields = JSON.createArrayNode();
        for (String f : EXPORT_FIELDS) {
            fields.addObject().put("fieldName", f).put("fieldType", f.equals("VanID") ? "N" : f.equals("DateCreated")
                    ? "D" : "T").putNull("maxTextboxCharacters").put("isCoreField", List.of("VanID", "FirstName",
                            "LastName").contains(f)).putNull("availableValues");
        }
        return json(200, fields).build();
    }

    private ResponseDefinition jobStatus(long id) {
        Job job = jobs.get(id);
        if (job == null) {
            return json(404, errors("NOT_FOUND", "The specified export job cannot be found.")).build();
        }
        if (job.status.equals("Pending") && !clock.instant().isBefore(job.createdAt.plus(jobDelay))) {
            complete(job);
        } else if (job.status.equals("Pending")) {
            job.status = "InProcess";
        } else if (job.status.equals("InProcess") && !clock.instant().isBefore(job.createdAt.plus(jobDelay))) {
            complete(job);
        }
        return json(200, jobJson(job)).build();
    }

    /** The job's files, of the current version of each changed person ("not records at the snapshot moment"). */
    private void complete(Job job) {
        List<String> header = job.fields;
        List<String> rows = new ArrayList<>();
        for (long id : job.changed) {
            Person p = people.get(id);
            if (p == null) {
                continue;
            }
            List<String> values = new ArrayList<>();
            for (String f : header) {
                switch (f) {
                    case "VanID": values.add(Long.toString(p.vanId)); break;
                    case "FirstName": values.add(csv(p.firstName)); break;
                    case "LastName": values.add(csv(p.lastName)); break;
                    case "Phone":
                        values.add(p.phones.stream().filter(ph -> ph.preferred).findFirst()
                                .or(() -> p.phones.stream().findFirst()).map(ph -> ph.number).orElse(""));
                        break;
                    case "DateCreated": values.add("2019-01-11"); break;
                    case "CellPhone": values.add(p.cell().map(c -> c.number).orElse("")); break;
                    case "CellPhoneSmsOptInStatus": values.add(p.cell().map(c -> optInWord(c.sms)).orElse("")); break;
                    case "Email": values.add(csv(p.email().map(e -> e.address).orElse(null))); break;
                    case "AddressLine1": case "City": case "StateOrProvince": case "ZipOrPostalCode": case "CountryCode":
                        String key = Character.toLowerCase(f.charAt(0)) + f.substring(1);
                        values.add(csv(p.addresses.isEmpty() ? null : p.addresses.get(0).get(key)));
                        break;
                    default: values.add("");
                }
            }
            rows.add(String.join(",", values));
        }
        List<String> contents = new ArrayList<>();
        StringBuilder file = new StringBuilder(String.join(",", header)).append("\r\n");
        int inFile = 0;
        long limit = job.kbLimit == null ? Long.MAX_VALUE : job.kbLimit * 1024L;
        for (String row : rows) {
            boolean full = (rowsPerFile > 0 && inFile >= rowsPerFile) || (inFile > 0 && file.length() + row.length() > limit);
            if (full) {
                contents.add(file.toString());
                file = new StringBuilder(String.join(",", header)).append("\r\n");
                inFile = 0;
            }
            file.append(row).append("\r\n");
            inFile++;
        }
        contents.add(file.toString());
        job.fileContents = contents;
        job.status = "Complete";
        job.message = "Finished processing export job";
        job.completedAt = clock.instant();
    }

    private ObjectNode jobJson(Job job) {
        ObjectNode j = JSON.createObjectNode();
        j.put("exportJobId", job.id);
        j.put("jobStatus", job.status);
        j.put("dateChangedFrom", VAN_TIME.format(job.from));
        j.put("dateChangedTo", VAN_TIME.format(job.to));
        ArrayNode fileList = j.putArray("files");
        if (job.status.equals("Complete")) {
            for (int i = 0; i < job.fileContents.size(); i++) {
                fileList.addObject().put("downloadUrl", files.baseUrl() + "/files/" + job.id + "/" + (i + 1) + ".csv")
                        .put("dateExpired", VAN_TIME.format(job.completedAt.plus(fileLifetime)));
            }
        }
        j.put("message", job.message);
        if (job.status.equals("Error")) {
            j.put("code", "8A1B2C-" + job.id);
        } else {
            j.putNull("code");
        }
        j.put("exportedRecordCount", job.status.equals("Complete") ? job.changed.size() : 0);
        return j;
    }

    private ResponseDefinition handleFile(Request request) {
        counts.count("GET /files");
        Optional<ResponseDefinition> fault = faults.instead("GET /files");
        if (fault.isPresent()) {
            return fault.get();
        }
        ResponseDefinition answer;
        synchronized (this) {
            answer = file(request);
        }
        return faults.dropAfter("GET /files") ? ScriptedFaults.droppedConnection() : answer;
    }

    private ResponseDefinition file(Request request) {
        if (request.getHeader("Authorization") != null) {
            // The file host is another origin: VAN's credentials must never be sent to it.
            return aResponse().withStatus(400).withHeader("Content-Type", "text/plain")
                    .withBody("credentials sent to the file host").build();
        }
        Matcher m = FILE.matcher(request.getUrl().replaceAll("\\?.*$", ""));
        Job job = m.matches() ? jobs.get(Long.parseLong(m.group(1))) : null;
        int index = m.matches() ? Integer.parseInt(m.group(2)) - 1 : -1;
        if (job == null || job.filesRemoved || job.completedAt == null || index < 0 || index >= job.fileContents.size()
                || clock.instant().isAfter(job.completedAt.plus(fileLifetime))) {
            return aResponse().withStatus(404).withHeader("Content-Type", "text/plain").withBody("Not Found").build();
        }
        return aResponse().withStatus(200).withHeader("Content-Type", "text/csv")
                .withBody(job.fileContents.get(index)).build();
    }

    // ----- VAN's rules -----

    /** The person VAN matches for a body, by its minimum match candidates; the lowest VAN ID of several. */
    private Optional<Person> match(JsonNode body) {
        String first = fold(body.path("firstName").asText(""));
        String last = fold(body.path("lastName").asText(""));
        Set<String> emails = new LinkedHashSet<>();
        body.path("emails").forEach(e -> {
            if (!e.path("email").asText("").isBlank()) {
                emails.add(e.path("email").asText().trim().toLowerCase(Locale.ROOT));
            }
        });
        Set<String> phones = new LinkedHashSet<>();
        body.path("phones").forEach(ph -> {
            if (!ph.path("phoneNumber").asText("").isBlank()) {
                phones.add(national(ph.path("phoneNumber").asText()));
            }
        });
        boolean names = !first.isEmpty() && !last.isEmpty();
        for (Person p : people.values()) {
            boolean sameNames = names && fold(p.firstName).equals(first) && fold(p.lastName).equals(last);
            boolean email = p.emails.stream().anyMatch(e -> emails.contains(e.address.toLowerCase(Locale.ROOT)));
            boolean phone = p.phones.stream().anyMatch(ph -> phones.contains(ph.number));
            if (email || (sameNames && phone)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Optional<ResponseDefinition> validate(JsonNode body) {
        int i = 0;
        for (JsonNode e : body.path("emails")) {
            if (!e.path("email").asText("").matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                return Optional.of(json(400, errors("INVALID_PARAMETER", "'emails[" + i + "].email' must be a valid"
                        + " email address.", "emails[" + i + "].email")).build());
            }
            i++;
        }
        i = 0;
        for (JsonNode ph : body.path("phones")) {
            if (national(ph.path("phoneNumber").asText("")).length() != 10) {
                return Optional.of(json(400, errors("INVALID_PARAMETER", "'phones[" + i + "].phoneNumber' must be a"
                        + " valid phone number.", "phones[" + i + "].phoneNumber")).build());
            }
            i++;
        }
        return Optional.empty();
    }

    /** Sets what the body gives on the person: names, emails, phones (matched by number), the address. */
    private void merge(Person p, JsonNode body) {
        if (body.hasNonNull("firstName")) {
            p.firstName = body.path("firstName").asText();
        }
        if (body.hasNonNull("lastName")) {
            p.lastName = body.path("lastName").asText();
        }
        for (JsonNode e : body.path("emails")) {
            String address = e.path("email").asText().trim();
            Email email = p.emails.stream().filter(x -> x.address.equalsIgnoreCase(address)).findFirst().orElse(null);
            if (email == null) {
                email = new Email(address);
                email.subscribed = true; // VAN's default, per parsons PR #963
                email.preferred = p.emails.isEmpty();
                p.emails.add(email);
            }
            if (e.has("isSubscribed")) {
                email.subscribed = e.path("isSubscribed").asBoolean();
            }
            if (e.path("isPreferred").asBoolean(false)) {
                p.emails.forEach(x -> x.preferred = false);
                email.preferred = true;
            }
        }
        for (JsonNode ph : body.path("phones")) {
            String number = national(ph.path("phoneNumber").asText());
            Phone phone = p.phones.stream().filter(x -> x.number.equals(number)).findFirst().orElse(null);
            if (phone == null) {
                phone = new Phone(nextPhoneId++, number);
                phone.preferred = p.phones.isEmpty();
                p.phones.add(phone);
            }
            if (ph.hasNonNull("phoneType")) {
                phone.type = ph.path("phoneType").asText();
            }
            if (ph.hasNonNull("smsOptInStatus")) {
                phone.sms = ph.path("smsOptInStatus").asText();
            }
            if (ph.hasNonNull("phoneOptInStatus")) {
                phone.phoneOptIn = ph.path("phoneOptInStatus").asText();
            }
            if (ph.path("isPreferred").asBoolean(false)) {
                p.phones.forEach(x -> x.preferred = false);
                phone.preferred = true;
            }
        }
        for (JsonNode a : body.path("addresses")) {
            Map<String, String> address = p.addresses.isEmpty() ? new LinkedHashMap<>() : p.addresses.get(0);
            a.properties().forEach(f -> address.put(f.getKey(), f.getValue().asText()));
            if (p.addresses.isEmpty()) {
                p.addresses.add(address);
            }
        }
    }

    private ObjectNode personJson(Person p, Set<String> expanded) {
        ObjectNode j = JSON.createObjectNode();
        j.put("vanId", p.vanId);
        j.put("firstName", p.firstName);
        j.put("lastName", p.lastName);
        j.putNull("middleName");
        j.putNull("suffix");
        j.put("salutation", p.firstName);
        j.put("envelopeName", (p.firstName == null ? "" : p.firstName + " ") + (p.lastName == null ? "" : p.lastName));
        if (expanded.contains("emails")) {
            ArrayNode emails = j.putArray("emails");
            p.emails.forEach(e -> emails.addObject().put("type", "P").put("email", e.address)
                    .put("isPreferred", e.preferred).put("isSubscribed", e.subscribed)
                    .put("subscriptionStatus", e.subscribed ? "S" : "U"));
        } else {
            j.putNull("emails");
        }
        if (expanded.contains("phones")) {
            ArrayNode phones = j.putArray("phones");
            for (Phone ph : p.phones) {
                ObjectNode o = phones.addObject();
                o.put("phoneId", ph.id).put("phoneNumber", ph.number).putNull("ext")
                        .put("dateCreated", "2019-01-11T12:19:00Z").put("phoneType", typeWord(ph.type))
                        .put("isPreferred", ph.preferred).put("smsOptInStatus", optInWord(ph.sms))
                        .put("phoneOptInStatus", optInWord(ph.phoneOptIn));
                o.putObject("isCellStatus").put("statusId", ph.type.equals("C") ? 1 : 4)
                        .put("statusName", ph.type.equals("C") ? "Verified Cell" : "Unknown");
            }
        } else {
            j.putNull("phones");
        }
        if (expanded.contains("addresses")) {
            ArrayNode addresses = j.putArray("addresses");
            p.addresses.forEach(a -> {
                ObjectNode o = addresses.addObject().putNull("addressId");
                a.forEach(o::put);
                o.put("type", "Mailing").put("isPreferred", true);
            });
        } else {
            j.putNull("addresses");
        }
        j.putNull("identifiers");
        j.putNull("codes");
        j.putNull("customFields");
        j.putNull("suppressions");
        return j;
    }

    // ----- plumbing -----

    private void changed(Person p, boolean bySelf) {
        p.changes.add(Map.entry(clock.instant(), bySelf));
    }

    private Person person(long vanId) {
        Person p = people.get(vanId);
        if (p == null) {
            throw new IllegalArgumentException("no person " + vanId);
        }
        return p;
    }

    private static String matched(Pattern pattern, String path) {
        Matcher m = pattern.matcher(path);
        if (!m.matches()) {
            throw new IllegalStateException(path);
        }
        return m.group(1);
    }

    static String national(String number) {
        String digits = number == null ? "" : number.replaceAll("[^0-9]", "");
        return digits.length() == 11 && digits.startsWith("1") ? digits.substring(1) : digits;
    }

    private static String fold(String name) {
        if (name == null) {
            return "";
        }
        return Normalizer.normalize(name.trim(), Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }

    private static String typeWord(String code) {
        switch (code) {
            case "C": return "Cell";
            case "H": return "Home";
            case "W": return "Work";
            case "M": return "Main";
            case "F": return "Fax";
            default: return code;
        }
    }

    private static String optInWord(String code) {
        switch (code) {
            case "I": return "Opt-In";
            case "O": return "Opt-Out";
            default: return "Unknown";
        }
    }

    private static String csv(String value) {
        if (value == null) {
            return "";
        }
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    static ObjectNode errors(String code, String text, String... properties) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putArray("errors").addObject().put("code", code).put("text", text);
        if (properties.length > 0) {
            ArrayNode props = e.putArray("properties");
            for (String p : properties) {
                props.add(p);
            }
        }
        return body;
    }

    private static ResponseDefinitionBuilder json(int status, JsonNode body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(body.toString());
    }
}
