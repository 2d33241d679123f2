package org.crmsync.everyaction.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.HttpClients;
import org.crmsync.http.HttpErrors;
import org.crmsync.http.HttpSettings;
import org.crmsync.http.Redaction;
import org.crmsync.kit.ApiCalls;
import retrofit2.Call;
import retrofit2.Invocation;
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.jackson.JacksonConverterFactory;

/**
 * A small NGP VAN API v4 client over Retrofit. Every request to the API host carries HTTP Basic
 * {@code appName:apiKey|mode}; a file download (another host, a link VAN signed) carries no
 * credentials. Redirects are never followed: {@code people/findOrCreate} and {@code people/find}
 * answer a match with 302, which OkHttp would otherwise turn into a GET of the person (reference
 * notes §5, pitfall 3). A whole call that fails is thrown as a {@link CrmSyncException} whose message
 * describes VAN's error envelope {@code {"errors":[{"code","text","properties","referenceCode"}]}}
 * (NGP VAN's {@code Models/Error.cs}; parsons' recorded canvass-response errors) with secrets and
 * personal data masked; a refused record is returned, not thrown.
 */
public final class VanClient {
    /** The collections a person is read with: what a profile's fields come from. */
    public static final String EXPAND = "phones,emails,addresses";

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final int QUOTED = 300;

    private final VanApi api;
    private final List<String> secrets;
    private final ApiCalls calls;

    private VanClient(VanApi api, List<String> secrets, HttpSettings settings) {
        this.api = api;
        this.secrets = List.copyOf(secrets);
        // Every POST the connector sends is safe to repeat (SafeToRepeat), so no message needs to warn that
        // a lost answer may have created a record twice.
        this.calls = ApiCalls.builder("EveryAction").hostSetting(r -> r.url().encodedPath().startsWith("/v4/")
                ? "api.host" : "the download link VAN gave").settings(settings).secrets(() -> this.secrets).build();
    }

    /**
     * @param baseUrl the API base, ending in {@code /v4/}
     * @param appName the application name (HTTP Basic user)
     * @param password {@code apiKey|mode} (HTTP Basic password)
     * @param http a client from {@code HttpClients} (retries, meter, deadline)
     * @param secrets the values to mask in messages
     */
    public static VanClient create(String baseUrl, String appName, String password, OkHttpClient http,
            HttpSettings settings, List<String> secrets) {
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(appName, "appName");
        requireNonNull(password, "password");
        requireNonNull(http, "http");
        HttpUrl base = requireNonNull(HttpUrl.parse(baseUrl), "baseUrl is not a URL");
        String authorization = Credentials.basic(appName, password, StandardCharsets.UTF_8);
        OkHttpClient.Builder b = http.newBuilder().followRedirects(false).followSslRedirects(false);
        // First in the chain, so the retry interceptor already sees the tag and every attempt the credentials.
        b.interceptors().add(0, chain -> {
            Request request = chain.request();
            Request.Builder next = request.newBuilder();
            if (sameOrigin(request.url(), base)) {
                next.header("Authorization", authorization).header("Accept", "application/json");
            }
            Invocation invocation = request.tag(Invocation.class);
            if (invocation != null && invocation.method().isAnnotationPresent(SafeToRepeat.class)) {
                HttpClients.idempotent(next);
            }
            return chain.proceed(next.build());
        });
        Retrofit retrofit = new Retrofit.Builder().baseUrl(base).client(b.build())
                .addConverterFactory(JacksonConverterFactory.create(JSON)).build();
        return new VanClient(retrofit.create(VanApi.class), secrets, settings);
    }

    /** A new JSON object for a request body. */
    public static com.fasterxml.jackson.databind.node.ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** The key's profile: the cheapest call that proves the credentials and says which databases they reach. */
    public KeyProfile keyProfile() {
        JsonNode body = calls.body(api.apiKeyProfiles(), "EveryAction API key check (GET apiKeyProfiles)", this::error);
        JsonNode item = body.path("items").path(0);
        return new KeyProfile(item.path("databaseName").asText(""), bool(item.path("hasMyVoters")),
                bool(item.path("hasMyCampaign")), item.path("apiKeyTypeName").asText(""), item.path("username").asText(""));
    }

