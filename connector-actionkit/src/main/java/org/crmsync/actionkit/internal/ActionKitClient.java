package org.crmsync.actionkit.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.crmsync.http.HttpClients;
import org.crmsync.http.HttpErrors;
import org.crmsync.http.HttpSettings;
import org.crmsync.kit.ApiCalls;
import retrofit2.Call;
import retrofit2.Invocation;
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.jackson.JacksonConverterFactory;

/**
 * One ActionKit instance over its REST API v1: HTTP Basic authentication with a staff user's login
 * (overview.html), every path ending in a slash, every request asking for JSON, at most a configured
 * number of requests in flight ({@link InFlightLimit}). A whole call that fails is thrown as a {@link
 * CrmSyncException} whose message names the call and says what ActionKit answered in any of its error
 * shapes ({@link ErrorBodies}), secrets masked and emails and phones too; a write ActionKit refuses for
 * its data is returned as {@link Written.Refused}, to fail that record alone. Thread-safe.
 */
public final class ActionKitClient {
    /** "The maximum number of objects returned per request is 100" (overview.html, quoted in parsons). */
    public static final int MAX_PAGE = 100;
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");
    private static final MediaType CSV = MediaType.get("text/csv; charset=utf-8");

    private final HttpUrl base;
    private final ActionKitApi api;
    private final ApiCalls calls;
    private final List<String> secrets;
    private final InFlightLimit limit;

    /** What a write came to. */
    public sealed interface Written permits Written.Done, Written.Conflict, Written.Refused {
        /** Applied: the id from {@code Location} (creates), and the body when ActionKit sends one. */
        record Done(Optional<String> id, Optional<JsonNode> body) implements Written {
        }

        /** 409: the email belongs to another user, whose id ActionKit gives in {@code Location}. */
        record Conflict(Optional<String> existingId, String summary) implements Written {
        }

        /**
         * ActionKit refused the record's data (400, 404 of a record gone, 422): nothing was written.
         *
         * @param summary ActionKit's words, emails and phone numbers masked
         * @param unknownPage action processing found no page of the name sent
         */
        record Refused(int status, String summary, boolean unknownPage) implements Written {
        }
    }

    /** A page of a collection: its objects, the host-relative path of the next page (none on the last). */
    public record Collection(List<JsonNode> objects, Optional<String> next, long totalCount) {
        public Collection {
            objects = List.copyOf(objects);
        }
    }

