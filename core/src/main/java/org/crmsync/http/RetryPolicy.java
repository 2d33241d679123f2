package org.crmsync.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * How often and how long to retry a failed HTTP call: exponential backoff with full jitter (a wait
 * drawn at random from {@code [0, computed]}, as recommended by AWS's "Exponential Backoff and
 * Jitter"), and a cap on how long a server's {@code Retry-After} may make us wait. Immutable.
 *
 * <p>Defaults: 4 attempts, 500 ms initial backoff, doubling, capped at 30 s, full jitter, and
 * {@code Retry-After} honoured up to 60 s (longer means give up and return the response); the attempts
 * and the cap are {@link HttpSettings}' defaults, which a connector's configuration may change.
 */
public final class RetryPolicy {
    private static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();
    private static final RetryPolicy DEFAULTS = builder().build();
    private static final RetryPolicy NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final boolean jitter;
    private final RandomGenerator random;
    private final Duration maxRetryAfter;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.random = b.random;
        this.maxRetryAfter = b.maxRetryAfter;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default policy (see the class description). */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** One attempt, no retries. */
    public static RetryPolicy none() {
        return NONE;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.multiplier = multiplier;
        b.jitter = jitter;
        b.random = random;
        b.maxRetryAfter = maxRetryAfter;
        return b;
    }

    /** Attempts in all, the first one included; 1 means no retry. */
    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public double multiplier() {
        return multiplier;
    }

    public boolean jitter() {
        return jitter;
    }

    /** The longest {@code Retry-After} honoured; a longer one means give up rather than wait. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /**
     * The wait after failed attempt number {@code attempt} (1 for the first attempt): {@code
     * initialBackoff * multiplier^(attempt-1)}, capped at {@code maxBackoff}, then, with jitter, a
     * random duration in {@code [0, that]}.
     */
    public Duration backoff(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be 1 or more, was " + attempt);
        }
        long initialNanos = initialBackoff.toNanos();
        if (initialNanos == 0) {
            return Duration.ZERO;
        }
        double computed = Math.min(
                (double) maxBackoff.toNanos(), initialNanos * Math.pow(multiplier, attempt - 1.0));
        if (jitter) {
            double unit = random.nextDouble();
            computed = computed * Math.min(1.0, Math.max(0.0, unit));
        }
        return Duration.ofNanos((long) computed);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
                + ", maxBackoff=" + maxBackoff + ", multiplier=" + multiplier + ", jitter=" + jitter
                + ", maxRetryAfter=" + maxRetryAfter + "]";
    }

    /** Builds a {@link RetryPolicy}; values are checked in {@link #build()}. */
    public static final class Builder {
        private int maxAttempts = HttpSettings.DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private double multiplier = 2.0;
        private boolean jitter = true;
        private RandomGenerator random = THREAD_LOCAL_RANDOM;
        private Duration maxRetryAfter = HttpSettings.DEFAULT_MAX_RETRY_AFTER;

        private Builder() {
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = requireNonNull(initialBackoff, "initialBackoff");
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
            return this;
        }

        public Builder multiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        /** Full jitter on (the default) or off (exact exponential waits). */
        public Builder jitter(boolean jitter) {
            this.jitter = jitter;
            return this;
        }

        /** The source of jitter; inject a seeded or fixed generator to make tests deterministic. */
        public Builder random(RandomGenerator random) {
            this.random = requireNonNull(random, "random");
            return this;
        }

        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = requireNonNull(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid value */
        public RetryPolicy build() {
            List<String> problems = new ArrayList<>();
            if (maxAttempts < 1) {
                problems.add("maxAttempts must be 1 or more, was " + maxAttempts);
            }
            if (initialBackoff.isNegative()) {
                problems.add("initialBackoff must not be negative, was " + initialBackoff);
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                problems.add("maxBackoff (" + maxBackoff + ") must not be less than initialBackoff ("
                        + initialBackoff + ")");
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                problems.add("multiplier must be a finite number of 1.0 or more, was " + multiplier);
            }
            if (maxRetryAfter.isNegative()) {
                problems.add("maxRetryAfter must not be negative, was " + maxRetryAfter);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid retry policy: " + String.join("; ", problems));
            }
            return new RetryPolicy(this);
        }
    }
}