    /** {@code POST people/findOrCreate}: every answer VAN is known to give, explicitly. */
    public FindOrCreateOutcome findOrCreate(JsonNode person) {
        String what = "EveryAction find-or-create (POST people/findOrCreate)";
        Response<JsonNode> response = calls.send(api.findOrCreate(person), what);
        int status = response.code();
        if (status == 200) {
            JsonNode body = response.body();
            if (body != null && (body.has("firstName") || body.has("lastName") || body.has("phones"))) {
                return new FindOrCreateOutcome.Person(parsePerson(body, what));
            }
            // A 200 with only {vanId, status}: read it as a match, the safer of the two.
            return new FindOrCreateOutcome.Matched(vanIdOf(body, response, what), statusOf(body));
        }
        if (status == 201 || status == 302) {
            JsonNode body = status == 201 ? response.body() : readJson(response.errorBody());
            long vanId = vanIdOf(body, response, what);
            String said = statusOf(body);
            if (status == 302 || said.equalsIgnoreCase("Matched")) {
                return new FindOrCreateOutcome.Matched(vanId, said);
            }
            return new FindOrCreateOutcome.Created(vanId, said);
        }
        if (refusesTheRecord(status)) {
            Described d = describe(response.errorBody());
            return new FindOrCreateOutcome.Refused(status, d.code().orElse("HTTP_" + status), d.text());
        }
        throw error(response, what);
    }

    /** {@code POST people/find}: the VAN ID of the person VAN matches, empty when none (404). */
    public Optional<Long> find(JsonNode candidate) {
        String what = "EveryAction find (POST people/find)";
        Response<JsonNode> response = calls.send(api.find(candidate), what);
        int status = response.code();
        if (status == 404) {
            closeQuietly(response.errorBody());
            return Optional.empty();
        }
        if (status == 302 || status == 200 || status == 201) {
            JsonNode body = status == 302 ? readJson(response.errorBody()) : response.body();
            return Optional.of(vanIdOf(body, response, what));
        }
        throw error(response, what);
    }

    /** {@code GET people/{vanId}?$expand=phones,emails,addresses}; empty when VAN answers 404 (not available). */
    public Optional<VanPerson> person(long vanId) {
        String what = "EveryAction person read (GET people/{vanId})";
        Response<JsonNode> response = calls.send(api.person(vanId, EXPAND), what);
        if (response.code() == 404) {
            closeQuietly(response.errorBody());
            return Optional.empty();
        }
        if (!response.isSuccessful()) {
            throw error(response, what);
        }
        return Optional.of(parsePerson(requireBody(response, what), what));
    }

    /** {@code POST people/{vanId}}: sets the values of the body on that person. */
    public UpdateOutcome update(long vanId, JsonNode person) {
        String what = "EveryAction person update (POST people/{vanId})";
        Response<JsonNode> response = calls.send(api.update(vanId, person), what);
        int status = response.code();
        if (response.isSuccessful() || status == 302) {
            closeQuietly(response.errorBody());
            return new UpdateOutcome.Updated(vanId);
        }
        if (refusesTheRecord(status) || status == 404) {
            Described d = describe(response.errorBody());
            return new UpdateOutcome.Refused(status, d.code().orElse("HTTP_" + status), status == 404 && d.text()
                    .startsWith("HTTP") ? "VAN ID " + vanId + " is not available (merged or deleted in EveryAction?)"
                    : d.text());
        }
        throw error(response, what);
    }

    /** {@code POST changedEntityExportJobs}: the job VAN created (201), with what it accepted. */
    public ExportJob createExportJob(JsonNode request) {
        String what = "EveryAction changed-entity export (POST changedEntityExportJobs)";
        return parseJob(calls.body(api.createExportJob(request), what, this::error), what);
    }

    /** {@code GET changedEntityExportJobs/fields/{resourceType}}: the names of the fields its export offers. */
    public List<String> exportFieldNames(String resourceType) {
        JsonNode body = calls.body(api.exportFields(resourceType), "EveryAction export fields (GET"
                + " changedEntityExportJobs/fields/" + resourceType + ")", this::error);
        List<String> names = new java.util.ArrayList<>();
        body.forEach(f -> {
            if (!f.path("fieldName").asText("").isBlank()) {
                names.add(f.path("fieldName").asText());
            }
        });
        return names;
    }

