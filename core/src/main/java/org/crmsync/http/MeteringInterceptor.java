package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.function.Supplier;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.crmsync.spi.ApiCallMeter;

/**
 * Takes one call from the run's {@link ApiCallMeter} before each attempt, retries included. When the
 * quota is used up the meter throws {@code CrmSyncException(QUOTA_EXHAUSTED)}; it propagates out of
 * {@code Call.execute()} unchanged and the request is never sent.
 */
final class MeteringInterceptor implements Interceptor {
    private final Supplier<ApiCallMeter> meters;

    MeteringInterceptor(Supplier<ApiCallMeter> meters) {
        this.meters = requireNonNull(meters, "meters");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        ApiCallMeter meter = meters.get();
        if (meter == null) {
            throw new IllegalStateException("The ApiCallMeter supplier given to HttpClients returned null");
        }
        // Method and path only: query strings may carry secrets.
        meter.acquire(request.method() + " " + request.url().encodedPath());
        return chain.proceed(request);
    }
}
