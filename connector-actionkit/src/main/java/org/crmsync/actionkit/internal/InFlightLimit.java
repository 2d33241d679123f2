package org.crmsync.actionkit.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Keeps at most so many requests of one connector in flight at once, over all the runs it serves.
 * ActionKit's 429 means "Your application is sending too many simultaneous requests"
 * (docs.actionkit.com/docs/manual/api/rest/requests.html): its limit is on concurrency, not on a rate,
 * and ActionKit gives no number, so the bound is a setting. Each attempt holds a permit while it is
 * sent and answered; the waits between retries hold none. Counts the most it ever saw at once, for tests.
 */
final class InFlightLimit implements Interceptor {
    private final Semaphore permits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    InFlightLimit(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("requests in flight must be 1 or more, was " + bound);
        }
        this.permits = new Semaphore(bound, true);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ioe = new InterruptedIOException("interrupted while waiting for a free request slot");
            ioe.initCause(e);
            throw ioe;
        }
        int now = inFlight.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        try {
            return chain.proceed(chain.request());
        } finally {
            inFlight.decrementAndGet();
            permits.release();
        }
    }

    int most() {
        return most.get();
    }
}
