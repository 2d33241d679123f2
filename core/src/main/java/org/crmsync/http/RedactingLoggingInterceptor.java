package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each attempt at DEBUG (method, scheme, host, port, path, status, elapsed ms) and its headers at
 * TRACE, secret headers masked. Personal data stays out at every level: of a query string only the
 * parameters' names are logged, each value replaced by its length ({@link Redaction#forLog}), since a
 * lookup's query holds emails and phone numbers; URLs in headers ({@code Location}) are logged the same
 * way; bodies are never logged.
 */
final class RedactingLoggingInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RedactingLoggingInterceptor.class);
    // Headers whose value is a URL, possibly with a query string.
    private static final Set<String> URL_HEADERS = Set.of("location", "content-location", "referer");

    private final Clock clock;
    private final SecretNames secretNames;

    RedactingLoggingInterceptor(Clock clock, SecretNames secretNames) {
        this.clock = requireNonNull(clock, "clock");
        this.secretNames = requireNonNull(secretNames, "secretNames");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (!LOG.isDebugEnabled()) {
            return chain.proceed(request);
        }
        long start = clock.millis();
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} {} request headers:\n{}", request.method(), Redaction.forLog(request.url()),
                    headers(request.headers(), secretNames));
        }
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException e) {
            LOG.debug("{}", failureLine(request, e, clock.millis() - start));
            throw e;
        }
        LOG.debug("{}", line(request, response.code(), clock.millis() - start));
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} {} response headers:\n{}", request.method(), Redaction.forLog(request.url()),
                    headers(response.headers(), secretNames));
        }
        return response;
    }

    static String line(Request request, int status, long elapsedMillis) {
        return request.method() + " " + Redaction.forLog(request.url()) + " -> " + status + " (" + elapsedMillis
                + " ms)";
    }

    static String failureLine(Request request, IOException e, long elapsedMillis) {
        // The exception's type only: OkHttp's messages name the URL, and others may quote what was sent.
        return request.method() + " " + Redaction.forLog(request.url()) + " failed after " + elapsedMillis + " ms: "
                + ConnectionFailure.classify(e) + " (" + e.getClass().getSimpleName() + ")";
    }

    /** Headers as {@code Name: value} lines, secret values masked and URLs as {@link Redaction#forLog} gives them. */
    static String headers(Headers headers, SecretNames secretNames) {
        Headers.Builder safe = new Headers.Builder();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            String value = headers.value(i);
            boolean url = URL_HEADERS.contains(name.toLowerCase(Locale.ROOT));
            safe.addUnsafeNonAscii(name, url ? urlForLog(value) : value);
        }
        return Redaction.redactHeaders(safe.build(), secretNames);
    }

    private static String urlForLog(String value) {
        HttpUrl url = HttpUrl.parse(value);
        if (url != null) {
            return Redaction.forLog(url);
        }
        int query = value.indexOf('?');
        return query < 0 ? value : value.substring(0, query) + "?...";
    }
}