    /**
     * @param host the instance's host, e.g. {@code act.example.org} (a port for a local simulator)
     * @param plainHttp http:// instead of https://: only a test's local simulator
     * @param http a client from {@link HttpClients} (retries, meter, deadline, logs without secrets)
     */
    public ActionKitClient(String host, String login, String password, boolean plainHttp, OkHttpClient http,
            HttpSettings settings, int requestsInFlight) {
        requireNonNull(host, "host");
        requireNonNull(login, "login");
        requireNonNull(password, "password");
        HttpUrl parsed = HttpUrl.parse((plainHttp ? "http://" : "https://") + host + "/");
        if (parsed == null) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION, "'" + host + "' is not a host name (api.host)");
        }
        this.base = parsed;
        String authorization = Credentials.basic(login, password, StandardCharsets.UTF_8);
        this.secrets = List.of(password, authorization.substring("Basic ".length()),
                Base64.getEncoder().encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8)));
        this.limit = new InFlightLimit(requestsInFlight);
        OkHttpClient.Builder b = http.newBuilder();
        // First in the chain, so the retry interceptor sees the tag, the JSON check the Accept header, and
        // every attempt the credentials.
        b.interceptors().add(0, chain -> {
            Request request = chain.request();
            Request.Builder next = request.newBuilder().header("Authorization", authorization)
                    .header("Accept", "application/json");
            Invocation invocation = request.tag(Invocation.class);
            if (invocation != null && invocation.method().isAnnotationPresent(Retryable.class)) {
                HttpClients.idempotent(next);
            }
            return chain.proceed(next.build());
        });
        b.addInterceptor(limit); // innermost: each attempt holds a slot while it is on the wire
        this.api = new Retrofit.Builder().baseUrl(base).client(b.build())
                .addConverterFactory(JacksonConverterFactory.create(ActionKitJson.MAPPER)).build()
                .create(ActionKitApi.class);
        // Action processing records an action each time it is sent, and an upload imports its file each
        // time: neither is sent again blindly.
        this.calls = ApiCalls.builder("ActionKit").hostSetting("api.host").settings(settings)
                .secrets(() -> secrets).createsWithoutDeduplication(ActionKitClient::createsEachTime,
                        "the next run looks for it before sending it again").build();
    }

    private static boolean createsEachTime(Request r) {
        String path = r.url().encodedPath();
        return r.method().equals("POST") && (path.endsWith("/rest/v1/action/") || path.endsWith("/rest/v1/upload/"));
    }

    /** The secret values of the credentials, to mask in messages. */
    public List<String> secrets() {
        return secrets;
    }

    /** The most requests this client had in flight at once so far. */
    public int mostInFlight() {
        return limit.most();
    }

    // ----- reading -----

    /** {@code /rest/v1/{resource}/?...}, the parameters in order (a name may repeat: {@code order_by}). */
    public HttpUrl collectionUrl(String resource, List<Map.Entry<String, String>> params) {
        HttpUrl.Builder url = base.newBuilder().addPathSegments("rest/v1/" + resource + "/");
        params.forEach(p -> url.addQueryParameter(p.getKey(), p.getValue()));
        return url.build();
    }

    /** A resource's schema: its fields, filters and orderings. */
    public ResourceSchema schema(String resource, String what) {
        return ResourceSchema.of(get(base.newBuilder().addPathSegments("rest/v1/" + resource + "/schema/").build(),
                what));
    }

    /** One page of a collection. */
    public Collection collection(HttpUrl url, String what) {
        JsonNode page = get(url, what);
        JsonNode objects = page.path("objects");
        if (!objects.isArray()) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActionKit " + what + " answered without an"
                    + " \"objects\" list (" + HttpErrors.where(new Request.Builder().url(url).build()) + ")");
        }
        List<JsonNode> list = new ArrayList<>();
        objects.forEach(list::add);
        JsonNode meta = page.path("meta");
        String next = ActionKitJson.text(meta, "next");
        // The next page's path is host-relative with its query string, e.g. "/rest/v1/tag/?_offset=100&_limit=100"
        // (cassette list_tags.yml); null on the last page (parsons' tests also mock "").
        Optional<String> nextPath = next.isBlank() || next.equals("None") ? Optional.empty() : Optional.of(next);
        return new Collection(list, nextPath, meta.path("total_count").asLong(-1));
    }

    /** The next page of a collection, from its {@code meta.next}. */
    public Collection next(String nextPath, String what) {
        HttpUrl url = base.resolve(nextPath);
        if (url == null || !url.host().equals(base.host()) || url.port() != base.port()) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, "ActionKit " + what + " gave a next page on"
                    + " another host; it is not followed");
        }
        return collection(url, what);
    }

    /** Every object of a collection, following {@code meta.next}. */
    public List<JsonNode> all(HttpUrl first, String what) {
        List<JsonNode> all = new ArrayList<>();
        Collection page = collection(first, what);
        all.addAll(page.objects());
        while (page.next().isPresent()) {
            page = next(page.next().get(), what);
            all.addAll(page.objects());
        }
        return all;
    }

    /** An object by its resource URI ({@code /rest/v1/upload/12/}). */
    public JsonNode object(String resourceUri, String what) {
        HttpUrl url = base.resolve(resourceUri);
        if (url == null) {
            throw new IllegalArgumentException("not a resource URI: " + resourceUri);
        }
        return get(url, what);
    }

    private JsonNode get(HttpUrl url, String what) {
        return calls.body(api.get(url.toString()), "ActionKit " + what, this::error);
    }

    // ----- writing -----

    /** {@code POST /rest/v1/user/}: 201 with the new id, 409 with the id of the user who has the email. */
    public Written createUser(JsonNode user) {
        return write(api.createUser(user), "user create (POST /rest/v1/user/)");
    }

    public Written updateUser(String id, JsonNode changes) {
        return write(api.updateUser(id, changes), "user update (PATCH /rest/v1/user/" + id + "/)");
    }

    public Written createPhone(JsonNode phone) {
        return write(api.createPhone(phone), "phone create (POST /rest/v1/phone/)");
    }

    public Written updatePhone(String id, JsonNode changes) {
        return write(api.updatePhone(id, changes), "phone update (PATCH /rest/v1/phone/" + id + "/)");
    }

    /** Action processing: the posted action's JSON ({@code id}, {@code user}, {@code page}, {@code fields}...). */
    public Written postAction(JsonNode action) {
        String what = "ActionKit action (POST /rest/v1/action/)";
        Response<JsonNode> r = calls.send(api.action(action), what);
        if (r.isSuccessful()) {
            Optional<String> id = ActionKitJson.idOf(r.headers().get("Location"));
            Optional<JsonNode> body = Optional.ofNullable(r.body());
            return new Written.Done(id.or(() -> body.map(b -> ActionKitJson.text(b, "id")).filter(s -> !s.isEmpty())),
                    body);
        }
        return refusedOrThrow(r, what);
    }

    /**
     * {@code POST /rest/v1/upload/} of a CSV file through an Import page: the upload's id from {@code
     * Location} (parsons takes it as {@code Location.split("/")[-2]}).
     *
     * @param userFieldsOnly ActionKit's fast path when the only columns are the id column and {@code user_*}
     */
    public Written upload(String page, byte[] csv, boolean userFieldsOnly) {
        String what = "ActionKit upload (POST /rest/v1/upload/)";
        Call<Void> call = api.upload(RequestBody.create(page, TEXT), RequestBody.create("false", TEXT),
                RequestBody.create(Boolean.toString(userFieldsOnly), TEXT),
                MultipartBody.Part.createFormData("upload", "crmsync.csv", RequestBody.create(csv, CSV)));
        Response<Void> r = calls.send(call, what);
        if (r.isSuccessful()) {
            return new Written.Done(ActionKitJson.idOf(r.headers().get("Location")), Optional.empty());
        }
        return refusedOrThrow(r, what);
    }

    private Written write(Call<Void> call, String what) {
        String named = "ActionKit " + what;
        Response<Void> r = calls.send(call, named);
        if (r.isSuccessful()) {
            return new Written.Done(ActionKitJson.idOf(r.headers().get("Location")), Optional.empty());
        }
        return refusedOrThrow(r, named);
    }

    private Written refusedOrThrow(Response<?> r, String what) {
        int status = r.code();
        if (status == 400 || status == 404 || status == 409 || status == 422) {
            String body = errorText(r);
            String summary = ErrorBodies.summary(body);
            if (status == 409) {
                return new Written.Conflict(ActionKitJson.idOf(r.headers().get("Location")), summary);
            }
            String said = summary.isEmpty() ? (status == 404 ? "not found" : "no reason given") : summary;
            return new Written.Refused(status, "ActionKit refused it (HTTP " + status + "): " + said,
                    ErrorBodies.unknownPage(body));
        }
        throw error(r, what);
    }

    private static String errorText(Response<?> r) {
        ResponseBody body = r.errorBody();
        if (body == null) {
            return "";
        }
        try {
            return body.string();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The exception for an unsuccessful answer to a whole call: 401 is the login, 403 a permission the API
     * user lacks (the seed: "Make sure that the API user has Superuser status"), 429 too many requests at
     * once, 5xx ActionKit failing ("ActionKit REST is notoriously flaky": WeMoveEU retries 500s), with
     * ActionKit's own words from its error body.
     */
    private CrmSyncException error(Response<?> r, String what) {
        int status = r.code();
        ResponseBody body = r.errorBody();
        okhttp3.Response raw = body == null ? r.raw() : r.raw().newBuilder().body(body).build();
        String summary = ErrorBodies.summary(peek(raw));
        String said = summary.isEmpty() ? "" : " ActionKit says: " + summary + ".";
        HttpErrors.Builder e = HttpErrors.of(raw, what).secrets(secrets)
                .advice(401, "ActionKit refused the login: check login and password (api.host's staff user)." + said)
                .advice(403, "The API user lacks a permission this call needs; the seed recommends a user just for the"
                        + " sync with Superuser status (or the permission group \"All Models - View, Edit, and"
                        + " Delete\")." + said)
                .advice(404, "ActionKit has no such resource: check api.host (the account's host, e.g."
                        + " act.example.org)." + said)
                .advice(429, "ActionKit refuses too many simultaneous requests; lower requests.in.flight." + said);
        if (!said.isEmpty()) {
            e.advice(status, (status >= 500 ? "ActionKit failed; retry later." : "ActionKit refused it.") + said);
        }
        return e.toException();
    }

    private static String peek(okhttp3.Response raw) {
        try (ResponseBody b = raw.peekBody(8192)) {
            return b.string();
        } catch (IOException | IllegalStateException e) {
            return "";
        }
    }
}
