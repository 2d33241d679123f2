package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.crmsync.spi.ApiCallMeter;
import org.crmsync.spi.Sleeper;

/**
 * The one way to build the {@link OkHttpClient} a connector uses. The client refuses plain HTTP
 * (unless allowed, for local simulators), retries per a {@link RetryPolicy} within a deadline per call,
 * optionally rate-limits (a 429 with {@code Retry-After} pausing every caller of the limiter), takes
 * one call from the run's {@link ApiCallMeter} before every attempt, checks that a successful answer
 * to a request that asks for JSON ({@code Accept: application/json}) is JSON, and logs lines without
 * secrets or personal data. Its timeouts, attempts and deadline come from the connector's {@link
 * HttpSettings}.
 *
 * <p>Failures come out of {@code execute()} as {@code IOException}s, also a call whose deadline passed
 * and a body that is not the JSON asked for; {@link ConnectionFailure} turns any of them into the
 * connector's exception and message.
 *
 * <p>Use {@code call.execute()}: a {@code CrmSyncException} raised by the HTTPS guard or the meter
 * propagates from it unchanged (with {@code enqueue} OkHttp hands the callback an {@code
 * IOException} instead). Build one client per connector and reuse it: each client owns a connection
 * pool.
 *
 * <p>OkHttp's own silent retry on connection failure is switched off so that every resend goes
 * through the retry rules here (and is metered), and HTTPS-to-HTTP redirects are not followed unless
 * plain HTTP is allowed.
 */
public final class HttpClients {
    private HttpClients() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Tags the request as safe to send twice, so a POST or PATCH is retried like a GET. Only for
     * calls the CRM deduplicates (an upsert by external id, a query sent as POST); never for a plain
     * create.
     */
    public static Request.Builder idempotent(Request.Builder request) {
        return requireNonNull(request, "request").tag(Idempotent.class, Idempotent.INSTANCE);
    }

    /** Builds an {@link OkHttpClient}; values are checked in {@link #build()}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private RateLimiter rateLimiter;
        private boolean rateLimited;
        private boolean belowDeclared;
        private double permitsPerSecond;
        private int burst;
        private Supplier<ApiCallMeter> meter;
        private final List<String> secretNames = new ArrayList<>();
        private Duration connectTimeout = HttpSettings.DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = HttpSettings.DEFAULT_READ_TIMEOUT;
        private Duration callDeadline = HttpSettings.DEFAULT_CALL_DEADLINE;
        private HttpSettings settings;
        private boolean allowPlainHttp;

        private Builder() {
        }

        /** The clock for call deadlines, {@code Retry-After} dates, the rate limiter and log timings; default UTC. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** How retries and the rate limiter wait; default {@link Sleeper#SYSTEM}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * How to back off between attempts; default {@link RetryPolicy#defaults()}. With {@link
         * #settings}, the settings' attempts and {@code Retry-After} cap replace the policy's.
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /**
         * The connector's timeouts, attempts, call deadline and {@code Retry-After} cap, as its
         * configuration gives them ({@link HttpSettings#from}). Sets the timeouts and the deadline at once;
         * the attempts and the cap are applied to the retry policy in {@link #build()}.
         */
        public Builder settings(HttpSettings settings) {
            this.settings = requireNonNull(settings, "settings");
            this.connectTimeout = settings.connectTimeout();
            this.readTimeout = settings.readTimeout();
            this.callDeadline = settings.callDeadline();
            return this;
        }

        /** Limits the client to exactly {@code permitsPerSecond} calls on average, {@code burst} at once. */
        public Builder rateLimit(double permitsPerSecond, int burst) {
            this.rateLimited = true;
            this.belowDeclared = false;
            this.permitsPerSecond = permitsPerSecond;
            this.burst = burst;
            this.rateLimiter = null;
            return this;
        }

