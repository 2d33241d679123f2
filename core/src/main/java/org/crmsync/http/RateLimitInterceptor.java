package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Takes a {@link RateLimiter} permit before each attempt, retries included; a 429 with {@code
 * Retry-After} pauses the limiter, so every caller sharing it waits, not only the one refused (the CRM
 * counts the account's requests, so the others would be refused too). The pause is at most {@code
 * maxPause}, the longest {@code Retry-After} the retries wait out: a longer one fails the call that met
 * it, and the others find out for themselves.
 */
final class RateLimitInterceptor implements Interceptor {
    private final RateLimiter limiter;
    private final Clock clock;
    private final Duration maxPause;

    RateLimitInterceptor(RateLimiter limiter, Clock clock, Duration maxPause) {
        this.limiter = requireNonNull(limiter, "limiter");
        this.clock = requireNonNull(clock, "clock");
        this.maxPause = requireNonNull(maxPause, "maxPause");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        try {
            limiter.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ioe = new InterruptedIOException("Interrupted while waiting for the rate limiter");
            ioe.initCause(e);
            throw ioe;
        }
        Response response = chain.proceed(chain.request());
        if (response.code() == 429) {
            RetryInterceptor.retryAfter(response, clock)
                    .ifPresent(wait -> limiter.pause(wait.compareTo(maxPause) > 0 ? maxPause : wait));
        }
        return response;
    }
}
