package org.crmsync.luminate.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
import retrofit2.Response;
import retrofit2.Retrofit;
import retrofit2.converter.jackson.JacksonConverterFactory;

/**
 * A small Luminate Online server-API client. Each call is a form-encoded POST with the credentials in
 * its body (see {@link LuminateApi}); an answer is read as Luminate documents it: a successful one under
 * its root element, an error as {@code {"errorResponse":{"code":"<n>","message":"..."}}} with HTTP 403,
 * or with 200 when {@code suppress_response_codes} is on, so the body is always checked for it
 * (reference notes §3.4 and §7). A code about the record comes back {@link LuminateAnswer.Refused}; a
 * code about the call (credentials, the IP filter, Luminate failing) is thrown.
 */
public final class LuminateClient {
    public static final String CONS = "SRConsAPI";
    public static final String DONATION = "SRDonationAPI";
    public static final String ADVOCACY = "SRAdvocacyAPI";

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final int QUOTED = 300;

    private final LuminateApi api;
    private final Map<String, String> credentials;
    private final List<String> secrets;
    private final ApiCalls calls;

    private LuminateClient(LuminateApi api, Map<String, String> credentials, List<String> secrets,
            HttpSettings settings) {
        this.api = api;
        this.credentials = credentials;
        this.secrets = List.copyOf(secrets);
        this.calls = ApiCalls.builder("Luminate").hostSetting(r -> r.url().encodedPath().contains("/site/")
                ? "api.host" : "export.url").settings(settings).secrets(() -> this.secrets)
                .createsWithoutDeduplication(r -> r.tag(Repeat.class) == Repeat.NEVER, "the connector does not"
                        + " send it again by itself; the engine keeps it in doubt").build();
    }

    /**
     * @param apiBase the servlets' base, ending in {@code /site/}
     * @param http a client from {@code HttpClients} (retries, meter, deadline)
     * @param secrets the values to mask in messages
     */
    public static LuminateClient create(String apiBase, String apiKey, String login, String password, OkHttpClient http,
            HttpSettings settings, List<String> secrets) {
        HttpUrl base = requireNonNull(HttpUrl.parse(apiBase), "apiBase is not a URL");
        OkHttpClient.Builder b = http.newBuilder();
        b.interceptors().add(0, chain -> {
            Request request = chain.request();
            Request.Builder next = request.newBuilder();
            if (request.url().encodedPath().contains("/site/")) {
                next.header("Accept", "application/json");
            }
            if (request.tag(Repeat.class) == Repeat.SAFE) {
                HttpClients.idempotent(next);
            }
            return chain.proceed(next.build());
        });
        Retrofit retrofit = new Retrofit.Builder().baseUrl(base).client(b.build())
                .addConverterFactory(JacksonConverterFactory.create(JSON)).build();
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("api_key", requireNonNull(apiKey, "apiKey"));
        credentials.put("v", "1.0");
        credentials.put("login_name", requireNonNull(login, "login"));
        credentials.put("login_password", requireNonNull(password, "password"));
        credentials.put("response_format", "json");
        return new LuminateClient(retrofit.create(LuminateApi.class), credentials, secrets, settings);
    }

    /** Whether a call may be sent again when its answer is lost. */
    enum Repeat {
        /** Luminate deduplicates it (a read, an update, a create-or-update by email): it is retried. */
        SAFE,
        /** Each call records something anew (a gift, an action): never sent twice by the client. */
        NEVER
    }

