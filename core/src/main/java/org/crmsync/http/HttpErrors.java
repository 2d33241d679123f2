package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/**
 * Turns an unsuccessful HTTP response into a {@link CrmSyncException} carrying the status, the
 * CRM's request id and an error code. The message quotes at most the first {@value #MAX_BODY_CHARS}
 * characters of the body, with secrets redacted, and never the request's headers.
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
        return build(response, what, null, List.of());
    }

    /** As {@link #toException(Response, String, String, Collection)}, with no extra secrets. */
    public static CrmSyncException toException(Response response, String what, String requestIdHeader) {
        return build(response, what, requireNonNull(requestIdHeader, "requestIdHeader"), List.of());
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
        return build(response, what, requireNonNull(requestIdHeader, "requestIdHeader"),
                requireNonNull(secretValues, "secretValues"));
    }

    private static CrmSyncException build(
            Response response, String what, String requestIdHeader, Collection<String> secretValues) {
        requireNonNull(response, "response");
        requireNonNull(what, "what");
        int status = response.code();
        ErrorCode code = codeFor(status);
        Request request = response.request();
        String requestId = requestIdHeader == null ? null : response.header(requestIdHeader);
        if (requestId != null && requestId.isBlank()) {
            requestId = null;
        }

        StringBuilder message = new StringBuilder(what).append(" failed: HTTP ").append(status);
        if (!response.message().isBlank()) {
            message.append(' ').append(response.message());
        }
        message.append(" from ").append(request.method()).append(' ').append(request.url().scheme()).append("://")
                .append(request.url().host()).append(request.url().encodedPath());
        // Only the path: a query string can hold personal data (a SOQL lookup by email and phone) or
        // be kilobytes long, and neither belongs in an exception message.
        if (requestId != null) {
            message.append(" (request id ").append(requestId).append(')');
        }
        message.append(". ").append(advice(code, status));
        String body = quotedBody(response, request, secretValues);
        if (!body.isEmpty()) {
            message.append(" Response: ").append(body);
        }
        return CrmSyncException.http(code, message.toString(), status, requestId);
    }

    private static String advice(ErrorCode code, int status) {
        switch (code) {
            case AUTHENTICATION_FAILED:
                return "Check the credentials (login, password, token or key) and that they have not expired.";
            case PERMISSION_DENIED:
                return "Grant the integration user the permission this call needs.";
            case RECORD_REJECTED:
                return "The CRM refused the data; see its response.";
            case RATE_LIMITED:
                return "The CRM asked to slow down; retry later or lower the request rate.";
            case REMOTE_UNAVAILABLE:
                return "The CRM is unavailable; retry later.";
            default:
                return status == 404
                        ? "Check the instance URL, the API version and the record id."
                        : "The CRM answered in a way this connector does not expect.";
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
        text = Redaction.redactSecrets(text, secrets);
        text = Redaction.redactSecretFields(text, SecretNames.DEFAULT);
        text = text.replaceAll("\\s+", " ").strip();
        if (text.length() > MAX_BODY_CHARS) {
            int end = MAX_BODY_CHARS;
            if (Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            text = text.substring(0, end) + "...";
        }
        return text;
    }
}