        /**
         * Limits the client to a CRM's declared rate, kept {@link RateLimiter#SAFETY_MARGIN} under it, one
         * call at a time ({@link RateLimiter#belowDeclared}), so that it receives no 429 in normal operation.
         */
        public Builder declaredRateLimit(double declaredPerSecond) {
            this.rateLimited = true;
            this.belowDeclared = true;
            this.permitsPerSecond = declaredPerSecond;
            this.burst = 1;
            this.rateLimiter = null;
            return this;
        }

        /** Uses a limiter shared with other clients of the same CRM account. */
        public Builder rateLimiter(RateLimiter rateLimiter) {
            this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
            this.rateLimited = false;
            return this;
        }

        /**
         * Where to find the run's meter; asked before every attempt, so a connector can swap the meter
         * per sync run. Required.
         */
        public Builder meter(Supplier<ApiCallMeter> meter) {
            this.meter = requireNonNull(meter, "meter");
            return this;
        }

        /** Header and query parameter names to redact in logs, besides {@link Redaction#defaultSecretNames()}. */
        public Builder secretNames(Collection<String> names) {
            requireNonNull(names, "names").forEach(n -> secretNames.add(requireNonNull(n, "secret name")));
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /** Read timeout, also used as write timeout; default 30 s. */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = requireNonNull(readTimeout, "readTimeout");
            return this;
        }

        /** The most one call may take, all attempts and the waits between them; default 2 minutes. */
        public Builder callDeadline(Duration callDeadline) {
            this.callDeadline = requireNonNull(callDeadline, "callDeadline");
            return this;
        }

        /** Allows {@code http://} URLs; only for tests against a local simulator. Default false. */
        public Builder allowPlainHttp(boolean allowPlainHttp) {
            this.allowPlainHttp = allowPlainHttp;
            return this;
        }

        /** @throws IllegalArgumentException naming every missing or invalid value */
        public OkHttpClient build() {
            List<String> problems = new ArrayList<>();
            if (meter == null) {
                problems.add("meter is required (use () -> ApiCallMeter.unlimited() only in tests and tools)");
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                problems.add("connectTimeout must be positive, was " + connectTimeout);
            }
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                problems.add("readTimeout must be positive, was " + readTimeout);
            }
            if (callDeadline.isNegative() || callDeadline.isZero()) {
                problems.add("callDeadline must be positive, was " + callDeadline);
            }
            RateLimiter limiter = rateLimiter;
            if (rateLimited) {
                try {
                    limiter = belowDeclared ? RateLimiter.belowDeclared(permitsPerSecond, clock, sleeper)
                            : RateLimiter.create(permitsPerSecond, burst, clock, sleeper);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid HTTP client settings: " + String.join("; ", problems));
            }
            SecretNames names = SecretNames.withExtra(secretNames);
            RetryPolicy policy = settings == null ? retryPolicy : retryPolicy.toBuilder()
                    .maxAttempts(settings.maxAttempts()).maxRetryAfter(settings.maxRetryAfter()).build();

            OkHttpClient.Builder b = new OkHttpClient.Builder()
                    .connectTimeout(connectTimeout)
                    .readTimeout(readTimeout)
                    .writeTimeout(readTimeout)
                    .retryOnConnectionFailure(false)
                    .followSslRedirects(allowPlainHttp);
            if (!allowPlainHttp) {
                b.addInterceptor(new PlainHttpGuard());
            }
            // Outside the retries: a body that is not the JSON asked for is an answer, not a failure to retry.
            b.addInterceptor(new JsonBodyCheck());
            b.addInterceptor(new RetryInterceptor(policy, callDeadline, sleeper, clock));
            if (limiter != null) {
                b.addInterceptor(new RateLimitInterceptor(limiter, clock, policy.maxRetryAfter()));
            }
            b.addInterceptor(new MeteringInterceptor(meter));
            b.addInterceptor(new RedactingLoggingInterceptor(clock, names));
            return b.build();
        }
    }
}