    /**
     * Calls {@code method} of {@code servlet} with {@code params}.
     *
     * @param safeToRepeat whether the call may be sent again when its answer is lost (reads, updates,
     *     create-or-update by email); a gift or an action is never repeated by the client
     * @throws CrmSyncException for a failure of the call as a whole
     */
    public LuminateAnswer call(String servlet, String method, Map<String, String> params, boolean safeToRepeat) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("method", method);
        fields.putAll(credentials);
        params.forEach((k, v) -> {
            if (!fields.containsKey(k)) {
                fields.put(k, v);
            }
        });
        String what = "Luminate " + servlet + " " + method;
        retrofit2.Call<JsonNode> call = api.call(servlet, fields, safeToRepeat ? Repeat.SAFE : Repeat.NEVER);
        Response<JsonNode> response = calls.send(call, what);
        JsonNode body = response.isSuccessful() ? response.body() : readJson(response.errorBody());
        JsonNode error = body == null ? null : body.get("errorResponse");
        if (error != null && error.isObject()) {
            return refusedOrThrow(error, response.code(), what);
        }
        if (!response.isSuccessful()) {
            throw httpError(response, what);
        }
        if (body == null || !body.isObject() || body.size() == 0) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + response.code()
                    + " without a response element");
        }
        return new LuminateAnswer.Ok(body.elements().next());
    }

    private LuminateAnswer refusedOrThrow(JsonNode error, int status, String what) {
        String codeText = LuminateJson.text(error.get("code")).orElse("");
        String message = Redaction.sanitize(LuminateJson.text(error.get("message")).orElse(""), secrets, QUOTED);
        int code;
        try {
            code = Integer.parseInt(codeText.trim());
        } catch (NumberFormatException e) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + status
                    + " with an errorResponse without a numeric code: " + message);
        }
        if (LuminateErrors.aboutTheRecord(code)) {
            return new LuminateAnswer.Refused(code, message);
        }
        ErrorCode errorCode = LuminateErrors.callCode(code);
        return throwing(CrmSyncException.http(errorCode, what + " was refused: Luminate error " + code + ": " + message
                + ". " + LuminateErrors.advice(code), status, null));
    }

    private static LuminateAnswer throwing(CrmSyncException e) {
        throw e;
    }

    private CrmSyncException httpError(Response<?> response, String what) {
        int status = response.code();
        ResponseBody errorBody = response.errorBody();
        MediaType type = errorBody == null ? null : errorBody.contentType();
        String text = readText(errorBody);
        okhttp3.Response raw = response.raw().newBuilder().body(ResponseBody.create(text, type)).build();
        HttpErrors.Builder b = HttpErrors.of(raw, what).secrets(secrets);
        if (status == 404) {
            b.advice(404, "Check api.host and organization.code: the servlets are at https://{host}[/{organization}]"
                    + "/site/SRConsAPI.");
        } else if (status == 405) {
            b.advice(405, "Luminate's server API takes POST only.");
        } else if (status >= 500) {
            b.advice(status, "Luminate is unavailable; the retries are used up, so the rest waits for the next run.");
        } else if (status != 429) {
            b.advice(status, "Luminate answered in a way this connector does not expect.");
        }
        return b.toException();
    }

    // ----- the changed-records file over HTTPS -----

    /** The file at an https URL: its size and modification time as the headers say, and its bytes, streamed. */
    public record Download(InputStream content, OptionalLong size, Optional<String> modified) {
    }

    /**
     * Opens the file at {@code url}; empty when the server answers 404 or 410 (not there yet). The body
     * is the caller's to close.
     */
    public Optional<Download> download(String url, Optional<String> authorization) {
        String what = "Luminate changed-records file download";
        retrofit2.Call<ResponseBody> call = api.download(url, authorization.orElse(null));
        Response<ResponseBody> response = calls.send(call, what);
        int status = response.code();
        if (status == 404 || status == 410) {
            closeQuietly(response.errorBody());
            return Optional.empty();
        }
        if (status == 401 || status == 403) {
            closeQuietly(response.errorBody());
            throw CrmSyncException.http(ErrorCode.AUTHENTICATION_FAILED, what + " was refused (HTTP " + status
                    + "): check ftp.login and ftp.password, which are sent as HTTP Basic for an https export.url",
                    status, null);
        }
        if (!response.isSuccessful()) {
            throw httpError(response, what);
        }
        ResponseBody body = response.body();
        if (body == null) {
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + status + " with no file");
        }
        MediaType type = body.contentType();
        if (type != null && type.subtype().toLowerCase(Locale.ROOT).contains("html")) {
            body.close();
            throw new CrmSyncException(ErrorCode.UNEXPECTED_RESPONSE, what + " answered HTTP " + status + " with "
                    + type + " instead of the CSV file (a login page?); check export.url");
        }
        long length = body.contentLength();
        return Optional.of(new Download(body.byteStream(), length >= 0 ? OptionalLong.of(length) : OptionalLong.empty(),
                Optional.ofNullable(response.headers().get("Last-Modified"))));
    }

    // ----- plumbing -----

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
