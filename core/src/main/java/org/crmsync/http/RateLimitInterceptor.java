package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/** Takes a {@link RateLimiter} permit before each attempt, retries included. */
final class RateLimitInterceptor implements Interceptor {
    private final RateLimiter limiter;

    RateLimitInterceptor(RateLimiter limiter) {
        this.limiter = requireNonNull(limiter, "limiter");
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
        return chain.proceed(chain.request());
    }
}
