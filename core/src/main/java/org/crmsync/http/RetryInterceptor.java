package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.crmsync.spi.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a call on 429, on 500, 502, 503 and 504, and on connection errors, waiting as the server's
 * {@code Retry-After} says or else as the {@link RetryPolicy} backs off.
 *
 * <p>A 429 is retried whatever the method: the CRM refused the request before processing it, so
 * sending it again applies it once. After a 5xx or a connection error only requests that are safe to
 * send twice are retried: GET, HEAD, PUT, DELETE, OPTIONS always; POST and PATCH only when tagged
 * {@link Idempotent}, because a create the CRM does not deduplicate must never be re-sent blindly
 * (DESIGN §4). A one-shot body cannot be sent twice at all. A failed TLS handshake is not retried: it
 * fails the same way again.
 *
 * <p>One call, all attempts and waits together, has a deadline, measured on the injected clock: an
 * attempt is only started when at least {@link #MIN_ATTEMPT_TIME} of it is left, each attempt's connect,
 * read and write timeouts are cut to what is left, and a wait that would pass it is not waited: the
 * call ends with a {@link DeadlineExceededException} instead.
 *
 * <p>When attempts run out, the last response is returned (the caller maps its status to an error)
 * or the last {@code IOException} is thrown. A {@code Retry-After} longer than {@link
 * RetryPolicy#maxRetryAfter()} ends the retries at once and the response is returned. A response
 * returned after retries, or after refusing to wait, carries a {@link RetryNote} tag on its request,
 * which {@link HttpErrors} reports.
 */
final class RetryInterceptor implements Interceptor {
    /** Less time than this left of the deadline is not worth an attempt to a CRM across the internet. */
    static final Duration MIN_ATTEMPT_TIME = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(RetryInterceptor.class);
    private static final Set<Integer> RETRIED_SERVER_ERRORS = Set.of(500, 502, 503, 504);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

    private final RetryPolicy policy;
    private final Duration deadline;
    private final Sleeper sleeper;
    private final Clock clock;

    RetryInterceptor(RetryPolicy policy, Duration deadline, Sleeper sleeper, Clock clock) {
        this.policy = requireNonNull(policy, "policy");
        this.deadline = requireNonNull(deadline, "deadline");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        boolean repeatable = canBeSentTwice(request);
        boolean safeToRepeat = repeatable && safeToRepeat(request);
        Instant start = clock.instant();
        for (int attempt = 1; ; attempt++) {
            boolean lastAttempt = !repeatable || attempt >= policy.maxAttempts();
            Response response;
            try {
                response = withinDeadline(chain, start).proceed(request);
            } catch (IOException e) {
                if (lastAttempt || !safeToRepeat || !isTransient(e) || chain.call().isCanceled()
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                Duration wait = policy.backoff(attempt);
                if (passesDeadline(start, wait)) {
                    throw deadlineExceeded(start, attempt, request, -1, Optional.empty(), e);
                }
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{} {} failed ({}: {}); retrying in {} ms (attempt {} of {})", request.method(),
                            Redaction.forLog(request.url()), ConnectionFailure.classify(e),
                            e.getClass().getSimpleName(), wait.toMillis(), attempt + 1, policy.maxAttempts());
                }
                sleep(wait, request);
                continue;
            }
            int status = response.code();
            boolean retried = status == 429 || (safeToRepeat && RETRIED_SERVER_ERRORS.contains(status));
            if (!retried) {
                return attempt == 1 ? response : noted(response, attempt, Optional.empty());
            }
            if (lastAttempt) {
                return noted(response, attempt, Optional.empty());
            }
            Duration wait;
            Optional<Duration> retryAfter = retryAfter(response, clock);
            if (retryAfter.isPresent()) {
                if (retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
                    LOG.debug("{} {} answered {} with Retry-After {} s, beyond the {} s cap; not retrying",
                            request.method(), Redaction.forLog(request.url()), status, retryAfter.get().toSeconds(),
                            policy.maxRetryAfter().toSeconds());
                    return noted(response, attempt, retryAfter);
                }
                wait = retryAfter.get();
            } else {
                wait = policy.backoff(attempt);
            }
            if (passesDeadline(start, wait)) {
                response.close();
                throw deadlineExceeded(start, attempt, request, status, retryAfter, null);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} answered {}; retrying in {} ms (attempt {} of {})", request.method(),
                        Redaction.forLog(request.url()), status, wait.toMillis(), attempt + 1, policy.maxAttempts());
            }
            // OkHttp refuses a new attempt while the previous response body is open.
            response.close();
            sleep(wait, request);
        }
    }

    /** Whether the request may be sent again after a 5xx or a connection error. */
    static boolean safeToRepeat(Request request) {
        return SAFE_METHODS.contains(request.method()) || request.tag(Idempotent.class) != null;
    }

    private static boolean canBeSentTwice(Request request) {
        RequestBody body = request.body();
        return body == null || !body.isOneShot();
    }

    private static boolean isTransient(IOException e) {
        // A handshake that failed (plain HTTP on the port, a certificate refused) fails the same way again.
        return ConnectionFailure.classify(e) != ConnectionFailure.Kind.TLS_HANDSHAKE;
    }

    /** The chain with its timeouts cut to what is left of the deadline. */
    private Chain withinDeadline(Chain chain, Instant start) {
        long left = Math.max(1, deadline.minus(Duration.between(start, clock.instant())).toMillis());
        int millis = (int) Math.min(left, Integer.MAX_VALUE);
        Chain c = chain;
        if (cuts(c.connectTimeoutMillis(), millis)) {
            c = c.withConnectTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (cuts(c.readTimeoutMillis(), millis)) {
            c = c.withReadTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (cuts(c.writeTimeoutMillis(), millis)) {
            c = c.withWriteTimeout(millis, TimeUnit.MILLISECONDS);
        }
        return c;
    }

    private static boolean cuts(int timeoutMillis, int leftMillis) {
        return timeoutMillis == 0 || leftMillis < timeoutMillis; // 0 is no timeout
    }

    private boolean passesDeadline(Instant start, Duration wait) {
        Duration elapsed = Duration.between(start, clock.instant());
        return elapsed.plus(wait).plus(MIN_ATTEMPT_TIME).compareTo(deadline) > 0;
    }

    private DeadlineExceededException deadlineExceeded(Instant start, int attempts, Request request, int lastStatus,
            Optional<Duration> retryAfter, IOException lastFailure) {
        Duration elapsed = Duration.between(start, clock.instant());
        LOG.debug("{} {}: no attempt {} of {}, the call deadline of {} ms would pass", request.method(),
                Redaction.forLog(request.url()), attempts + 1, policy.maxAttempts(), deadline.toMillis());
        return new DeadlineExceededException(request.method() + " " + Redaction.forLog(request.url()), attempts,
                deadline, elapsed, lastStatus, retryAfter, lastFailure);
    }

    private Response noted(Response response, int attempts, Optional<Duration> refusedRetryAfter) {
        RetryNote note = new RetryNote(attempts, policy.maxAttempts(), refusedRetryAfter, policy.maxRetryAfter());
        Request tagged = response.request().newBuilder().tag(RetryNote.class, note).build();
        return response.newBuilder().request(tagged).build();
    }

    /** The server's wait, as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); negative means now. */
    static Optional<Duration> retryAfter(Response response, Clock clock) {
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
                    "Interrupted while waiting to retry " + request.method() + " " + Redaction.forLog(request.url()));
            ioe.initCause(e);
            throw ioe;
        }
    }
}
