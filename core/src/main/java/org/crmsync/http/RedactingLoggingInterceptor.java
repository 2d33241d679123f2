package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each attempt at DEBUG (method, URL, status, elapsed ms) and its headers at TRACE, with secret
 * query parameters and headers redacted. Bodies are never logged: they hold personal data.
 */
final class RedactingLoggingInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RedactingLoggingInterceptor.class);

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
            LOG.trace("{} {} request headers:\n{}", request.method(), Redaction.redactUrl(request.url(), secretNames),
                    Redaction.redactHeaders(request.headers(), secretNames));
        }
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException e) {
            LOG.debug("{}", failureLine(request, e, clock.millis() - start, secretNames));
            throw e;
        }
        LOG.debug("{}", line(request, response.code(), clock.millis() - start, secretNames));
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} {} response headers:\n{}", request.method(), Redaction.redactUrl(request.url(), secretNames),
                    Redaction.redactHeaders(response.headers(), secretNames));
        }
        return response;
    }

    static String line(Request request, int status, long elapsedMillis, SecretNames secretNames) {
        return request.method() + " " + Redaction.redactUrl(request.url(), secretNames) + " -> " + status
                + " (" + elapsedMillis + " ms)";
    }

    static String failureLine(Request request, IOException e, long elapsedMillis, SecretNames secretNames) {
        return request.method() + " " + Redaction.redactUrl(request.url(), secretNames) + " failed after "
                + elapsedMillis + " ms: " + e;
    }
}
