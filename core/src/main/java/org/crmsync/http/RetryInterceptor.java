package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.crmsync.spi.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a call on connection errors and on 429, 500, 502, 503 and 504, waiting as the server's
 * {@code Retry-After} says or else as the {@link RetryPolicy} backs off. Only requests that are safe
 * to send twice are retried: GET, HEAD, PUT, DELETE, OPTIONS always; POST and PATCH only when tagged
 * {@link Idempotent}, because a create the CRM does not deduplicate must never be re-sent blindly
 * (DESIGN §4).
 *
 * <p>When attempts run out, the last response is returned (the caller maps its status to an error)
 * or the last {@code IOException} is thrown. A {@code Retry-After} longer than {@link
 * RetryPolicy#maxRetryAfter()} ends the retries at once.
 */
final class RetryInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RetryInterceptor.class);
    private static final Set<Integer> RETRIED_STATUSES = Set.of(429, 500, 502, 503, 504);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Clock clock;
    private final SecretNames secretNames;

    RetryInterceptor(RetryPolicy policy, Sleeper sleeper, Clock clock, SecretNames secretNames) {
        this.policy = requireNonNull(policy, "policy");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.clock = requireNonNull(clock, "clock");
        this.secretNames = requireNonNull(secretNames, "secretNames");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        boolean mayRetry = mayRetry(request);
        for (int attempt = 1; ; attempt++) {
            boolean lastAttempt = !mayRetry || attempt >= policy.maxAttempts();
            Response response;
            try {
                response = chain.proceed(request);
            } catch (IOException e) {
                if (lastAttempt || !isTransient(e) || chain.call().isCanceled()
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                Duration wait = policy.backoff(attempt);
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{} {} failed ({}); retrying in {} ms (attempt {} of {})", request.method(),
                            Redaction.redactUrl(request.url(), secretNames), e.toString(), wait.toMillis(),
                            attempt + 1, policy.maxAttempts());
                }
                sleep(wait, request);
                continue;
            }
            if (lastAttempt || !RETRIED_STATUSES.contains(response.code())) {
                return response;
            }
            Duration wait;
            Optional<Duration> retryAfter = retryAfter(response);
            if (retryAfter.isPresent()) {
                if (retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
                    LOG.debug("{} {} answered {} with Retry-After {} s, beyond the {} s cap; not retrying",
                            request.method(), Redaction.redactUrl(request.url(), secretNames), response.code(),
                            retryAfter.get().toSeconds(), policy.maxRetryAfter().toSeconds());
                    return response;
                }
                wait = retryAfter.get();
            } else {
                wait = policy.backoff(attempt);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} answered {}; retrying in {} ms (attempt {} of {})", request.method(),
                        Redaction.redactUrl(request.url(), secretNames), response.code(), wait.toMillis(),
                        attempt + 1, policy.maxAttempts());
            }
            // OkHttp refuses a new attempt while the previous response body is open.
            response.close();
            sleep(wait, request);
        }
    }

    static boolean mayRetry(Request request) {
        RequestBody body = request.body();
        if (body != null && body.isOneShot()) {
            return false;
        }
        return SAFE_METHODS.contains(request.method()) || request.tag(Idempotent.class) != null;
    }

    private static boolean isTransient(IOException e) {
        // A certificate that does not match will not match on the next attempt either.
        return !(e instanceof SSLPeerUnverifiedException);
    }

    /** The server's wait, as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); negative means now. */
    Optional<Duration> retryAfter(Response response) {
        String value = response.header("Retry-After");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return Optional.of(seconds <= 0 ? Duration.ZERO : Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            Instant at = response.headers().getInstant("Retry-After");
            if (at == null) {
                return Optional.empty();
            }
            Duration wait = Duration.between(clock.instant(), at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    private void sleep(Duration wait, Request request) throws InterruptedIOException {
        if (wait.isZero()) {
            return;
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ioe = new InterruptedIOException(
                    "Interrupted while waiting to retry " + request.method() + " "
                            + Redaction.redactUrl(request.url(), secretNames));
            ioe.initCause(e);
            throw ioe;
        }
    }
}