    /** {@code GET changedEntityExportJobs/{id}}: the job's status and, once complete, its files. */
    public ExportJob exportJob(long id) {
        String what = "EveryAction export job status (GET changedEntityExportJobs/{id})";
        return parseJob(calls.body(api.exportJob(id), what, this::error), what);
    }

    /** What a download link gave: the file, streamed, or word that it is gone. */
    public sealed interface Download {
        record Opened(InputStream content) implements Download {
        }

        /** 403, 404 or 410: the link expired or the file was removed. */
        record Gone(int httpStatus) implements Download {
        }
    }

    /**
     * Opens a file of a completed job at its {@code downloadUrl}, streamed (the caller closes it). The
     * request carries no VAN credentials: the link is on another host and is its own authorization.
     */
    public Download download(String url) {
        String what = "EveryAction export file download";
        Response<ResponseBody> response = calls.send(api.download(url), what);
        int status = response.code();
        if (status == 403 || status == 404 || status == 410) {
            closeQuietly(response.errorBody());
            return new Download.Gone(status);
        }
        if (!response.isSuccessful()) {
            throw error(response, what);
        }
        ResponseBody body = response.body();
        if (body == null) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + status + " with no file");
        }
        MediaType type = body.contentType();
        if (type != null && (type.subtype().toLowerCase(Locale.ROOT).contains("html")
                || type.subtype().toLowerCase(Locale.ROOT).contains("json"))) {
            String start;
            try (body) {
                start = Redaction.sanitize(body.string(), secrets, 120);
            } catch (IOException e) {
                start = "";
            }
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + status + " with " + type
                    + " instead of the CSV file; it begins: " + start);
        }
        return new Download.Opened(body.byteStream());
    }

    // ----- errors -----

    /** VAN's error envelope, described: {@code CODE: text (properties: a, b) (reference code X)}. */
    record Described(Optional<String> code, String text) {
    }

    /** Statuses that refuse the record sent, not the call: the record is reported, the batch goes on. */
    private static boolean refusesTheRecord(int status) {
        return status == 400 || status == 409 || status == 422;
    }

    private Described describe(ResponseBody body) {
        String text = readText(body);
        return describeText(text).orElseGet(() -> new Described(Optional.empty(), text.isBlank() ? "HTTP error"
                : "VAN answered: " + Redaction.sanitize(text, secrets, QUOTED)));
    }

    /** The envelope in {@code text}, described; empty when the text is not one (a gateway's HTML page, say). */
    private Optional<Described> describeText(String text) {
        JsonNode errors;
        try {
            errors = text.isBlank() ? null : JSON.readTree(text).path("errors");
        } catch (IOException notJson) {
            return Optional.empty();
        }
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            return Optional.empty();
        }
        StringJoiner all = new StringJoiner("; ");
        String firstCode = null;
        for (JsonNode e : errors) {
            String code = e.path("code").asText("");
            if (firstCode == null && !code.isBlank()) {
                firstCode = code;
            }
            StringBuilder one = new StringBuilder(code.isBlank() ? "error" : code);
            String said = e.path("text").asText("");
            if (!said.isBlank()) {
                one.append(": ").append(said);
            }
            if (e.path("properties").isArray() && !e.path("properties").isEmpty()) {
                StringJoiner props = new StringJoiner(", ", " (properties: ", ")");
                e.path("properties").forEach(p -> props.add(p.asText()));
                one.append(props);
            }
            if (!e.path("hint").asText("").isBlank()) {
                one.append(" (hint: ").append(e.path("hint").asText()).append(')');
            }
            if (!e.path("referenceCode").asText("").isBlank()) {
                one.append(" (reference code ").append(e.path("referenceCode").asText()).append(')');
            }
            all.add(one);
        }
        return Optional.of(new Described(Optional.ofNullable(firstCode), Redaction.sanitize(all.toString(), secrets,
                HttpErrors.MAX_BODY_CHARS)));
    }

    private CrmSyncException error(Response<?> response, String what) {
        int status = response.code();
        ResponseBody errorBody = response.errorBody();
        MediaType type = errorBody == null ? null : errorBody.contentType();
        String text = readText(errorBody);
        okhttp3.Response raw = response.raw().newBuilder().body(ResponseBody.create(text, type)).build();
        Optional<Described> envelope = describeText(text);
        String said = envelope.map(d -> "EveryAction said: " + d.text() + ". ").orElse("");
        HttpErrors.Builder b = HttpErrors.of(raw, what).secrets(secrets);
        switch (status) {
            case 401:
                b.advice(401, said + "EveryAction refused the credentials: check app.name and api.key (the key alone,"
                        + " without |mode), and database.mode: a key works in the database mode it was issued for"
                        + " (1 MyCampaign / EveryAction, 0 MyVoters) and is refused in the other.");
                break;
            case 403:
                b.advice(403, said + "The API user may not do this: the seed asks for a dedicated API user with"
                        + " Superuser status; ask your EveryAction representative to grant it, or to enable this"
                        + " endpoint for the key.");
                break;
            case 404:
                b.advice(404, said + "Check api.host (the VAN API host, api.securevan.com, not the address of the"
                        + " EveryAction web app) and the id asked for.");
                break;
            case 429:
                break; // the general advice names Retry-After and what the retries did
            default:
                b.advice(status, said + defaultAdvice(status));
        }
        return b.toException();
    }

    private static String defaultAdvice(int status) {
        if (status == 400 || status == 409 || status == 422) {
            return "VAN refused the request; see its response.";
        }
        if (status >= 500) {
            return "VAN is unavailable; the retries are used up, so the rest waits for the next run.";
        }
        if (status >= 300 && status < 400) {
            return "VAN answered with a redirect this call does not expect; check api.host.";
        }
        return "VAN answered in a way this connector does not expect.";
    }

    // ----- plumbing -----

    private static boolean sameOrigin(HttpUrl url, HttpUrl base) {
        return url.scheme().equals(base.scheme()) && url.host().equals(base.host()) && url.port() == base.port();
    }

    private VanPerson parsePerson(JsonNode body, String what) {
        try {
            return VanPerson.parse(body);
        } catch (IllegalArgumentException e) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered without a person: "
                    + e.getMessage());
        }
    }

    private ExportJob parseJob(JsonNode body, String what) {
        try {
            return ExportJob.parse(body);
        } catch (IllegalArgumentException e) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered without a job: " + e.getMessage());
        }
    }

    private static <T> T requireBody(Response<T> response, String what) {
        T body = response.body();
        if (body == null) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + response.code()
                    + " with no body");
        }
        return body;
    }

    /** The VAN ID of a {@code {vanId, status}} body, or of the person its {@code Location} names. */
    private static long vanIdOf(JsonNode body, Response<?> response, String what) {
        if (body != null && body.path("vanId").canConvertToLong()) {
            return body.path("vanId").asLong();
        }
        String location = response.headers().get("Location");
        if (location != null) {
            String path = location.replaceAll("[?#].*$", "");
            String last = path.substring(path.lastIndexOf('/') + 1);
            if (last.matches("[0-9]{1,18}")) {
                return Long.parseLong(last);
            }
        }
        throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + response.code()
                + " without a VAN ID (no vanId in the body, no person in the Location header)");
    }

    private static String statusOf(JsonNode body) {
        return body == null ? "" : body.path("status").asText("");
    }

    private static Optional<Boolean> bool(JsonNode node) {
        if (node.isBoolean()) {
            return Optional.of(node.asBoolean());
        }
        if (node.isTextual()) {
            return Optional.of(node.asText().trim().equalsIgnoreCase("true"));
        }
        return Optional.empty();
    }

    private static JsonNode readJson(ResponseBody body) {
        String text = readText(body);
        try {
            return text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String readText(ResponseBody body) {
        if (body == null) {
            return "";
        }
        try (body) {
            return body.string();
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(ResponseBody body) {
        if (body != null) {
            body.close();
        }
    }
}
