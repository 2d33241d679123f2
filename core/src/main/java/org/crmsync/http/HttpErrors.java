package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * Turns an unsuccessful HTTP response into a {@link CrmSyncException} carrying the status, the
 * CRM's request id and an error code. The message names the method, scheme, host, port (when not the
 * default) and path, never the query string; it quotes at most the first {@value #MAX_BODY_CHARS}
 * characters of the body with its content type, sanitized ({@link Redaction#sanitize}: secrets,
 * emails and phone numbers masked), and never the request's headers. A 429 says what the CRM asked
 * for ({@code Retry-After}) and what the client did about it.
 */
public final class HttpErrors {
    /** How much of an error body a message quotes. */
    public static final int MAX_BODY_CHARS = 500;
    // Enough bytes for MAX_BODY_CHARS characters of UTF-8, plus a margin so that a secret that starts
    // within them is read whole and redacted, not cut in two at the end of what was peeked.
    private static final long MAX_BODY_BYTES = 4L * MAX_BODY_CHARS + 4096;

    private HttpErrors() {
    }

    /**
     * The error code for an HTTP status: 401 authentication failed, 403 permission denied, 400, 409
     * and 422 record rejected, 429 rate limited, 5xx remote unavailable, anything else (404, an
     * unexpected redirect) unexpected response.
     */
    public static ErrorCode codeFor(int status) {
        if (status >= 500 && status <= 599) {
            return ErrorCode.REMOTE_UNAVAILABLE;
        }
        switch (status) {
            case 401:
                return ErrorCode.AUTHENTICATION_FAILED;
            case 403:
                return ErrorCode.PERMISSION_DENIED;
            case 400:
            case 409:
            case 422:
                return ErrorCode.RECORD_REJECTED;
            case 429:
                return ErrorCode.RATE_LIMITED;
            default:
                return ErrorCode.UNEXPECTED_RESPONSE;
        }
    }

    /** As {@link #toException(Response, String, String, Collection)}, with no request id header and no extra secrets. */
    public static CrmSyncException toException(Response response, String what) {
        return of(response, what).toException();
    }

    /** As {@link #toException(Response, String, String, Collection)}, with no extra secrets. */
    public static CrmSyncException toException(Response response, String what, String requestIdHeader) {
        return of(response, what).requestIdHeader(requestIdHeader).toException();
    }

    /**
     * The exception for an unsuccessful response. The response is not closed (its body is only
     * peeked); the caller still closes it.
     *
     * @param what what was being done, for the message ("Salesforce query for Contacts")
     * @param requestIdHeader the header in which the CRM returns its request id ("X-Request-Id")
     * @param secretValues secret values to mask in the quoted body, besides those the request carries
     *     (secret headers and query parameters)
     */
    public static CrmSyncException toException(
            Response response, String what, String requestIdHeader, Collection<String> secretValues) {
        return of(response, what).requestIdHeader(requestIdHeader).secrets(secretValues).toException();
    }

    /**
     * Starts the exception for an unsuccessful response, for a connector that sets more than the
     * request id header and secrets, such as its own advice for a status ({@link Builder#advice}).
     */
    public static Builder of(Response response, String what) {
        return new Builder(requireNonNull(response, "response"), requireNonNull(what, "what"));
    }

    /**
     * {@code GET https://host:port/path}: the method and the URL without its query string (which can
     * hold personal data, such as a lookup by email and phone, or be kilobytes long), with the port when
     * it is not the scheme's default.
     */
    public static String where(Request request) {
        requireNonNull(request, "request");
        HttpUrl url = request.url();
        return request.method() + " " + url.scheme() + "://" + Redaction.hostAndPort(url) + url.encodedPath();
    }

    /**
     * What a message says about a body that was valid JSON but not of the shape expected (a string
     * where an object belongs): where, as line and column and the path of field names, without the
     * parser's wording, which names Java types and its own settings. Syntax errors never get here for
     * requests that ask for JSON: {@link HttpClients} checks those bodies first.
     */
    public static String unreadableJson(JsonProcessingException e) {
        requireNonNull(e, "e");
        StringBuilder m = new StringBuilder("the JSON answer does not have the shape this connector reads");
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            if (path.length() > 0) {
                m.append(" (at ").append(path).append(')');
            }
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            m.append(", line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
        }
        return m.toString();
    }

    /** The exception for one unsuccessful response; {@link #toException()} builds it. */
    public static final class Builder {
        private final Response response;
        private final String what;
        private String requestIdHeader;
        private final List<String> secrets = new ArrayList<>();
        private final Map<Integer, String> advice = new HashMap<>();

        private Builder(Response response, String what) {
            this.response = response;
            this.what = what;
        }

        /** The header in which the CRM returns its request id ({@code X-Request-Id}). */
        public Builder requestIdHeader(String requestIdHeader) {
            this.requestIdHeader = requireNonNull(requestIdHeader, "requestIdHeader");
            return this;
        }

        /** Secret values to mask, besides those the request carries. */
        public Builder secrets(Collection<String> secretValues) {
            requireNonNull(secretValues, "secretValues").forEach(v -> {
                if (v != null) {
                    secrets.add(v);
                }
            });
            return this;
        }

        /** What to tell the user for {@code status} in place of the general advice for it. */
        public Builder advice(int status, String text) {
            advice.put(status, requireNonNull(text, "text"));
            return this;
        }

        public CrmSyncException toException() {
            int status = response.code();
            ErrorCode code = codeFor(status);
            Request request = response.request();
            String requestId = requestIdHeader == null ? null : response.header(requestIdHeader);
            if (requestId != null && requestId.isBlank()) {
                requestId = null;
            }
            Optional<RetryNote> note = Optional.ofNullable(request.tag(RetryNote.class));

            StringBuilder message = new StringBuilder(what).append(" failed: HTTP ").append(status);
            if (!response.message().isBlank()) {
                message.append(' ').append(response.message());
            }
            message.append(" from ").append(where(request));
            if (requestId != null) {
                message.append(" (request id ").append(requestId).append(')');
            }
            note.filter(n -> n.attempts() > 1).ifPresent(n -> message.append(", after ").append(n.attempts())
                    .append(" attempts"));
            message.append(". ").append(advice.getOrDefault(status, generalAdvice(code, status, note)));
            String body = quotedBody(response, request, secrets);
            if (!body.isEmpty()) {
                message.append(" Response");
                MediaType type = response.body() == null ? null : response.body().contentType();
                if (type != null) {
                    message.append(" (").append(type).append(')');
                }
                message.append(": ").append(body);
            }
            List<String> allSecrets = new ArrayList<>(secrets);
            allSecrets.addAll(Redaction.secretValuesOf(request, SecretNames.DEFAULT));
            return CrmSyncException.http(code, Redaction.redactSecrets(message.toString(), allSecrets), status,
                    requestId);
        }

        private String generalAdvice(ErrorCode code, int status, Optional<RetryNote> note) {
            switch (code) {
                case AUTHENTICATION_FAILED:
                    return "Check the credentials (login, password, token or key) and that they have not expired.";
                case PERMISSION_DENIED:
                    return "Grant the integration user the permission this call needs.";
                case RECORD_REJECTED:
                    return "The CRM refused the data; see its response.";
                case RATE_LIMITED:
                    return rateLimitAdvice(note);
                case REMOTE_UNAVAILABLE:
                    return "The CRM is unavailable; retry later.";
                default:
                    return status == 404
                            ? "Check the URL: the host, the API version in the path and any record id."
                            : "The CRM answered in a way this connector does not expect.";
            }
        }

        private String rateLimitAdvice(Optional<RetryNote> note) {
            Optional<Duration> refused = note.flatMap(RetryNote::refusedRetryAfter);
            if (refused.isPresent()) {
                return "The CRM asked to wait " + refused.get().toSeconds() + " s (Retry-After: "
                        + response.header("Retry-After") + ") before the next call, longer than the "
                        + HttpSettings.format(note.get().maxRetryAfter()) + " this connector waits at most ("
                        + HttpSettings.MAX_RETRY_AFTER + "); raise " + HttpSettings.MAX_RETRY_AFTER
                        + " to wait that long, or run the sync later.";
            }
            String retryAfter = response.header("Retry-After");
            String asked = retryAfter == null || retryAfter.isBlank() ? ""
                    : " (Retry-After: " + retryAfter.strip() + ")";
            if (note.isPresent() && note.get().attempts() > 1) {
                return "The CRM asked to slow down" + asked + " and still refused after " + note.get().attempts()
                        + " attempts (" + HttpSettings.MAX_ATTEMPTS + "); run the sync later or lower the request"
                        + " rate.";
            }
            return "The CRM asked to slow down" + asked + "; retry later or lower the request rate.";
        }
    }

    private static String quotedBody(Response response, Request request, Collection<String> secretValues) {
        ResponseBody body = response.body();
        if (body == null) {
            return "";
        }
        String text;
        try (ResponseBody peeked = response.peekBody(MAX_BODY_BYTES)) {
            text = peeked.string();
        } catch (IOException | IllegalStateException e) {
            return "";
        }
        List<String> secrets = new ArrayList<>(secretValues);
        secrets.addAll(Redaction.secretValuesOf(request, SecretNames.DEFAULT));
        return Redaction.sanitize(text, secrets, MAX_BODY_CHARS);
    }
}
